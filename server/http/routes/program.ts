/**
 * The program: what viewers and the recording get. Technicians prepare it in the control room's
 * preview and switch to it with one Take (PUT); viewers and the recorder follow at once.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRequestSchemas, stageProgramResponseSchema } from '../../../shared/protocol.js';
import { withErrors } from '../apiSchemas.js';
import type { HttpDependencies, LiveMediaDependencies } from '../httpServer.js';
import { stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Program'];

export const programRoutes: FastifyPluginAsyncZod<HttpDependencies & Pick<LiveMediaDependencies, 'registry'>> = async (app, deps) => {
  app.get(
    '/api/stages/:stageId/program',
    technicianRoute(deps, {
      tags,
      summary: 'The program’s main and inset video (producer ids; a null main is Estrad’s choice: the screen share, else the newest camera)',
      params: stageParams,
      response: withErrors({ 200: stageProgramResponseSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return { stageId: stage.id, program: deps.registry.get(stage.id)?.currentProgram() ?? { main: null, inset: null } };
    },
  );

  app.put(
    '/api/stages/:stageId/program',
    technicianRoute(deps, {
      tags,
      summary: 'Take: switch the program to this main and inset video (each on air; every open microphone is heard)',
      params: stageParams,
      body: apiRequestSchemas.program,
      response: withErrors({ 200: stageProgramResponseSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      const program = deps.registry.takeProgram(stage.id, request.body);
      request.log.info({ stage: stage.id, program, technician: request.technician?.username }, 'program taken');
      return { stageId: stage.id, program };
    },
  );
};
