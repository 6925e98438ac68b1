/**
 * Encoder settings of an ingest point: what technicians paste into OBS, vMix or a Blackmagic
 * device, and the Blackmagic streaming XML. Derived from the stored point and its secret alone,
 * so these routes need no live media.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ingestEncoderSettingsResponseSchema } from '../../../shared/protocol.js';
import { AppError } from '../../errors.js';
import { blackmagicStreamingXml, type EncoderContext, encoderSettingsFor } from '../../ingest/encoderSettings.js';
import { getIngestPoint, type IngestPoint } from '../../storage/ingestPoints.js';
import { getStage } from '../../storage/stages.js';
import { fileAnswer, withErrors } from '../apiSchemas.js';
import type { HttpDependencies } from '../httpServer.js';
import { ingestPointParams, sendDownload, technicianRoute } from './routeSupport.js';

const tags = ['Ingest'];

export const encoderSettingsRoutes: FastifyPluginAsyncZod<HttpDependencies> = async (app, deps) => {
  const activePoint = (ingestPointId: string): IngestPoint => {
    const point = getIngestPoint(deps.db, ingestPointId);
    if (!point || point.revokedAt !== null) {
      throw new AppError('not_found', `There is no active ingest point "${ingestPointId}"; a revoked one sends nothing, so create a new one.`);
    }
    return point;
  };
  const contextFor = (request: FastifyRequest, point: IngestPoint): EncoderContext => ({
    host: request.hostname,
    httpOrigin: `${request.protocol}://${request.host}`,
    secret: deps.policy.ingestPointSecret(point),
    stageTitle: getStage(deps.db, point.stageId)?.title ?? point.stageId,
    maxBitrateKbps: deps.config.ingest.maxBitrateKbps,
  });

  app.get(
    '/api/ingest-points/:ingestPointId/encoder-settings',
    technicianRoute(deps, {
      tags,
      summary: 'Ready-to-paste settings for the encoders that can send to the ingest point (OBS, vMix, Blackmagic), with its secret',
      params: ingestPointParams,
      response: withErrors({ 200: ingestEncoderSettingsResponseSchema }),
    }),
    async (request, reply) => {
      const point = activePoint(request.params.ingestPointId);
      reply.header('cache-control', 'no-store');
      return encoderSettingsFor(point, contextFor(request, point));
    },
  );

  app.get(
    '/api/ingest-points/:ingestPointId/blackmagic-streaming.xml',
    technicianRoute(deps, {
      tags,
      summary: 'The Blackmagic streaming XML of an RTMP ingest point (server, stream key, quality), for a Web Presenter or ATEM Mini to import',
      params: ingestPointParams,
      response: fileAnswer('application/xml', 'A Blackmagic streaming XML file'),
    }),
    async (request, reply) => {
      const point = activePoint(request.params.ingestPointId);
      if (point.protocol !== 'rtmp') {
        throw new AppError(
          'not_found',
          `Blackmagic devices send RTMP; ingest point "${point.id}" takes ${point.protocol.toUpperCase()}. Create an RTMP ingest point for the Blackmagic encoder.`,
        );
      }
      reply.header('cache-control', 'no-store');
      return sendDownload(reply, 'application/xml', `estrad-${point.stageId}-${point.role}.xml`, blackmagicStreamingXml(point, contextFor(request, point)));
    },
  );
};
