/**
 * Runs the built server (dist/server/main.js) for a benchmark, as `npm start` would, in temporary
 * folders on a free port, and optionally a demo source of our choosing next to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { IngestKeyResponse } from '../../shared/protocol.js';
import { INGEST_KEY_VARIABLE } from '../../server/ingest/demoSourceProcess.js';
import { openDatabase } from '../../server/storage/database.js';
import { seedDemoEvent } from '../../server/storage/seed.js';

const packageRoot = findPackageRoot(import.meta.dirname);
const serverEntry = join(packageRoot, 'dist/server/main.js');
const demoSourceEntry = join(packageRoot, 'dist/scripts/demo-source.js');
const STARTUP_TIMEOUT_MS = 30_000;
/** The server this module starts is throw-away, on loopback, so its technician can be fixed. */
const BENCH_TECHNICIAN = { username: 'bench', password: 'bench-technician-password' };
const KEPT_LOG_CHARS = 20_000;

export interface TestPattern {
  codec: 'H264' | 'VP8';
  size: string;
  fps: number;
  bitrateKbps: number;
  /** Frames that show the time they were encoded (demo-source --clock), for the latency bench. */
  clock?: boolean;
  /** The tone's pitch (demo-source --tone); 440 Hz when not given. */
  toneHz?: number;
  /** The tone alone, as one more open microphone (demo-source --microphone-only). */
  microphoneOnly?: boolean;
}

export interface LocalServerOptions {
  stageId: string;
  /**
   * Undefined: the server puts its own demo (640x360, 25 fps, 1 Mbit/s) on the `demo` stage.
   * Given: the server runs without its demo, a technician creates a public event with the stage
   * through the API, and this process runs scripts/demo-source on it with the pattern, so the
   * bench can choose resolution, codec and bitrate without a server change.
   */
  pattern: TestPattern | undefined;
  rtcPorts: { min: number; max: number };
}

export interface LocalServer {
  url: string;
  pid: number;
  /** The server's recent output, for when something goes wrong. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const folder = mkdtempSync(join(tmpdir(), 'estrad-bench-'));
  const server = await spawnServer({
    DATA_DIR: join(folder, 'data'),
    RECORDINGS_DIR: join(folder, 'recordings'),
    RTC_MIN_PORT: String(options.rtcPorts.min),
    RTC_MAX_PORT: String(options.rtcPorts.max),
    // The whole benchmark crowd comes from this machine's one address, joining many a second.
    RTC_PENDING_TRANSPORTS_PER_ADDRESS: '100000',
    RTC_PEERS_PER_ADDRESS: '1000000',
    LOG_LEVEL: 'warn',
    DEMO: options.pattern ? '0' : '1',
    ADMIN_USERNAME: BENCH_TECHNICIAN.username,
    ADMIN_PASSWORD: BENCH_TECHNICIAN.password,
  });
  const output = server.output;
  const stopAll = async () => {
    await stopProcess(source);
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  };
  let source: ChildProcess | undefined;
  try {
    if (options.pattern) {
      const ingestKey = await createBenchStage(server.url, options.stageId);
      source = startDemoSource(server.url, options.stageId, options.pattern, output, ingestKey);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { url: server.url, pid: server.process.pid!, logs: () => server.logs(), stop: stopAll };
}

export interface ServerProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** What the server printed (its last `keptLogChars`), and anything started next to it. */
  output: { text: string };
  logs(): string;
  /** SIGTERM, then the exit code (null when a signal ended it). */
  stop(): Promise<number | null>;
}

/**
 * Variables a process needs to run at all. Nothing else of the caller's environment reaches the
 * server: a developer's own DATA_DIR, RTC_*, MEDIASOUP_WORKERS or FFMPEG_PATH must not change what
 * a test or a benchmark measures.
 */
const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'] as const;

/** PATH, HOME and the like from this process's environment, and nothing else of it. */
export function essentialEnvironment(): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return inherited;
}

/** The ports spawnServer found free for a server: HTTP, and the first WebRTC port (RTC_PORT). */
export interface ServerPorts {
  http: number;
  rtc: number;
}

/** The environment spawnServer gives the server: loopback, its free ports, no demo, and `settings` on top. */
export function serverEnvironment(ports: ServerPorts, settings: Record<string, string>): Record<string, string> {
  const base = { PORT: String(ports.http), HOST: '127.0.0.1', RTC_LISTEN_IP: '127.0.0.1', RTC_PORT: String(ports.rtc), DEMO: '0' };
  return { ...essentialEnvironment(), ...base, ...settings };
}

/** How many mediasoup workers, each on its own RTC_PORT + n, the server will run with `settings`. */
function workerCount(settings: Record<string, string>): number {
  return settings.MEDIASOUP_WORKERS ? Number(settings.MEDIASOUP_WORKERS) : availableParallelism();
}

/**
 * Starts the built server (dist/server/main.js) as its own process, as `npm start` does, on a free
 * port, and resolves once /healthz answers. Shared by the tests and the benchmarks.
 */
export interface SpawnOptions {
  /** What the server printed that is kept (its last characters). */
  keptLogChars?: number;
  /** A command the server runs under, e.g. ['prlimit', '--nofile=256:4096', '--']; it must exec node. */
  launcher?: string[];
  /** In its own process group, as in a terminal of its own: signal it all with process.kill(-pid, signal). */
  detached?: boolean;
}

