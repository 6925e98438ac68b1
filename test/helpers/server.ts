import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type TestContext } from 'vitest';
import { freePort, freeRtcPorts, seedDemoEventIn, type SpawnOptions, spawnServer } from '../../scripts/bench/localServer.js';

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  dataDir: string;
  recordingsDir: string;
  logs(): string;
  stop(): Promise<number | null>;
}

export { freePort, freeRtcPorts };

/**
 * The loopback plain-RTP ports (RTC_MIN_PORT–RTC_MAX_PORT) are the configured default range for
 * every server: mediasoup picks a random port in it and tries another when one is taken, so
 * servers started in parallel share it safely. The same range serves an in-process MediaEngine
 * (test/integration/stage.test.ts). WebRTC's fixed RTC_PORT + n cannot be shared: spawnServer
 * finds free ones for each server (freeRtcPorts).
 */
export const TEST_PLAIN_RTP_PORTS = { min: 41000, max: 41999 } as const;

/**
 * What every test server runs with unless the test says otherwise. One mediasoup worker: the
 * figure does not follow the machine (availableParallelism), and a test about several says so.
 */
export const TEST_SERVER_DEFAULTS = { LOG_LEVEL: 'info', MEDIASOUP_WORKERS: '1' } as const;

/**
 * Starts the built server (dist/) as its own process, as `npm start` does, in fresh folders, on a
 * free port, with only the environment given here (see serverEnvironment), never the caller's.
 */
export async function startServer(env: Record<string, string> = {}, options: Pick<SpawnOptions, 'launcher' | 'detached'> = {}): Promise<RunningServer> {
  const base = mkdtempSync(join(tmpdir(), 'estrad-test-'));
  const dataDir = env.DATA_DIR ?? join(base, 'data');
  const recordingsDir = env.RECORDINGS_DIR ?? join(base, 'recordings');
  const server = await spawnServer(
    { ...TEST_SERVER_DEFAULTS, ...env, DATA_DIR: dataDir, RECORDINGS_DIR: recordingsDir },
    { ...options, keptLogChars: Number.POSITIVE_INFINITY },
  );
  return { url: server.url, port: server.port, process: server.process, dataDir, recordingsDir, logs: () => server.logs(), stop: () => server.stop() };
}

/**
 * startServer for a test that runs beside others (describe.concurrent), where a shared afterEach
 * cannot know which server is whose: every server started through it is stopped when the test
 * ends, and must exit with 0 (one the test stopped itself already has).
 */
export function startServerForTest(onTestFinished: TestContext['onTestFinished']): typeof startServer {
  const servers: RunningServer[] = [];
  onTestFinished(async () => {
    for (const server of servers) expect(await server.stop()).toBe(0);
  });
  return async (...args) => {
    const server = await startServer(...args);
    servers.push(server);
    return server;
  };
}

/**
 * A fresh data directory holding the demo event as DEMO=1 seeds it, for a server started without
 * the demo (DEMO=0): for tests that need the event (its registrations, or stages they add to it)
 * but not the demo stage's media, which costs an encoder and a transcoding recorder the whole time.
 */
export function demoEventDataDir(): string {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'estrad-test-')), 'data');
  seedDemoEventIn(dataDir);
  return dataDir;
}

/** Polls until the check passes; fails with the given description when time runs out. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string = () => 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message.startsWith('server exited')) throw error;
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  }
  throw new Error(`${describe()}${lastError instanceof Error ? `\nlast error: ${lastError.message}` : ''}`);
}

/**
 * A negative check: the check must hold on every poll for `durationMs` (call it after a positive
 * signal that what must not happen would have happened by then); fails, with the description, the
 * first time it does not.
 */
export async function holdsFor(check: () => boolean | Promise<boolean>, durationMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + durationMs;
  do {
    if (!(await check())) throw new Error(describe());
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
  } while (Date.now() < deadline);
}
