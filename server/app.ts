import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import { resolveFfmpegPath } from './config/ffmpeg.js';
import { StageRegistry } from './domain/stageRegistry.js';
import { buildHttpServer } from './http/httpServer.js';
import { DemoSourceProcess } from './ingest/demoSourceProcess.js';
import { MediaEngine } from './media/index.js';
import { attachSignalling, type SignallingServer, socketNotifier } from './signalling/socketServer.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/server/app.js → dist/client and the package root. */
const defaultClientDir = resolve(here, '../client');
const packageRoot = resolve(here, '../..');

export interface Estrad {
  url: string;
  close(): Promise<void>;
}

export const DEMO_STAGE_ID = 'demo';

/** Starts the whole server; `close` undoes it in reverse order. */
export async function startEstrad(config: Config, logger: Logger): Promise<Estrad> {
  for (const dir of [config.dataDir, config.recordingsDir]) mkdirSync(dir, { recursive: true });

  const media = await MediaEngine.start(
    {
      workers: config.mediasoup.workers,
      rtcMinPort: config.rtc.minPort,
      rtcMaxPort: config.rtc.maxPort,
      rtc: {
        listenIp: config.rtc.listenIp,
        announcedIp: config.rtc.announcedIp,
        consumerBudgetPerWorker: config.mediasoup.consumerBudgetPerWorker,
      },
    },
    logger,
  );
  let io: SignallingServer | undefined;
  const registry = new StageRegistry({
    media,
    logger,
    notifier: socketNotifier(() => {
      if (!io) throw new Error('signalling is not attached yet');
      return io;
    }),
  });
  const http = await buildHttpServer({ registry, media, logger, version: packageVersion(), clientDir: defaultClientDir });
  io = attachSignalling(http.server, registry, logger);
  await http.listen({ port: config.port, host: config.host });
  const url = `http://127.0.0.1:${config.port}`;

  const demo = config.demo.enabled
    ? startDemo(url, config, registry, logger)
    : undefined;

  return {
    url,
    async close() {
      await demo?.stop();
      io?.disconnectSockets(true);
      await registry.closeAll();
      await http.close();
      media.close();
    },
  };
}

function startDemo(url: string, config: Config, registry: StageRegistry, logger: Logger): DemoSourceProcess {
  registry.open(DEMO_STAGE_ID, { persistent: true });
  const demo = new DemoSourceProcess(
    {
      script: resolve(packageRoot, 'dist/scripts/demo-source.js'),
      serverUrl: url,
      stageId: DEMO_STAGE_ID,
      codec: config.demo.codec,
      ffmpegPath: resolveFfmpegPath(config.ffmpegPath),
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
