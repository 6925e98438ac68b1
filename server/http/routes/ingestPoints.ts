import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiRequestSchemas, type IngestPointInfo, ingestPointInfoSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import type { IngestPoint } from '../../storage/ingestPoints.js';
import { noContent, withErrors } from '../apiSchemas.js';
import type { HttpDependencies, LiveMediaDependencies } from '../httpServer.js';
import { ingestPointParams, stageParams, technicianRoute } from './routeSupport.js';

const tags = ['Ingest'];
const answersIngestPoint = withErrors({ 200: ingestPointInfoSchema });

/** Technicians manage where production tools send a stage's feed; every answer carries secrets. */
export const ingestPointRoutes: FastifyPluginAsyncZod<HttpDependencies & Pick<LiveMediaDependencies, 'ingestPoints'>> = async (app, deps) => {
  const { ingestPoints } = deps;
  const answer = (request: FastifyRequest, reply: FastifyReply, point: IngestPoint): IngestPointInfo => {
    reply.header('cache-control', 'no-store');
    return ingestPoints.info(point, request.hostname, `${request.protocol}://${request.host}`);
  };

  app.post(
    '/api/stages/:stageId/ingest-points',
    technicianRoute(deps, {
      tags,
      summary: 'Open a WHIP, SRT or RTMP ingest point for the stage, as its main or backup feed',
      params: stageParams,
      body: apiRequestSchemas.ingestPoint,
      response: withErrors({ 201: ingestPointInfoSchema }),
    }),
    async (request, reply) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      const { protocol, label, role } = request.body;
      const point = ingestPoints.create(stage.id, protocol, label, role);
      request.log.info(
        { ingestPoint: point.id, stage: stage.id, protocol, port: point.port, technician: request.technician?.username },
        'ingest point created',
      );
      return reply.code(201).send(answer(request, reply, point));
    },
  );

  app.get(
    '/api/stages/:stageId/ingest-points',
    technicianRoute(deps, {
      tags,
      summary: 'The stage’s ingest points',
      params: stageParams,
      response: withErrors({ 200: z.object({ ingestPoints: z.array(ingestPointInfoSchema) }) }),
    }),
    async (request, reply) => {
      const stage = deps.policy.existingStage(request.params.stageId);
      return { ingestPoints: ingestPoints.list(stage.id).map((point) => answer(request, reply, point)) };
    },
  );

  // With the pre-flight check of the encoder connected now.
  app.get(
    '/api/ingest-points/:ingestPointId',
    technicianRoute(deps, { tags, summary: 'One ingest point, with the pre-flight check', params: ingestPointParams, response: answersIngestPoint }),
    async (request, reply) => {
      const { ingestPointId } = request.params;
      const point = ingestPoints.get(ingestPointId);
      if (!point) throw new AppError('not_found', `There is no ingest point "${ingestPointId}".`);
      return answer(request, reply, point);
    },
  );

  app.patch(
    '/api/ingest-points/:ingestPointId',
    technicianRoute(deps, {
      tags,
      summary: 'Relabel the ingest point, or make it the main or the backup feed (a connected encoder stays connected)',
      params: ingestPointParams,
      body: apiRequestSchemas.ingestPointChanges,
      response: answersIngestPoint,
    }),
    async (request, reply) => {
      const point = ingestPoints.change(request.params.ingestPointId, request.body);
      request.log.info({ ingestPoint: point.id, ...request.body, technician: request.technician?.username }, 'ingest point changed');
      return answer(request, reply, point);
    },
  );

  app.post(
    '/api/ingest-points/:ingestPointId/rotate',
    technicianRoute(deps, { tags, summary: 'Give the ingest point a new secret', params: ingestPointParams, response: answersIngestPoint }),
    async (request, reply) => {
      const point = await ingestPoints.rotate(request.params.ingestPointId);
      request.log.info({ ingestPoint: point.id, technician: request.technician?.username }, 'ingest point secret rotated');
      return answer(request, reply, point);
    },
  );

  app.delete(
    '/api/ingest-points/:ingestPointId',
    technicianRoute(deps, { tags, summary: 'Revoke the ingest point', params: ingestPointParams, response: withErrors({ 204: noContent }) }),
    async (request, reply) => {
      const { ingestPointId } = request.params;
      await ingestPoints.revoke(ingestPointId);
      request.log.info({ ingestPoint: ingestPointId, technician: request.technician?.username }, 'ingest point revoked');
      return reply.code(204).send();
    },
  );
};
