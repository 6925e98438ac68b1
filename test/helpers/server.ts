import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { freePort } from '../../scripts/bench/localServer.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const serverEntry = join(root, 'dist/server/main.js');

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  dataDir: string;
  recordingsDir: string;
  logs(): string;
  stop(): Promise<number | null>;
}

export { freePort };

let nextRtcPortBase = 42000;

export interface StartOptions {
  /** A command the server runs under, e.g. ['prlimit', '--nofile=256:4096', '--']; it must exec node. */
  launcher?: string[];
  /** In its own process group, as in a terminal of its own: signal it all with process.kill(-pid, signal). */
  detached?: boolean;
}

/** Starts the built server (dist/) as its own process, as `npm start` does, in fresh folders. */
export async function startServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningServer> {
  if (!existsSync(serverEntry)) throw new Error(`${serverEntry} is missing: run "npm run build" (npm test does) first.`);
  const port = await freePort();
  const base = mkdtempSync(join(tmpdir(), 'estrad-test-'));
  const rtcMin = nextRtcPortBase;
  nextRtcPortBase += 500;
  const dataDir = env.DATA_DIR ?? join(base, 'data');
  const recordingsDir = env.RECORDINGS_DIR ?? join(base, 'recordings');
  const [command, ...args] = [...(options.launcher ?? []), process.execPath, serverEntry];
  const child = spawn(command!, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_MIN_PORT: String(rtcMin),
      RTC_MAX_PORT: String(rtcMin + 499),
      LOG_LEVEL: 'info',
      DEMO: '0',
      ...env,
      DATA_DIR: dataDir,
      RECORDINGS_DIR: recordingsDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    return response?.ok === true;
  }, 30_000, () => `server did not become healthy:\n${output}`);
  return {
    url,
    port,
    process: child,
    dataDir,
    recordingsDir,
    logs: () => output,
    stop: () =>
      new Promise((resolveExit) => {
        if (child.exitCode !== null) return resolveExit(child.exitCode);
        child.once('exit', (code) => resolveExit(code));
        child.kill('SIGTERM');
      }),
  };
}

/** Polls until the check passes; fails with the given description when time runs out. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string = () => 'condition not met',
): Promise<void> {
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
