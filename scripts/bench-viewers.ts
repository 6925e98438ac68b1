/**
 * Loads a server with real WebRTC viewers (node-datachannel) and reports what it costs.
 *
 *   npm run bench:viewers -- --viewers 50 --seconds 15
 *   node dist/scripts/bench-viewers.js --viewers N --seconds S [--browsers K]
 *     [--url URL [--server-pid PID] [--metrics-token TOKEN]]
 *     [--stage demo] [--ramp 20] [--size 1280x720 --fps 30 --bitrate 1500 --codec H264|VP8]
 *
 * Without --url it starts dist/server/main.js itself (demo on, temporary folders, a free port)
 * and samples its CPU and memory from /proc; with --url it measures only what viewers see,
 * unless --server-pid names the server's process on this machine. --size/--fps/--bitrate/--codec run
 * our own demo source instead of the server's (which is fixed at 640x360, 25 fps, 1 Mbit/s).
 *
 * --browsers K adds K viewers in Debian's Chromium on the real watch page, for the picture's
 * quality (decoded frames, resolution, freezes); default 2 from 20 node viewers up, else 0.
 * Per-worker consumers and CPU come from the server's GET /metrics: always for a server this
 * bench starts, and with --url when --metrics-token (or $METRICS_TOKEN) gives its token.
 *
 * Prints a summary, writes bench/results/viewers-<timestamp>.md, and prints one JSON object as
 * the last line of stdout for scripts to read.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import type { RecordingInfo, StagesResponse } from '../shared/protocol.js';
import { ingestCodecSchema, stageIdSchema } from '../shared/protocol.js';
import {
  type BenchInput,
  type BenchSummary,
  type BrowserWindow,
  markdownReport,
  type RecordingState,
  type ServerSamples,
  summarize,
} from './bench/benchReport.js';
import { BrowserCrowd, chromiumCpuShare, sampleChromium } from './bench/browserViewer.js';
import { type LocalServer, startLocalServer, type TestPattern } from './bench/localServer.js';
import { NodeViewer, type NodeViewerStats } from './bench/nodeViewer.js';
import { sampleTree, type TreeSample } from './bench/processUsage.js';
import { readServerMetrics, type WorkerMetrics, workerMetrics } from './bench/serverMetrics.js';
import { positiveInteger, sleep, writeReport } from './bench/benchCli.js';

const IDLE_SAMPLE_MS = 3_000;
const STAGE_LIVE_TIMEOUT_MS = 30_000;
/** After the ramp, how long viewers get to receive their first packets before measuring starts. */
const SETTLE_TIMEOUT_MS = 15_000;
const PROGRESS_INTERVAL_MS = 5_000;
/** Far from the 42000+ ranges the test helpers use, so a bench can run next to tests. */
const RTC_PORTS = { min: 50_000, max: 59_999 };
const MAX_PROBLEMS_SHOWN = 10;
/** From this many node viewers up, two Chromium viewers watch by default. */
const BROWSERS_BY_DEFAULT = { fromViewers: 20, browsers: 2 } as const;

interface Options {
  viewers: number;
  seconds: number;
  url: string | undefined;
  serverPid: number | undefined;
  stageId: string;
  rampPerSecond: number;
  pattern: TestPattern | undefined;
  browsers: number;
  metricsToken: string | undefined;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      viewers: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '15' },
      url: { type: 'string' },
      'server-pid': { type: 'string' },
      stage: { type: 'string', default: 'demo' },
      ramp: { type: 'string', default: '20' },
      size: { type: 'string' },
      fps: { type: 'string' },
      bitrate: { type: 'string' },
      codec: { type: 'string' },
      browsers: { type: 'string' },
      'metrics-token': { type: 'string' },
    },
  });
  const viewers = positiveInteger('--viewers', values.viewers);
  const options: Options = {
    viewers,
    seconds: positiveInteger('--seconds', values.seconds),
    url: values.url,
    serverPid: values['server-pid'] === undefined ? undefined : positiveInteger('--server-pid', values['server-pid']),
    stageId: stageIdSchema.parse(values.stage),
    rampPerSecond: positiveInteger('--ramp', values.ramp),
    pattern: undefined,
    browsers:
      values.browsers === undefined
        ? viewers >= BROWSERS_BY_DEFAULT.fromViewers
          ? BROWSERS_BY_DEFAULT.browsers
          : 0
        : nonNegativeInteger('--browsers', values.browsers),
    metricsToken: values['metrics-token'] ?? process.env.METRICS_TOKEN,
  };
  if ([values.size, values.fps, values.bitrate, values.codec].some((value) => value !== undefined)) {
    if (options.url) throw new Error('--size, --fps, --bitrate and --codec need a server this bench starts (no --url).');
    if (!/^\d+x\d+$/.test(values.size ?? '1280x720')) throw new Error('--size must look like 1280x720.');
    options.pattern = {
      codec: ingestCodecSchema.exclude(['opus']).parse(values.codec ?? 'H264'),
      size: values.size ?? '1280x720',
      fps: positiveInteger('--fps', values.fps ?? '30'),
      bitrateKbps: positiveInteger('--bitrate', values.bitrate ?? '1500'),
    };
  }
  return options;
}

