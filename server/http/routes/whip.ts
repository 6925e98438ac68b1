/**
 * WHIP (RFC 9725) at /whip/<ingest point id>: an encoder (OBS, a browser) POSTs its SDP offer with
 * the point's bearer token and gets the complete answer; DELETE on the session's Location ends
 * it. Open to every origin (CORS), since browser WHIP clients run on pages of their own and the
 * bearer token, not a cookie, is the credential.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { IngestPoints } from '../../ingest/ingestPoints.js';
import { recordIdSchema } from '../../storage/validation.js';
import { pathParams, perMinute } from './routeSupport.js';

const SDP = 'application/sdp';
const endpointParams = z.object({ ingestPointId: recordIdSchema });
const sessionParams = endpointParams.extend({ sessionId: z.uuid() });

/** WHIP clients send their token on every request; no cookies cross origins. */
const cors = {
  origin: '*',
  credentials: false,
  methods: ['POST', 'DELETE', 'PATCH', 'OPTIONS'],
  allowedHeaders: ['Authorization', 'Content-Type', 'If-Match'],
  exposedHeaders: ['Location', 'Accept-Post', 'Allow'],
  // The route answers the preflight itself, so that non-browser OPTIONS also learn Accept-Post.
  preflightContinue: true,
};
/** Each offer makes a WebRTC transport: bounded per client, like speakers' transports are. */
const OFFERS_PER_MINUTE = 30;

/** A Fastify plugin: its content-type parser and hooks stay inside it. */
export async function whipRoutes(app: FastifyInstance, options: { ingestPoints: IngestPoints }): Promise<void> {
  const { ingestPoints } = options;
  // The offer is read as text; any other content type is refused in the handler with 415.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addHook('onSend', async (_request, reply) => {
    if (reply.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="estrad-whip"');
  });

  app.options('/whip/:ingestPointId', { config: { cors } }, async (_request, reply) => reply.header('accept-post', SDP).code(204).send());
  app.options('/whip/:ingestPointId/:sessionId', { config: { cors } }, async (_request, reply) => reply.code(204).send());

  app.post('/whip/:ingestPointId', { config: { cors, ...perMinute(OFFERS_PER_MINUTE).config } }, async (request, reply) => {
    const { ingestPointId } = pathParams(endpointParams, request);
    const token = bearerToken(request);
    const offer = sdpBody(request);
    const { sessionId, answer } = await ingestPoints.startWhip(ingestPointId, token, offer, request.ip);
    return reply.code(201).header('location', `/whip/${ingestPointId}/${sessionId}`).header('cache-control', 'no-store').type(SDP).send(answer);
  });

  app.delete('/whip/:ingestPointId/:sessionId', { config: { cors } }, async (request, reply) => {
    const { ingestPointId, sessionId } = pathParams(sessionParams, request);
    await ingestPoints.stopWhip(ingestPointId, sessionId, bearerToken(request));
    return reply.code(200).send();
  });

  // RFC 9725 §4.3.1: a session that supports neither trickle ICE nor ICE restarts answers PATCH with 405.
  app.patch('/whip/:ingestPointId/:sessionId', { config: { cors } }, async (_request, reply) => {
    reply.header('allow', 'DELETE, OPTIONS');
    throw new AppError(
      'method_not_allowed',
      'This WHIP server takes neither trickled candidates nor ICE restarts: its answer holds all candidates. To reconnect, POST a new offer.',
    );
  });
}

function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function sdpBody(request: FastifyRequest): string {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== SDP) throw new AppError('unsupported_media_type', `Send the offer as ${SDP} (the request's Content-Type was "${type || 'none'}").`);
  if (typeof request.body !== 'string' || request.body.length === 0) throw new AppError('invalid_payload', 'The request has no SDP offer in its body.');
  return request.body;
}
