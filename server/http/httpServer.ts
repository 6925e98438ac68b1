import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { Database } from 'better-sqlite3';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type HealthResponse, recordIdSchema, type StagesResponse, stageIdSchema } from '../../shared/protocol.js';
import type { AccessPolicy } from '../auth/accessPolicy.js';
import type { ViewerPasses } from '../auth/viewerPasses.js';
import type { Config } from '../config/env.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { IngestPoints } from '../ingest/ingestPoints.js';
import { AppError } from '../errors.js';
import type { MediaEngine } from '../media/index.js';
import { listAllStages } from '../storage/stages.js';
import { proxyTrust } from './clientAddress.js';
import { acceptOnlyUtf8Json, answerClientError, answerFrameworkError, installErrorHandler, requireValidHost } from './errors.js';
import { rememberAccess } from './guards.js';
import { registerRecordingFiles } from './recordingFiles.js';
import { registerApiRoutes } from './routes/index.js';

export interface HttpDependencies {
  config: Config;
  db: Database;
  policy: AccessPolicy;
  passes: ViewerPasses;
  registry: StageRegistry;
  media: MediaEngine;
  ingestPoints: IngestPoints;
  logger: Logger;
  version: string;
  /** The built client (dist/client). */
  clientDir: string;
}

/** Bounds every body; routes that take bigger documents (a programme import) raise it. */
const BODY_LIMIT_BYTES = 64 * 1024;
const startedAt = Date.now();

export async function buildHttpServer(deps: HttpDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: proxyTrust(deps.config.http.trustProxy),
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Node would answer a missing Host with an empty 400; requireValidHost answers it in our shape.
    http: { requireHostHeader: false },
  });
  installErrorHandler(app);
  requireValidHost(app);
  acceptOnlyUtf8Json(app);
  await registerSecurity(app, deps.config);

  app.get('/healthz', async (_request, reply): Promise<HealthResponse> => {
    const workersAlive = deps.media.workersAlive();
    reply.code(workersAlive > 0 ? 200 : 503);
    return {
      status: workersAlive > 0 ? 'ok' : 'degraded',
      version: deps.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      mediasoup: { workersAlive, workersConfigured: deps.media.workersConfigured },
    };
  });

  app.get('/api/stages', async (): Promise<StagesResponse> => ({
    stages: listAllStages(deps.db).map((stage) => ({
      ...(deps.registry.get(stage.id)?.summary() ?? { id: stage.id, live: false, viewers: 0, speakers: 0 }),
      title: stage.title,
      eventId: stage.eventId,
    })),
  }));

  registerApiRoutes(app, deps);
  await registerRecordingFiles(app, deps);
  await registerClientPages(app, deps);
  return app;
}

async function registerSecurity(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyCors, { origin: config.http.corsOrigins.length > 0 ? config.http.corsOrigins : false, credentials: true });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        // Players attach MediaStreams and (for HLS) MediaSource blobs.
        mediaSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'self'", ...config.http.corsOrigins],
        // Off: it would turn http://<lan-address> requests into https ones that nothing answers.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

/** A page opened from a personal link (?access=) leaves its token in the browser's cookie jar. */
async function registerClientPages(app: FastifyInstance, deps: HttpDependencies): Promise<void> {
  const { clientDir } = deps;
  if (!existsSync(clientDir)) {
    throw new Error(`The client is not built (no ${clientDir}); run "npm run build" first.`);
  }
  await app.register(fastifyStatic, { root: clientDir, index: 'index.html', wildcard: false });
  for (const page of ['watch', 'speak'] as const) {
    app.get<{ Params: { stageId: string }; Querystring: { access?: unknown } }>(`/${page}/:stageId`, (request, reply) => {
      if (!stageIdSchema.safeParse(request.params.stageId).success) {
        throw new AppError('not_found', `"${request.params.stageId}" is not a valid stage name.`);
      }
      rememberAccess(deps, request, reply, accessInQuery(request.query));
      return reply.sendFile(`${page}.html`);
    });
  }
  app.get<{ Params: { id: string }; Querystring: { access?: unknown } }>('/replay/:id', (request, reply) => {
    if (!recordIdSchema.safeParse(request.params.id).success) throw new AppError('not_found', 'This address does not name a replay.');
    rememberAccess(deps, request, reply, accessInQuery(request.query));
    return reply.sendFile('replay.html');
  });
}

function accessInQuery(query: { access?: unknown }): string | undefined {
  return typeof query.access === 'string' && query.access.length <= 128 ? query.access : undefined;
}