function nonNegativeInteger(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) throw new Error(`${name} must be 0 or a positive integer (got "${text}").`);
  return value;
}

/** Where the bench runs against: a server it started, or one given by URL (and maybe pid). */
interface Target {
  url: string;
  pid: number | undefined;
  source: string;
  local: LocalServer | undefined;
  /** Whether its /metrics can be read: a server on this machine, or one whose token we have. */
  metricsReadable: boolean;
}

async function startTarget(options: Options): Promise<Target> {
  if (options.url) {
    const metricsReadable = options.metricsToken !== undefined;
    return { url: options.url, pid: options.serverPid, source: 'whatever is on air', local: undefined, metricsReadable };
  }
  const local = await startLocalServer({ stageId: options.stageId, pattern: options.pattern, rtcPorts: RTC_PORTS });
  const { pattern } = options;
  const source = pattern
    ? `scripts/demo-source ${pattern.size} ${pattern.fps} fps ${pattern.bitrateKbps} kbit/s ${pattern.codec}`
    : "the server's demo (640x360, 25 fps, 1000 kbit/s, DEMO_CODEC)";
  return { url: local.url, pid: local.pid, source, local, metricsReadable: true };
}

async function waitForLiveStage(url: string, stageId: string): Promise<void> {
  const deadline = Date.now() + STAGE_LIVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const body = (await fetch(`${url}/api/stages`)
      .then((response) => response.json())
      .catch(() => undefined)) as StagesResponse | undefined;
    if (body?.stages.some((stage) => stage.id === stageId && stage.live)) return;
    await sleep(250);
  }
  throw new Error(`stage ${stageId} did not go live within ${STAGE_LIVE_TIMEOUT_MS} ms`);
}

/** Samples the server's process tree twice, `ms` apart. */
async function sampleOver(pid: number | undefined, ms: number): Promise<{ before: TreeSample; after: TreeSample } | undefined> {
  const before = pid === undefined ? undefined : sampleTree(pid);
  await sleep(ms);
  const after = pid === undefined ? undefined : sampleTree(pid);
  return before && after ? { before, after } : undefined;
}

/** Starts viewers at a steady rate, the way an audience arrives, rather than all in one burst. */
async function rampUp(options: Options, url: string, problems: string[]): Promise<{ viewers: NodeViewer[]; failures: string[] }> {
  const viewers: NodeViewer[] = [];
  const failures: string[] = [];
  const connecting: Promise<void>[] = [];
  const intervalMs = 1000 / options.rampPerSecond;
  const startedAt = performance.now();
  for (let index = 0; index < options.viewers; index++) {
    await sleep(startedAt + index * intervalMs - performance.now());
    const viewer = new NodeViewer({ onProblem: (message) => problems.push(message) });
    viewers.push(viewer);
    connecting.push(viewer.connect(url, options.stageId).catch((error: unknown) => void failures.push(String(error))));
  }
  await Promise.all(connecting);
  return { viewers, failures };
}

async function waitForFirstPackets(viewers: NodeViewer[]): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const receiving = (stats: NodeViewerStats) => stats.video.packets > 0 && stats.audio.packets > 0;
  while (Date.now() < deadline && !viewers.every((viewer) => receiving(viewer.stats()))) await sleep(200);
}

