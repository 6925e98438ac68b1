/** Technicians see which of a stage's feeds (main or backup ingest) is on air, and may pin one. */
import type { FastifyInstance } from 'fastify';
import { apiRequestSchemas } from '../../../shared/protocol.js';
import type { FeedState } from '../../ingest/feedSwitch.js';
import { parseInput } from '../../validation.js';
import { requireTechnician } from '../guards.js';
import type { HttpDependencies, LiveMediaDependencies } from '../httpServer.js';
import { pathParams, stageParams } from './routeSupport.js';

export function registerStageFeedRoutes(app: FastifyInstance, deps: HttpDependencies & Pick<LiveMediaDependencies, 'ingestPoints'>): void {
  const technicianOnly = { preHandler: requireTechnician(deps) };

  app.get('/api/stages/:stageId/feed', technicianOnly, async (request): Promise<FeedState> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    return deps.ingestPoints.feedState(stage.id);
  });

  app.post('/api/stages/:stageId/feed', technicianOnly, async (request): Promise<FeedState> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    const { use } = parseInput(apiRequestSchemas.stageFeed, request.body, 'feed choice');
    const state = deps.ingestPoints.chooseFeed(stage.id, use);
    request.log.info({ stage: stage.id, use, technician: request.technician?.username }, 'feed chosen');
    return state;
  });
}
