import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRequestSchemas, retentionResponseSchema, stageSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { listRecordings } from '../../storage/recordings.js';
import { deleteStage, setStageRetention, stageRetention, updateStage } from '../../storage/stages.js';
import { noContent, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Stages'];

/** Technicians rename and delete stages (they are created in their event: POST /api/events/:eventId/stages). */
export const stageRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const { db } = deps;

  app.patch(
    '/api/stages/:stageId',
    technicianRoute(deps, {
      tags,
      summary: 'Rename a stage',
      params: stageParams,
      body: apiRequestSchemas.stageChanges,
      response: withErrors({ 200: stageSchema }),
    }),
    async (request) => {
      // existingStage has answered 404 for a stage that is not there.
      return updateStage(db, deps.policy.existingStage(request.params.stageId).id, request.body)!;
    },
  );

  app.get(
    '/api/stages/:stageId/retention',
    technicianRoute(deps, {
      tags,
      summary: 'How long the stage keeps finished recordings',
      params: stageParams,
      response: withErrors({ 200: retentionResponseSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return { stageId: stage.id, hours: stageRetention(db, stage.id) ?? null };
    },
  );

  app.put(
    '/api/stages/:stageId/retention',
    technicianRoute(deps, {
      tags,
      summary: 'Set how long the stage keeps finished recordings (null: for good)',
      params: stageParams,
      body: apiRequestSchemas.retention,
      response: withErrors({ 200: retentionResponseSchema }),
    }),
    async (request) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      setStageRetention(db, stage.id, request.body.hours);
      return { stageId: stage.id, hours: request.body.hours };
    },
  );

  app.delete(
    '/api/stages/:stageId',
    technicianRoute(deps, { tags, summary: 'Delete a stage that has no recordings', params: stageParams, response: withErrors({ 204: noContent }) }),
    async (request, reply) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      // Recordings are files as well as rows: they are deleted on purpose, one by one, first.
      const recordings = listRecordings(db, stage.id).length;
      if (recordings > 0) {
        throw new AppError('conflict', `The stage "${stage.id}" has ${recordings} recording(s); delete them first (DELETE /api/recordings/:id).`);
      }
      deleteStage(db, stage.id);
      return reply.code(204).send();
    },
  );
};
