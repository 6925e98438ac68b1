/**
 * Routes carry their zod schemas (request and response) as Fastify route schemas: the same
 * schemas validate what comes in, check what goes out, and make the OpenAPI document at
 * /docs/json (with Swagger UI at /docs, served from this server).
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorResponseSchema } from '../../shared/protocol.js';
import { AppError } from '../errors.js';
import { parseInput } from '../validation.js';

export const DOCS_PREFIX = '/docs';

/** How an error message names the part of the request that was wrong. */
const requestPartNames: Record<string, string> = { body: 'body', params: 'path', querystring: 'query', headers: 'headers' };

/** Request parts are parsed by their schemas (with defaults and transforms); answers are checked by theirs. */
export function useZodSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler<z.ZodType>(({ schema, httpPart }) => (data) => {
    try {
      return { value: parseInput(schema, data, requestPartNames[httpPart ?? ''] ?? 'request') };
    } catch (error) {
      return { error: error as AppError };
    }
  });
  app.setSerializerCompiler<z.ZodType>(({ schema, method, url }) => (data) => {
    // Parsed rather than encoded: programme documents carry one-way transforms (times to UTC),
    // and an answer's parse gives the answer itself.
    const checked = schema.safeParse(data);
    if (!checked.success) throw new ResponseShapeError(`${method} ${url}: ${z.prettifyError(checked.error)}`);
    return JSON.stringify(checked.data);
  });
}

/** An answer that does not match its route's schema: a bug, reported as `internal`. */
export class ResponseShapeError extends Error {
  override name = 'ResponseShapeError';
}

/** The error answers every route may give, `{ error: { code, message } }`, next to its own. */
export function withErrors<R extends Record<number, z.ZodType>>(responses: R) {
  return { ...responses, '4xx': apiErrorResponseSchema, '5xx': apiErrorResponseSchema };
}

/** A 204 answer with no body. */
export const noContent = z.undefined().describe('Done; no content.');

/** A route that answers something other than JSON (a playlist, a CSV file, an MP4). */
export function fileAnswer(contentType: string, description: string): FastifySchema['response'] {
  return { 200: { description, content: { [contentType]: { schema: z.string() } } }, '4xx': apiErrorResponseSchema };
}

/** Hidden from the OpenAPI document: pages and files, not API. */
export const notApi = { schema: { hide: true } };

export async function registerApiDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Estrad',
        version,
        description:
          'Live digital conferences: events, stages, speakers, registrations, recordings and replays. ' +
          'Technicians sign in with POST /api/auth/login; the session cookie it sets authorises the technician routes. ' +
          'Every error answers { "error": { "code", "message" } }.',
      },
      components: {
        securitySchemes: {
          technicianSession: { type: 'apiKey', in: 'cookie', name: 'estrad_session' },
          // A moderator link's token (POST /api/stages/:stageId/moderator-invites), for that stage's moderation routes.
          moderatorInvite: { type: 'apiKey', in: 'header', name: 'X-Estrad-Invite' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    // No badge from validator.swagger.io: the page loads nothing from elsewhere. No top bar: its
    // logo brings an inline <style> that the CSP (style-src 'self') refuses.
    uiConfig: { validatorUrl: null, layout: 'BaseLayout' },
  });
}
