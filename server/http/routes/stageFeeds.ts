/** Technicians see which of a stage's feeds (main or backup ingest) is on air, and may pin one. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRequestSchemas, stageFeedStateSchema } from '../../../shared/protocol.js';
import { withErrors } from '../apiSchemas.js';
import type { HttpDependencies, LiveMediaDependencies } from '../httpServer.js';
import { stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Ingest'];

export const stageFeedRoutes: FastifyPluginAsyncZod<HttpDependencies & Pick<LiveMediaDependencies, 'ingestPoints'>> = async (app, deps) => {
  app.get(
    '/api/stages/:stageId/feed',
    technicianRoute(deps, {
      tags,
      summary: 'Which feed of the stage is on air (main or backup), the choice, and the switches so far',
      params: stageParams,
      response: withErrors({ 200: stageFeedStateSchema }),
    }),
    async (request) => deps.ingestPoints.feedState(deps.policy.existingStage(request.params.stageId).id),
  );

  app.post(
    '/api/stages/:stageId/feed',
    technicianRoute(deps, {
      tags,
      summary: 'Pin the main or the backup feed on air, or let Estrad switch by itself (auto)',
      params: stageParams,
      body: apiRequestSchemas.stageFeed,
      response: withErrors({ 200: stageFeedStateSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      const { use } = request.body;
      const state = deps.ingestPoints.chooseFeed(stage.id, use);
      request.log.info({ stage: stage.id, use, technician: request.technician?.username }, 'feed chosen');
      return state;
    },
  );
};
