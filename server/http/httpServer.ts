import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { Database } from 'better-sqlite3';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { CLIENT_PAGE_NAMES, CLIENT_PAGES } from '../../shared/pages.js';
import { type HealthResponse, recordIdSchema, type StagesResponse, stageIdSchema } from '../../shared/protocol.js';
import type { AccessPolicy } from '../auth/accessPolicy.js';
import type { ViewerPasses } from '../auth/viewerPasses.js';
import type { Config } from '../config/env.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import { AppError } from '../errors.js';
import type { MediaEngine } from '../media/index.js';
import { listAllStages } from '../storage/stages.js';
import { installErrorHandler } from './errors.js';
import { registerRecordingFiles } from './recordingFiles.js';
import { registerApiRoutes } from './routes/index.js';
import { registerMetricsRoute } from './routes/metrics.js';

/** What the API, the recording files and the pages need: storage, access rules, configuration. */
export interface HttpDependencies {
  config: Config;
  db: Database;
  policy: AccessPolicy;
  passes: ViewerPasses;
  logger: Logger;
  version: string;
  /** The built client (dist/client). */
  clientDir: string;
}

/** What the routes about live media add (/healthz, /api/stages, /metrics): the stages and workers. */
export interface LiveMediaDependencies {
  registry: StageRegistry;
  media: MediaEngine;
}

/** Bounds every body; routes that take bigger documents (a programme import) raise it. */
const BODY_LIMIT_BYTES = 64 * 1024;
const startedAt = Date.now();

export async function buildHttpServer(deps: HttpDependencies & LiveMediaDependencies): Promise<FastifyInstance> {
  const app = await buildApiServer(deps);
  registerLiveMediaRoutes(app, deps);
  return app;
}

/**
 * The server without the routes about live media: everything else works without a mediasoup
 * worker, which is how the fast tests (test/http) build it, on a real database.
 */
export async function buildApiServer(deps: HttpDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // Not redundant: it makes the instance's type FastifyInstance's default, with its base logger.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: deps.config.http.trustProxy,
  });
  installErrorHandler(app);
  await registerSecurity(app, deps.config);
  registerApiRoutes(app, deps);
  await registerRecordingFiles(app, deps);
  await registerClientPages(app, deps.clientDir);
  return app;
}

function registerLiveMediaRoutes(app: FastifyInstance, deps: Pick<HttpDependencies, 'config' | 'db' | 'version'> & LiveMediaDependencies): void {
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

  registerMetricsRoute(app, deps);
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

async function registerClientPages(app: FastifyInstance, clientDir: string): Promise<void> {
  if (!existsSync(clientDir)) {
    throw new Error(`The client is not built (no ${clientDir}); run "npm run build" first.`);
  }
  await app.register(fastifyStatic, { root: clientDir, index: 'index.html', wildcard: false });
  for (const page of CLIENT_PAGE_NAMES) {
    const idKind = CLIENT_PAGES[page];
    if (!idKind) continue;
    app.get<{ Params: { id: string } }>(`/${page}/:id`, (request, reply) => {
      const { id } = request.params;
      if (idKind === 'stage' && !stageIdSchema.safeParse(id).success) throw new AppError('not_found', `"${id}" is not a valid stage name.`);
      if (idKind === 'record' && !recordIdSchema.safeParse(id).success) throw new AppError('not_found', 'This address does not name a replay.');
      return reply.sendFile(`${page}.html`);
    });
  }
}