/** Receives for the given time, printing progress, and returns the stats at both ends. */
async function measureWindow(viewers: NodeViewer[], seconds: number) {
  const windowStart = viewers.map((viewer) => viewer.stats());
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  // A few milliseconds short of the deadline is the end, not one more progress line.
  while (deadline - performance.now() > 50) {
    await sleep(Math.min(PROGRESS_INTERVAL_MS, deadline - performance.now()));
    const stats = viewers.map((viewer) => viewer.stats());
    const receiving = stats.filter((entry) => (entry.lastPacketAt ?? 0) > Date.now() - 2000).length;
    console.log(`  ${Math.round((performance.now() - startedAt) / 1000)} s: ${receiving}/${viewers.length} receiving`);
  }
  // The window's end, not the summary's: reading the browsers, workers and recording afterwards
  // takes seconds on a loaded machine, and "receiving at end" must not count that time.
  const endedAt = Date.now();
  return { windowStart, windowEnd: viewers.map((viewer) => viewer.stats()), windowSeconds: (performance.now() - startedAt) / 1000, endedAt };
}

/** Each mediasoup worker's consumers and CPU time now, as the server counts them. */
async function readWorkers(target: Target, token: string | undefined, problems: string[]): Promise<WorkerMetrics[] | undefined> {
  if (!target.metricsReadable) return undefined;
  try {
    return workerMetrics(await readServerMetrics(target.url, token));
  } catch (error) {
    problems.push(`per-worker figures left out: ${errorMessage(error)}`);
    return undefined;
  }
}

