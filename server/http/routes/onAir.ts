import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { onAirChoiceSchema, stageOnAirSchema } from '../../../shared/programmeControl.js';
import { stageOnAir } from '../../audience/talkOnAir.js';
import { withErrors } from '../apiSchemas.js';
import { viewerCredentialsOf } from '../guards.js';
import type { HttpDependencies } from '../httpServer.js';
import { stageParams, technicianRoute } from './routeSupport.js';

const tags = ['On air'];
const answersOnAir = withErrors({ 200: stageOnAirSchema });

/**
 * The talk on air on a stage: technicians set it, or move on to the next talk in one action (each
 * change ends the previous talk's replay there); the stage's pages are told over the socket.
 */
export const onAirRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  app.get(
    '/api/stages/:stageId/on-air',
    { schema: { tags, summary: 'The talk on air on the stage and the next one', params: stageParams, response: answersOnAir } },
    async (request) => {
      // Whoever may watch the stage may know what is on it.
      const stage = deps.policy.authorizeJoin(viewerCredentialsOf(request), request.params.stageId, 'viewer');
      return stageOnAir(deps.db, stage.id);
    },
  );

  app.put(
    '/api/stages/:stageId/on-air',
    technicianRoute(deps, {
      tags,
      summary: 'Put a talk on air now (null: none); the talk that was on air ends its replay here',
      params: stageParams,
      body: onAirChoiceSchema,
      response: answersOnAir,
    }),
    async (request) => deps.onAir.set(deps.policy.existingStage(request.params.stageId).id, request.body.talkId),
  );

  app.post(
    '/api/stages/:stageId/on-air/next',
    technicianRoute(deps, { tags, summary: 'Move on to the next talk of the programme', params: stageParams, response: answersOnAir }),
    async (request) => deps.onAir.next(deps.policy.existingStage(request.params.stageId).id),
  );
};