export async function spawnServer(settings: Record<string, string>, options: SpawnOptions = {}): Promise<ServerProcess> {
  if (!existsSync(serverEntry)) throw new Error(`${serverEntry} is missing: run "npm run build" (npm test does) first.`);
  const port = await freePort();
  const rtcPort = settings.RTC_PORT ? Number(settings.RTC_PORT) : await freeRtcPorts(workerCount(settings));
  const [command, ...args] = [...(options.launcher ?? []), process.execPath, serverEntry];
  const server = spawn(command, args, {
    cwd: packageRoot,
    env: serverEnvironment({ http: port, rtc: rtcPort }, settings),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const output = { text: '' };
  collectOutput(server, output, options.keptLogChars ?? KEPT_LOG_CHARS);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, server, output);
  return {
    url,
    port,
    process: server,
    output,
    logs: () => output.text,
    stop: () => stopProcess(server).then(() => server.exitCode),
  };
}

/** Signs in as the technician and imports a one-stage public programme; returns the stage's ingest key. */
async function createBenchStage(url: string, stageId: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_TECHNICIAN),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  if (!login.ok || !cookie) throw new Error(`the bench technician could not sign in: ${login.status} ${await login.text()}`);
  const programme = {
    format: 'estrad-programme',
    version: 1,
    event: { id: 'bench', title: 'Benchmark', timeZone: 'Europe/Stockholm', language: 'sv', visibility: 'public' },
    stages: [{ id: stageId, title: 'Benchmark stage' }],
    speakers: [],
    talks: [],
  };
  const created = await fetch(`${url}/api/programme`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(programme),
  });
  if (!created.ok) throw new Error(`the bench stage could not be created: ${created.status} ${await created.text()}`);
  const key = await fetch(`${url}/api/stages/${stageId}/ingest-key`, { headers: { cookie } });
  if (!key.ok) throw new Error(`the bench stage's ingest key could not be read: ${key.status} ${await key.text()}`);
  return ((await key.json()) as IngestKeyResponse).ingestKey;
}

/**
 * Runs scripts/demo-source with the pattern on the stage, its output collected in `output`. Like the
 * server, it gets only essentialEnvironment() and the stage's ingest key: `ingestKey`, or else this
 * process's ESTRAD_INGEST_KEY (a technician's, for a server this process did not start).
 */
export function startDemoSource(url: string, stageId: string, pattern: TestPattern, output: { text: string }, ingestKey?: string): ChildProcess {
  const args = [demoSourceEntry, '--url', url, '--stage', stageId, '--codec', pattern.codec, '--size', pattern.size];
  args.push('--fps', String(pattern.fps), '--bitrate', String(pattern.bitrateKbps));
  if (pattern.clock) args.push('--clock');
  if (pattern.toneHz !== undefined) args.push('--tone', String(pattern.toneHz));
  if (pattern.microphoneOnly) args.push('--microphone-only');
  const key = ingestKey ?? process.env[INGEST_KEY_VARIABLE];
  const env = { ...essentialEnvironment(), ...(key === undefined ? {} : { [INGEST_KEY_VARIABLE]: key }) };
  const source = spawn(process.execPath, args, { cwd: packageRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  collectOutput(source, output);
  return source;
}

/** Stores the demo event and its stage in `dataDir`'s database, as DEMO=1 does, for a server started without the demo's own source. */
export function seedDemoEventIn(dataDir: string): void {
  const db = openDatabase(dataDir);
  try {
    seedDemoEvent(db);
  } finally {
    db.close();
  }
}

function collectOutput(child: ChildProcess, output: { text: string }, keptChars = KEPT_LOG_CHARS): void {
  const append = (chunk: Buffer) => {
    output.text = (output.text + chunk.toString()).slice(-keptChars);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
}

async function waitUntilHealthy(url: string, server: ChildProcess, output: { text: string }): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${output.text}`);
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    if (response?.ok) return;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  }
  await stopProcess(server);
  throw new Error(`the server did not become healthy within ${STARTUP_TIMEOUT_MS} ms:\n${output.text}`);
}

export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    child.once('exit', () => resolveExit());
    child.kill('SIGTERM');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Below the kernel's ephemeral ports (32768 up) and the plain-RTP ranges tests and benches use. */
const RTC_PORT_SEARCH = { min: 20_000, max: 31_900 };

/**
 * A first port such that it and the next count - 1 are free on loopback for UDP and TCP: a server's
 * RTC_PORT, whose worker n listens on RTC_PORT + n. Random, so parallel test files rarely collide.
 */
export async function freeRtcPorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = RTC_PORT_SEARCH.min + Math.floor(Math.random() * (RTC_PORT_SEARCH.max - RTC_PORT_SEARCH.min));
    const ports = Array.from({ length: count }, (_, n) => first + n);
    const free = await Promise.all(ports.map(async (port) => (await tcpPortFree(port)) && (await udpPortFree(port))));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free UDP and TCP ports between ${RTC_PORT_SEARCH.min} and ${RTC_PORT_SEARCH.max}`);
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.once('error', () => resolveFree(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolveFree(true)));
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const probe = createSocket('udp4');
    probe.once('error', () => {
      probe.close();
      resolveFree(false);
    });
    probe.bind(port, '127.0.0.1', () => probe.close(() => resolveFree(true)));
  });
}

/** The folder holding package.json, wherever under it (source or dist/) a script runs from. */
export function findPackageRoot(start: string): string {
  let folder = start;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${start}`);
    folder = parent;
  }
  return folder;
}
