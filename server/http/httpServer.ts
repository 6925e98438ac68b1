import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { Database } from 'better-sqlite3';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { type PageParam, pages } from '../../shared/pages.js';
import { healthResponseSchema, recordIdSchema, stageIdSchema, stagesResponseSchema } from '../../shared/protocol.js';
import type { AccessPolicy } from '../auth/accessPolicy.js';
import type { ViewerPasses } from '../auth/viewerPasses.js';
import type { Config } from '../config/env.js';
import type { Ffmpeg } from '../config/ffmpeg.js';
import type { ChatRoom } from '../audience/chatRoom.js';
import type { PollBoard } from '../audience/pollBoard.js';
import type { QuestionBoard } from '../audience/questionBoard.js';
import type { TalkOnAirDesk } from '../audience/talkOnAir.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { AlertCenter } from '../health/alertCenter.js';
import type { HealthMonitor } from '../health/healthMonitor.js';
import type { HlsAudience } from '../health/hlsAudience.js';
import type { IngestPoints } from '../ingest/ingestPoints.js';
import { AppError } from '../errors.js';
import type { MediaEngine } from '../media/index.js';
import type { RecordingControl } from '../recording/recordingControl.js';
import type { SlateDirector } from '../slate/slateDirector.js';
import { listAllStages } from '../storage/stages.js';
import { notApi, registerApiDocs, useZodSchemas, withErrors } from './apiSchemas.js';
import { proxyTrust } from './clientAddress.js';
import { acceptOnlyUtf8Json, answerClientError, answerFrameworkError, installErrorHandler, requireValidHost } from './errors.js';
import { rememberAccess } from './guards.js';
import { registerRecordingFiles } from './recordingFiles.js';
import { registerApiRoutes } from './routes/index.js';
import { auditTechnicianActions, refuseCrossSiteChanges } from './technicianGuards.js';
import { ingestPointRoutes } from './routes/ingestPoints.js';
import { healthRoute } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { programRoutes } from './routes/program.js';
import { slateRoutes } from './routes/slate.js';
import { speakerRoutes } from './routes/speakers.js';
import { stageFeedRoutes } from './routes/stageFeeds.js';
import { whipRoutes } from './routes/whip.js';

/** What the API, the recording files and the pages need: storage, access rules, configuration. */
export interface HttpDependencies {
  config: Config;
  /** For replay downloads (an MP4 made from the segments). */
  ffmpeg: Ffmpeg;
  db: Database;
  policy: AccessPolicy;
  passes: ViewerPasses;
  questions: QuestionBoard;
  polls: PollBoard;
  /** The talk on air on each stage, which the control room sets. */
  onAir: TalkOnAirDesk;
  /** Recording on and off per stage, chapter markers. */
  recordingControl: RecordingControl;
  chat: ChatRoom;
  logger: Logger;
  version: string;
  /** The built client (dist/client). */
  clientDir: string;
  alerts: AlertCenter;
  /** Told of every fetch of a live recording's playlist: the control room counts HLS viewers. */
  hlsAudience: HlsAudience;
}

/** What the routes about live media add (/healthz, /api/stages, /metrics): the stages and workers. */
export interface LiveMediaDependencies {
  registry: StageRegistry;
  media: MediaEngine;
  /** The stages' SRT/RTMP listeners: their routes need them running, so they are with the live media. */
  ingestPoints: IngestPoints;
  /** What is wrong with the database's files (see DatabaseGuard), undefined while all is well: /healthz says it. */
  storageProblem: () => string | undefined;
  health: HealthMonitor;
  /** Each stage's slate, which the program shows instead of black. */
  slates: SlateDirector;
}

/** Bounds every body; routes that take bigger documents (a programme import) raise it. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** Time a client has for its request line and headers, and for the whole request (bodies are small). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** Between requests on a kept-alive connection; browsers reuse sooner or open a new one. */
const KEEP_ALIVE_MS = 5_000;
const startedAt = Date.now();

export async function buildHttpServer(deps: HttpDependencies & LiveMediaDependencies): Promise<FastifyInstance> {
  const app = await buildApiServer(deps);
  await app.register(liveMediaRoutes, deps);
  await app.register(metricsRoute, deps);
  await app.register(healthRoute, deps);
  await app.register(ingestPointRoutes, deps);
  await app.register(stageFeedRoutes, deps);
  await app.register(speakerRoutes, deps);
  await app.register(programRoutes, deps);
  await app.register(slateRoutes, deps);
  await app.register(whipRoutes, { ingestPoints: deps.ingestPoints });
  return app;
}

/**
 * The server without the routes about live media: everything else works without a mediasoup
 * worker, which is how the fast tests (test/http) build it, on a real database. `observe` sees
 * each route as it is added (the OpenAPI test compares them with the document).
 */
