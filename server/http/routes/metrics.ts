/**
 * GET /metrics in Prometheus' text format: what the server carries (each mediasoup worker's
 * consumers and CPU, stages on air and their audience, recordings running, open alerts) next to prom-client's
 * default Node metrics. It tells operators, and the viewer benchmark, where the load goes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { alertKinds } from '../../../shared/health.js';
import { isLoopbackAddress } from '../../auth/loopback.js';
import { AppError } from '../../errors.js';
import { listUnfinishedRecordings } from '../../storage/recordings.js';
import { isStageRecorded } from '../../storage/stages.js';
import { fileAnswer } from '../apiSchemas.js';
import type { HttpDependencies, LiveMediaDependencies } from '../httpServer.js';

type MetricsDependencies = Pick<HttpDependencies, 'config' | 'db' | 'alerts'> & LiveMediaDependencies;

export const metricsRoute: FastifyPluginAsyncZod<MetricsDependencies> = async (app, deps) => {
  const metrics = serverMetrics(deps);
  app.get(
    '/metrics',
    {
      onRequest: requireMetricsAccess(deps.config.metrics.token),
      schema: {
        tags: ['Server'],
        summary: 'Prometheus metrics (METRICS_TOKEN as a bearer token, or from this machine)',
        response: fileAnswer('text/plain', "Prometheus' text format"),
      },
    },
    async (_request, reply) => {
      const text = await metrics.render();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
    },
  );
};

/**
 * Gauges are refreshed on each scrape rather than kept up to date as things happen: the figures
 * already live in the media engine, the stage registry and the database, and a scrape every few
 * seconds costs less than bookkeeping on every join.
 */
function serverMetrics({ db, media, registry: stages, ingestPoints, alerts }: MetricsDependencies) {
  // Our own registry, not prom-client's global one, so each server instance counts only itself.
  const register = new Registry();
  collectDefaultMetrics({ register });
  const registers = [register];
  const workerLabels = ['worker', 'pid'] as const;
  const workerUp = new Gauge({
    name: 'estrad_mediasoup_worker_up',
    help: '1 while the mediasoup worker process is alive, 0 once it died (until it is replaced).',
    labelNames: workerLabels,
    registers,
  });
  const workerConsumers = new Gauge({
    name: 'estrad_mediasoup_worker_consumers',
    help: 'Consumers (one per viewer and track) placed on the mediasoup worker.',
    labelNames: workerLabels,
    registers,
  });
  const workerCpu = new Counter({
    name: 'estrad_mediasoup_worker_cpu_seconds_total',
    help: 'User plus system CPU time the mediasoup worker process has used since it started.',
    labelNames: workerLabels,
    registers,
  });
  const stagesLive = new Gauge({ name: 'estrad_stages_live', help: 'Stages with something on air.', registers });
  const stageViewers = new Gauge({ name: 'estrad_stage_viewers', help: 'Viewers joined to the stage.', labelNames: ['stage'], registers });
  const stageSpeakers = new Gauge({ name: 'estrad_stage_speakers', help: 'Speakers joined to the stage.', labelNames: ['stage'], registers });
  const recordingsActive = new Gauge({ name: 'estrad_recordings_active', help: 'Recordings being written now.', registers });
  const stagesUnrecorded = new Gauge({
    name: 'estrad_stages_on_air_unrecorded',
    help: 'Stages of the programme with something on air but no recording being written (after a recorder failure); alert when above 0 for more than a few seconds.',
    registers,
  });

  const feedSwitches = new Counter({
    name: 'estrad_ingest_feed_switches_total',
    help: 'Times the stage switched between its main and backup ingest feeds, by the feed switched to; each one is an alert.',
    labelNames: ['stage', 'to'],
    registers,
  });

  const alertsOpen = new Gauge({
    name: 'estrad_alerts_open',
    help: 'Alerts of the control room not acknowledged yet, by kind (GET /api/alerts lists them).',
    labelNames: ['kind'],
    registers,
  });

  function refreshAlerts(): void {
    alertsOpen.reset();
    for (const kind of alertKinds) alertsOpen.set({ kind }, 0);
    for (const alert of alerts.open()) alertsOpen.inc({ kind: alert.kind });
  }

  function refreshFeedSwitches(): void {
    feedSwitches.reset();
    for (const { stageId, switches } of ingestPoints.feedSwitchCounts()) {
      for (const [to, count] of Object.entries(switches)) feedSwitches.inc({ stage: stageId, to }, count);
    }
  }

  async function refreshWorkers(): Promise<void> {
    const workers = await media.workerStats();
    // A replaced worker has a new pid: its old series must go, not linger at their last values.
    for (const metric of [workerUp, workerConsumers, workerCpu]) metric.reset();
    for (const worker of workers) {
      const labels = { worker: String(worker.id), pid: String(worker.pid) };
      workerUp.set(labels, worker.alive ? 1 : 0);
      workerConsumers.set(labels, worker.consumers);
      workerCpu.inc(labels, worker.cpuMs / 1000);
    }
  }

  function refreshStages(): void {
    const summaries = stages.list();
    stagesLive.set(summaries.filter((stage) => stage.live).length);
    stageViewers.reset();
    stageSpeakers.reset();
    for (const stage of summaries) {
      stageViewers.set({ stage: stage.id }, stage.viewers);
      stageSpeakers.set({ stage: stage.id }, stage.speakers);
    }
    const unfinished = listUnfinishedRecordings(db);
    recordingsActive.set(unfinished.length);
    const recording = new Set(unfinished.map((found) => found.stageId));
    // Stages outside the programme are never recorded (see RecordingManager), and those whose
    // recording the technicians stopped are not to be: neither is missing a recording.
    stagesUnrecorded.set(summaries.filter((stage) => stage.live && !recording.has(stage.id) && isStageRecorded(db, stage.id) === true).length);
  }

  return {
    contentType: register.contentType,
    async render(): Promise<string> {
      await refreshWorkers();
      refreshStages();
      refreshFeedSwitches();
      refreshAlerts();
      return register.metrics();
    },
  };
}

/**
 * With METRICS_TOKEN: the token as a bearer credential, from anywhere. Without: only this
 * machine, and only directly; a request a local reverse proxy forwarded may come from anywhere.
 */
function requireMetricsAccess(token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (token !== undefined) {
      if (bearerTokenMatches(request.headers.authorization, token)) return;
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AppError('unauthorized', 'Send the METRICS_TOKEN of this server as "Authorization: Bearer <token>".');
    }
    if (isDirectFromLoopback(request)) return;
    throw new AppError(
      'forbidden',
      '/metrics answers only this machine while METRICS_TOKEN is unset; set METRICS_TOKEN on the server and send it as "Authorization: Bearer <token>".',
    );
  };
}

const BEARER_PREFIX = /^Bearer\s+/i;

function bearerTokenMatches(header: string | undefined, token: string): boolean {
  if (!header || !BEARER_PREFIX.test(header)) return false;
  // Hashing first gives equal lengths, which timingSafeEqual needs, without revealing the token's.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(header.replace(BEARER_PREFIX, '').trim()), digest(token));
}

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

function isDirectFromLoopback(request: FastifyRequest): boolean {
  // The socket's peer, not request.ip: with TRUST_PROXY that is whatever X-Forwarded-For claims.
  const address = request.socket.remoteAddress;
  if (!address || FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined)) return false;
  return isLoopbackAddress(address);
}