/** The stage's running recording (status "recording"), null when none runs, undefined when unknown. */
async function readRecording(url: string, stageId: string, problems: string[]): Promise<RecordingState | null | undefined> {
  try {
    const response = await fetch(new URL(`/api/recordings?stage=${encodeURIComponent(stageId)}`, url));
    if (!response.ok) throw new Error(`GET /api/recordings answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    const { recordings } = (await response.json()) as { recordings: RecordingInfo[] };
    const running = recordings.find((recording) => recording.status === 'recording');
    return running ? { id: running.id, durationSeconds: running.durationSeconds, sizeBytes: running.sizeBytes } : null;
  } catch (error) {
    problems.push(`recording state unknown: ${errorMessage(error)}`);
    return undefined;
  }
}

function printSummary(summary: BenchSummary, problems: string[], failures: string[]): void {
  const show = (value: number | string | null) => value ?? 'n/a';
  const lines = [
    `viewers: ${summary.viewersConnected}/${summary.viewersRequested} connected, ${summary.viewersReceivingAtEnd} receiving at end`,
    `join: p50 ${summary.joinMsP50} ms, p95 ${summary.joinMsP95} ms; loss: p50 ${summary.lossPctP50} %, p95 ${summary.lossPctP95} %, worst ${summary.lossPctWorst} %`,
    `video: ${show(summary.viewerFpsP50)} frames/s p50 (worst ${show(summary.viewerFpsWorst)}); freezes per viewer p50 ${show(summary.freezesPerViewerP50)}, p95 ${show(summary.freezesPerViewerP95)}, worst ${show(summary.freezesPerViewerWorst)} (${show(summary.freezeMsPerViewerWorst)} ms frozen)`,
    ...summary.browserViewers.map(
      (browser) =>
        `${browser.name}: join ${show(browser.joinMs)} ms, ${show(browser.framesPerSecond)} frames/s at ${show(browser.resolution)}, ${show(browser.freezes)} freezes (${show(browser.freezeMs)} ms), ${show(browser.framesDropped)} dropped, loss ${show(browser.lossPct)} %${browser.problem ? `; ${browser.problem}` : ''}`,
    ),
    `traffic: ${summary.packetsPerSecond} packets/s, ${summary.mbitPerSecond} Mbit/s received`,
    `server CPU: ${show(summary.serverCpuShare)} cores (workers ${show(summary.workerCpuShare)}, node ${show(summary.nodeCpuShare)}, idle ${show(summary.serverCpuIdleShare)}); ${show(summary.serverPacketsPerCoreSecond)} packets per core-second; ${show(summary.serverCpuPer100Viewers)} % of a core per 100 viewers`,
    ...(summary.workers ?? []).map((worker) => `  worker ${worker.worker} (pid ${worker.pid}): ${worker.consumers} consumers, ${show(worker.cpuShare)} cores`),
    `server memory: ${show(summary.serverRssMb)} MB (workers ${show(summary.workerRssMb)}, node ${show(summary.nodeRssMb)}), ${show(summary.rssPerViewerKb)} kB per viewer; generator CPU ${summary.generatorCpuShare} cores + Chromium ${show(summary.browserCpuShare)}`,
    `recording: ${summary.recordingActive === null ? 'unknown' : summary.recordingActive ? `running, ${summary.recordingSeconds} s, ${summary.recordingBytes} bytes` : 'none running'}`,
  ];
  for (const line of lines) console.log(line);
  for (const message of [...failures, ...problems].slice(0, MAX_PROBLEMS_SHOWN)) console.log(`  problem: ${message}`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const startedAt = new Date();
  const target = await startTarget(options);
  const problems: string[] = [];
  let viewers: NodeViewer[] = [];
  let browsers: BrowserCrowd | undefined;
  try {
    console.log(`bench: ${options.viewers} viewers + ${options.browsers} in Chromium on ${target.url} stage ${options.stageId} (${target.source})`);
    await waitForLiveStage(target.url, options.stageId);
    const idle = await sampleOver(target.pid, IDLE_SAMPLE_MS);

    const ramp = await rampUp(options, target.url, problems);
    viewers = ramp.viewers;
    // After the crowd, so their join times are those of a loaded server.
    if (options.browsers > 0) browsers = await BrowserCrowd.open(options.browsers, target.url, options.stageId);
    await waitForFirstPackets(viewers);

    const workersBefore = { at: performance.now(), workers: await readWorkers(target, options.metricsToken, problems) };
    const serverBefore = target.pid === undefined ? undefined : sampleTree(target.pid);
    const generatorBefore = process.cpuUsage();
    const chromiumBefore = sampleChromium();
    const browserStart = await browsers?.sample();
    const window = await measureWindow(viewers, options.seconds);
    const browserEnd = await browsers?.sample();
    const chromiumAfter = sampleChromium();
    const generatorUsage = process.cpuUsage(generatorBefore);
    const serverAfter = target.pid === undefined ? undefined : sampleTree(target.pid);
    // A refusal at the start would only be repeated.
    const workersAfter = {
      at: performance.now(),
      workers: workersBefore.workers && (await readWorkers(target, options.metricsToken, problems)),
    };
    const recording = await readRecording(target.url, options.stageId, problems);

    const server: ServerSamples | undefined = idle && serverBefore && serverAfter ? { idle, loaded: { before: serverBefore, after: serverAfter } } : undefined;
    const workers: BenchInput['workers'] =
      workersBefore.workers && workersAfter.workers
        ? { before: workersBefore.workers, after: workersAfter.workers, seconds: (workersAfter.at - workersBefore.at) / 1000 }
        : undefined;
    const browserWindows: BrowserWindow[] = (browsers?.viewers ?? []).map((viewer, index) => ({
      name: viewer.name,
      joinMs: viewer.joinMs,
      start: browserStart?.[index],
      end: browserEnd?.[index],
      problem: viewer.problem,
    }));
    const summary = summarize({
      viewersRequested: options.viewers,
      connectFailures: ramp.failures,
      ...window,
      server,
      generatorCpuShare: (generatorUsage.user + generatorUsage.system) / 1e6 / window.windowSeconds,
      browsers: browserWindows,
      browserCpuShare: browsers ? chromiumCpuShare(chromiumBefore, chromiumAfter) : undefined,
      workers,
      recording,
    });
    printSummary(summary, problems, ramp.failures);
    const reportPath = writeReport(
      'viewers',
      markdownReport(summary, {
        startedAt,
        url: target.url,
        stageId: options.stageId,
        source: target.source,
        rampPerSecond: options.rampPerSecond,
        serverPid: target.pid,
        udpReceiveBufferBytes: udpReceiveBufferBytes(),
      }),
      startedAt,
    );
    console.log(`report: ${reportPath}`);
    console.log(JSON.stringify({ ...summary, reportPath }));
  } finally {
    await browsers?.close();
    for (const viewer of viewers) viewer.close();
    await target.local?.stop();
    cleanupDataChannels();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The socket receive buffer every mediasoup socket gets. A plain-RTP source (ffmpeg) sends each
 * keyframe as one burst; while the worker fans the previous packets out to hundreds of viewers, a
 * 208 kB default buffer overflows and the loss reaches every viewer. Reported so runs compare.
 */
function udpReceiveBufferBytes(): number | undefined {
  const text = readFileSync('/proc/sys/net/core/rmem_default', 'utf8');
  return Number.parseInt(text, 10) || undefined;
}

// Exits explicitly: libdatachannel and socket.io timers could otherwise keep the process up.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
