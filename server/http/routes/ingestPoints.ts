import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiRequestSchemas, type IngestPointInfo } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import type { IngestPoint } from '../../storage/ingestPoints.js';
import { recordIdSchema } from '../../storage/validation.js';
import { parseInput } from '../../validation.js';
import { requireTechnician } from '../guards.js';
import type { HttpDependencies, LiveMediaDependencies } from '../httpServer.js';
import { pathParams, stageParams } from './routeSupport.js';

const ingestPointParams = z.object({ ingestPointId: recordIdSchema });

/** Technicians manage where production tools send a stage's feed; every answer carries secrets. */
export function registerIngestPointRoutes(app: FastifyInstance, deps: HttpDependencies & Pick<LiveMediaDependencies, 'ingestPoints'>): void {
  const { ingestPoints } = deps;
  const technicianOnly = { preHandler: requireTechnician(deps) };
  const answer = (request: FastifyRequest, reply: FastifyReply, point: IngestPoint): IngestPointInfo => {
    reply.header('cache-control', 'no-store');
    return ingestPoints.info(point, request.hostname, `${request.protocol}://${request.host}`);
  };

  app.post('/api/stages/:stageId/ingest-points', technicianOnly, async (request, reply): Promise<IngestPointInfo> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    const { protocol, label, role } = parseInput(apiRequestSchemas.ingestPoint, request.body, 'ingest point');
    const point = ingestPoints.create(stage.id, protocol, label, role);
    request.log.info({ ingestPoint: point.id, stage: stage.id, protocol, port: point.port, technician: request.technician?.username }, 'ingest point created');
    reply.code(201);
    return answer(request, reply, point);
  });

  app.get('/api/stages/:stageId/ingest-points', technicianOnly, async (request, reply): Promise<{ ingestPoints: IngestPointInfo[] }> => {
    const stage = deps.policy.existingStage(pathParams(stageParams, request).stageId);
    return { ingestPoints: ingestPoints.list(stage.id).map((point) => answer(request, reply, point)) };
  });

  // With the pre-flight check of the encoder connected now.
  app.get('/api/ingest-points/:ingestPointId', technicianOnly, async (request, reply): Promise<IngestPointInfo> => {
    const { ingestPointId } = pathParams(ingestPointParams, request);
    const point = ingestPoints.get(ingestPointId);
    if (!point) throw new AppError('not_found', `There is no ingest point "${ingestPointId}".`);
    return answer(request, reply, point);
  });

  app.post('/api/ingest-points/:ingestPointId/rotate', technicianOnly, async (request, reply): Promise<IngestPointInfo> => {
    const { ingestPointId } = pathParams(ingestPointParams, request);
    const point = await ingestPoints.rotate(ingestPointId);
    request.log.info({ ingestPoint: point.id, technician: request.technician?.username }, 'ingest point secret rotated');
    return answer(request, reply, point);
  });

  app.delete('/api/ingest-points/:ingestPointId', technicianOnly, async (request, reply) => {
    const { ingestPointId } = pathParams(ingestPointParams, request);
    await ingestPoints.revoke(ingestPointId);
    request.log.info({ ingestPoint: ingestPointId, technician: request.technician?.username }, 'ingest point revoked');
    return reply.code(204).send();
  });
}
