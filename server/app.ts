import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import { Ffmpeg } from './config/ffmpeg.js';
import { AccessPolicy } from './auth/accessPolicy.js';
import { IngestKeys } from './auth/ingestKeys.js';
import { ViewerPasses } from './auth/viewerPasses.js';
import { PendingTransports } from './domain/pendingTransports.js';
import { AlertCenter } from './health/alertCenter.js';
import { HealthMonitor } from './health/healthMonitor.js';
import { HlsAudience } from './health/hlsAudience.js';
import { WebhookDispatcher } from './health/webhookDispatcher.js';
import { StageRegistry } from './domain/stageRegistry.js';
import { proxyTrust } from './http/clientAddress.js';
import { buildHttpServer } from './http/httpServer.js';
import { DemoSourceProcess } from './ingest/demoSourceProcess.js';
import { IngestPoints } from './ingest/ingestPoints.js';
import { MediaEngine } from './media/index.js';
import { recoverInterruptedRecordings } from './recording/crashRecovery.js';
import { RecordingControl } from './recording/recordingControl.js';
import { RecordingManager } from './recording/recordingManager.js';
import { ChatRoom } from './audience/chatRoom.js';
import { PollBoard } from './audience/pollBoard.js';
import { QuestionBoard } from './audience/questionBoard.js';
import { TalkOnAirDesk } from './audience/talkOnAir.js';
import { RecordingRetention } from './recording/retention.js';
import { PeersPerAddress } from './signalling/peersPerAddress.js';
import { SlateDirector } from './slate/slateDirector.js';
import {
  attachSignalling,
  type SignallingServer,
  socketChatNotifier,
  socketHealthNotifier,
  socketNotifier,
  socketOnAirNotifier,
  socketPollNotifier,
  socketQuestionNotifier,
  socketRecordingNotifier,
} from './signalling/socketServer.js';
import { backstageStore } from './storage/backstage.js';
import { openDatabase, type Database } from './storage/database.js';
import { DatabaseGuard } from './storage/databaseGuard.js';
import { DEMO_STAGE_ID, seedDemoEvent } from './storage/seed.js';
import { getStage } from './storage/stages.js';
import { limitPasswordHashing } from './storage/passwords.js';
import { cleanUpAfterRestart } from './storage/startup.js';
import { createTechnician, findTechnicianByUsername } from './storage/technicians.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/server/app.js → dist/client and the package root. */
const defaultClientDir = resolve(here, '../client');
const packageRoot = resolve(here, '../..');

export interface Estrad {
  url: string;
  close(): Promise<void>;
}

/** Starts the whole server; `close` undoes it in reverse order. */
export async function startEstrad(config: Config, logger: Logger): Promise<Estrad> {
  // RECORDINGS_DIR is the recorder's to create: when it cannot be, recordings fail, not the server.
  limitPasswordHashing({ concurrency: config.limits.passwordHashConcurrency, queue: config.limits.passwordHashQueue });
  mkdirSync(config.dataDir, { recursive: true });
  const db = await openStorage(config, logger);
  const databaseGuard = new DatabaseGuard(db, logger);
  databaseGuard.start();
  await ensureFirstTechnician(db, config, logger);
  const passes = ViewerPasses.fromDataDir(config.dataDir);
  const ingestKeys = IngestKeys.fromDataDir(config.dataDir);
  const policy = new AccessPolicy(db, passes, ingestKeys);
  // Found once: every part that runs ffmpeg runs this one.
  const ffmpeg = Ffmpeg.find(config.ffmpegPath);

  const media = await MediaEngine.start(
    {
      workers: config.mediasoup.workers,
      rtc: {
        ...config.rtc,
        consumerBudgetPerWorker: config.mediasoup.consumerBudgetPerWorker,
      },
    },
    logger,
  );
  let io: SignallingServer | undefined;
  const signalling = () => {
    if (!io) throw new Error('signalling is not attached yet');
    return io;
  };
  const registry = new StageRegistry({
    media,
    logger,
    pendingTransports: new PendingTransports({
      connectTimeoutMs: config.limits.transportConnectTimeoutMs,
      perAddress: config.limits.pendingTransportsPerAddress,
    }),
    notifier: socketNotifier(signalling),
    lineupStore: backstageStore(db),
  });
  const recordingControl = new RecordingControl({ db, recordingsDir: config.recordingsDir, notifier: socketRecordingNotifier(signalling) });
  const recorder = new RecordingManager({
    db,
    registry,
    recordingsDir: config.recordingsDir,
    ffmpeg,
    logger,
    control: recordingControl,
  });
  // The stages' slates: shown instead of black when nothing runs on air, recorded while live.
  const slates = new SlateDirector({ db, dataDir: config.dataDir, ffmpeg, registry, logger });
  const retention = new RecordingRetention({ db, recordingsDir: config.recordingsDir, logger });
  // Before the ingest points, which raise an alert at each feed switch.
  const { alerts, health, hlsAudience, webhooks } = watchHealth(db, registry, media, config, logger, socketHealthNotifier(signalling));
  const ingestPoints = new IngestPoints({
    db,
    keys: ingestKeys,
    registry,
    srtPorts: config.ingest.srtPorts,
    rtmpPorts: config.ingest.rtmpPorts,
    listenIp: config.host,
    maxBitrateKbps: config.ingest.maxBitrateKbps,
    ffmpeg,
    alerts,
    logger,
  });
  const questions = new QuestionBoard({
    db,
    notifier: socketQuestionNotifier(signalling),
    maxGroupSize: config.questions.maxGroupSize,
    asksPerMinute: config.rateLimitsPerMinute.question,
  });
  const polls = new PollBoard({ db, notifier: socketPollNotifier(signalling) });
  const onAir = new TalkOnAirDesk({ db, notifier: socketOnAirNotifier(signalling), logger });
  const chat = new ChatRoom({ db, notifier: socketChatNotifier(signalling), messagesPerMinute: config.rateLimitsPerMinute.chat });
  const http = await buildHttpServer({
    config,
    ffmpeg,
    db,
    policy,
    questions,
    polls,
    onAir,
    recordingControl,
    chat,
    passes,
    registry,
    media,
    ingestPoints,
    logger,
    version: packageVersion(),
    clientDir: defaultClientDir,
    storageProblem: () => databaseGuard.problem(),
    alerts,
    health,
    hlsAudience,
    slates,
  });
  io = attachSignalling(http.server, {
    registry,
    policy,
    db,
    logger,
    allowedOrigins: config.http.corsOrigins,
    trustProxy: proxyTrust(config.http.trustProxy),
    peersPerAddress: new PeersPerAddress(config.limits.peersPerAddress),
    questions,
    polls,
    health,
    alerts,
    chat,
  });
  await http.listen({ port: config.port, host: config.host });
  ingestPoints.start();
  retention.start();
  webhooks.start();
  health.start();
  const url = `http://127.0.0.1:${config.port}`;

  // The demo runs on the seeded stage; organisers who deleted it have no demo to run.
  const demo = config.demo.enabled && getStage(db, DEMO_STAGE_ID) ? startDemo(url, config, ffmpeg, registry, policy, logger) : undefined;

  let closing: Promise<void> | undefined;
  return {
    url,
    // Idempotent: a second call waits for the first.
    close: () => (closing ??= closeAll()),
  };

  async function closeAll(): Promise<void> {
    // Nothing that ends from now on is started again, whatever ended it (Ctrl+C signals the
    // workers and the demo source too).
    media.beginClosing();
    // Not judged while it stops: workers and feeds ending now are not alerts.
    health.close();
    retention.close();
    demo?.stopRestarting();
    slates.stopRestarting();
    ingestPoints.beginClosing();
    // First, while media still flows: each recording gets its last segment and ends complete.
    await recorder.close();
    await slates.close();
    await demo?.stop();
    await ingestPoints.close();
    questions.close();
    polls.close();
    chat.close();
    io?.disconnectSockets(true);
    await registry.closeAll();
    await http.close();
    media.close();
    webhooks.close();
    databaseGuard.stop();
    db.close();
  }
}