export async function buildApiServer(deps: HttpDependencies, observe?: { onRoute?: (route: RouteOptions) => void }): Promise<FastifyInstance> {
  const idleMs = deps.config.limits.httpIdleTimeoutMs;
  const app = Fastify({
    // Not redundant: it makes the instance's type FastifyInstance's default, with its base logger.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: proxyTrust(deps.config.http.trustProxy),
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Node would answer a missing Host with an empty 400; requireValidHost answers it in our shape.
    http: { requireHostHeader: false },
    // Each open connection costs a file descriptor: one that says nothing (or dawdles over its
    // request) is closed, so idle connections cannot use up the process's limit. WebSockets
    // (socket.io) leave this timeout once upgraded and are kept alive by socket.io's pings.
    connectionTimeout: idleMs,
    keepAliveTimeout: Math.min(KEEP_ALIVE_MS, idleMs),
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  app.server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, idleMs);
  if (observe?.onRoute) app.addHook('onRoute', observe.onRoute);
  installErrorHandler(app);
  requireValidHost(app);
  acceptOnlyUtf8Json(app);
  await registerSecurity(app, deps.config);
  refuseCrossSiteChanges(app, deps.config.http.corsOrigins);
  auditTechnicianActions(app, deps);
  useZodSchemas(app);
  await registerApiDocs(app, deps.version);
  await registerApiRoutes(app, deps);
  await registerRecordingFiles(app, deps);
  await registerClientPages(app, deps);
  return app;
}

/** What the server carries now: its health and the stages' live state. */
const liveMediaRoutes: FastifyPluginAsyncZod<LiveMediaDependencies & Pick<HttpDependencies, 'db' | 'version'>> = async (app, deps) => {
  app.get(
    '/healthz',
    { schema: { tags: ['Server'], summary: 'Health: mediasoup workers and storage', response: { 200: healthResponseSchema, 503: healthResponseSchema } } },
    async (_request, reply) => {
      const workersAlive = deps.media.workersAlive();
      const storageProblem = deps.storageProblem();
      const healthy = workersAlive > 0 && storageProblem === undefined;
      return reply.code(healthy ? 200 : 503).send({
        status: healthy ? 'ok' : 'degraded',
        version: deps.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        mediasoup: { workersAlive, workersConfigured: deps.media.workersConfigured },
        storage: storageProblem === undefined ? { ok: true } : { ok: false, problem: storageProblem },
      });
    },
  );

  app.get(
    '/api/stages',
    { schema: { tags: ['Stages'], summary: 'Every stage with its live state and audience', response: withErrors({ 200: stagesResponseSchema }) } },
    async () => ({
      stages: listAllStages(deps.db).map((stage) => ({
        ...(deps.registry.get(stage.id)?.summary() ?? { id: stage.id, live: false, viewers: 0, speakers: 0 }),
        title: stage.title,
        eventId: stage.eventId,
      })),
    }),
  );
};

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
        // Only the embed page may be framed by other sites (EMBED_ORIGINS): see framableBy.
        frameAncestors: ["'self'"],
        // Off: it would turn http://<lan-address> requests into https ones that nothing answers.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

const pageParamSchemas: Record<PageParam, { schema: z.ZodType<string>; notFound: (value: string) => string }> = {
  stage: { schema: stageIdSchema, notFound: (value) => `"${value}" is not a valid stage name.` },
  record: { schema: recordIdSchema, notFound: () => 'This address does not name a replay.' },
};

/**
 * Every page of shared/pages.ts at its addresses. A page opened from a personal link (?access=)
 * leaves its token in the browser's cookie jar.
 */
async function registerClientPages(app: FastifyInstance, deps: HttpDependencies): Promise<void> {
  const { clientDir } = deps;
  if (!existsSync(clientDir)) {
    throw new Error(`The client is not built (no ${clientDir}); run "npm run build" first.`);
  }
  await app.register(fastifyStatic, { root: clientDir, index: 'index.html', wildcard: false });
  for (const page of pages) {
    for (const route of page.routes) {
      app.get<{ Params: { param?: string }; Querystring: { access?: unknown } }>(route.path, notApi, (request, reply) => {
        const { param } = request.params;
        if (route.param && param !== undefined) {
          const { schema, notFound } = pageParamSchemas[route.param];
          if (!schema.safeParse(param).success) throw new AppError('not_found', notFound(param));
        }
        if (page.remembersAccess) rememberAccess(deps, request, reply, accessInQuery(request.query));
        if (page.framable) framableBy(reply, deps.config.http.embedOrigins);
        return reply.sendFile(`${page.name}.html`);
      });
    }
  }
}

/**
 * Lets these origins (and the server's own pages) frame this answer: helmet has already set the
 * page CSP, whose frame-ancestors says 'self'; X-Frame-Options goes, since it cannot name origins.
 */
function framableBy(reply: FastifyReply, origins: readonly string[]): void {
  const policy = String(reply.getHeader('content-security-policy') ?? '');
  const ancestors = `frame-ancestors ${["'self'", ...origins].join(' ')}`;
  reply.header('content-security-policy', policy.replace(/frame-ancestors [^;]*/, ancestors));
  reply.removeHeader('x-frame-options');
}

function accessInQuery(query: { access?: unknown }): string | undefined {
  return typeof query.access === 'string' && query.access.length <= 128 ? query.access : undefined;
}