/** The control room's health view, its alerts and their webhooks. */
function watchHealth(
  db: Database,
  registry: StageRegistry,
  media: MediaEngine,
  config: Config,
  logger: Logger,
  notifier: ReturnType<typeof socketHealthNotifier>,
) {
  const webhooks = new WebhookDispatcher({ db, logger: logger.child({ component: 'webhooks' }) });
  const alerts = new AlertCenter({ db, notifier, webhooks, logger: logger.child({ component: 'alerts' }) });
  const hlsAudience = new HlsAudience();
  const health = new HealthMonitor({ db, registry, media, hlsAudience, alerts, notifier, recordingsDir: config.recordingsDir, logger });
  return { alerts, health, hlsAudience, webhooks };
}

async function openStorage(config: Config, logger: Logger): Promise<Database> {
  const db = openDatabase(config.dataDir);
  // Before cleanUpAfterRestart marks them interrupted: recordings cut off by a crash also get the
  // segments their runs wrote and a closed playlist.
  await recoverInterruptedRecordings(db, config.recordingsDir, logger);
  const cleaned = cleanUpAfterRestart(db);
  if (cleaned.viewingsClosed > 0 || cleaned.recordingsInterrupted > 0) logger.warn(cleaned, 'cleaned up after an unclean stop');
  if (config.demo.enabled && seedDemoEvent(db)) logger.info('created the demo event');
  return db;
}

/** ADMIN_USERNAME/ADMIN_PASSWORD: a way in on a fresh install without the CLI. */
async function ensureFirstTechnician(db: Database, config: Config, logger: Logger): Promise<void> {
  if (!config.admin || findTechnicianByUsername(db, config.admin.username)) return;
  await createTechnician(db, config.admin.username, config.admin.password);
  logger.info({ technician: config.admin.username }, 'created the technician from ADMIN_USERNAME');
}

function startDemo(url: string, config: Config, ffmpeg: Ffmpeg, registry: StageRegistry, policy: AccessPolicy, logger: Logger): DemoSourceProcess {
  registry.open(DEMO_STAGE_ID, { persistent: true });
  const demo = new DemoSourceProcess(
    {
      script: resolve(packageRoot, 'dist/scripts/demo-source.js'),
      serverUrl: url,
      stageId: DEMO_STAGE_ID,
      ingestKey: policy.ingestKeyFor(DEMO_STAGE_ID),
      codec: config.demo.codec,
      // The demo needs ffmpeg: without one the server does not start with DEMO on.
      ffmpegPath: ffmpeg.runnablePath(),
    },
    logger,
  );
  demo.start();
  return demo;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
