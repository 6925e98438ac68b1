/**
 * Loads a server with real WebRTC viewers (node-datachannel) and reports what it costs.
 *
 *   npm run bench:viewers -- --viewers 50 --seconds 15
 *   node dist/scripts/bench-viewers.js --viewers N --seconds S [--url URL [--server-pid PID]]
 *     [--stage demo] [--ramp 20] [--size 1280x720 --fps 30 --bitrate 1500 --codec H264|VP8]
 *
 * Without --url it starts dist/server/main.js itself (demo on, temporary folders, a free port)
 * and samples its CPU and memory from /proc; with --url it measures only what viewers see,
 * unless --server-pid names the server's process on this machine. --size/--fps/--bitrate/--codec run
 * our own demo source instead of the server's (which is fixed at 640x360, 25 fps, 1 Mbit/s).
 *
 * Prints a summary, writes bench/results/viewers-<timestamp>.md, and prints one JSON object as
 * the last line of stdout for scripts to read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import type { StagesResponse } from '../shared/protocol.js';
import { ingestCodecSchema, stageIdSchema } from '../shared/protocol.js';
import { type BenchSummary, markdownReport, type ServerSamples, summarize } from './bench/benchReport.js';
import { type LocalServer, startLocalServer, type TestPattern } from './bench/localServer.js';
import { NodeViewer, type NodeViewerStats } from './bench/nodeViewer.js';
import { sampleTree, type TreeSample } from './bench/processUsage.js';

const IDLE_SAMPLE_MS = 3_000;
const STAGE_LIVE_TIMEOUT_MS = 30_000;
/** After the ramp, how long viewers get to receive their first packets before measuring starts. */
const SETTLE_TIMEOUT_MS = 15_000;
const PROGRESS_INTERVAL_MS = 5_000;
/** Far from the 42000+ ranges the test helpers use, so a bench can run next to tests. */
const RTC_PORTS = { min: 50_000, max: 59_999 };
const MAX_PROBLEMS_SHOWN = 10;

interface Options {
  viewers: number;
  seconds: number;
  url: string | undefined;
  serverPid: number | undefined;
  stageId: string;
  rampPerSecond: number;
  pattern: TestPattern | undefined;
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
    },
  });
  const options: Options = {
    viewers: positiveInteger('--viewers', values.viewers),
    seconds: positiveInteger('--seconds', values.seconds),
    url: values.url,
    serverPid: values['server-pid'] === undefined ? undefined : positiveInteger('--server-pid', values['server-pid']),
    stageId: stageIdSchema.parse(values.stage),
    rampPerSecond: positiveInteger('--ramp', values.ramp),
    pattern: undefined,
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

function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${text}").`);
  return value;
}

/** Where the bench runs against: a server it started, or one given by URL (and maybe pid). */
interface Target {
  url: string;
  pid: number | undefined;
  source: string;
  local: LocalServer | undefined;
}

async function startTarget(options: Options): Promise<Target> {
  if (options.url) {
    return { url: options.url, pid: options.serverPid, source: 'whatever is on air', local: undefined };
  }
  const local = await startLocalServer({ stageId: options.stageId, pattern: options.pattern, rtcPorts: RTC_PORTS });
  const { pattern } = options;
  const source = pattern
    ? `scripts/demo-source ${pattern.size} ${pattern.fps} fps ${pattern.bitrateKbps} kbit/s ${pattern.codec}`
    : "the server's demo (640x360, 25 fps, 1000 kbit/s, DEMO_CODEC)";
  return { url: local.url, pid: local.pid, source, local };
}

async function waitForLiveStage(url: string, stageId: string): Promise<void> {
  const deadline = Date.now() + STAGE_LIVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const body = (await fetch(`${url}/api/stages`).then((response) => response.json()).catch(() => undefined)) as
      | StagesResponse
      | undefined;
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
  return { windowStart, windowEnd: viewers.map((viewer) => viewer.stats()), windowSeconds: (performance.now() - startedAt) / 1000 };
}

function printSummary(summary: BenchSummary, problems: string[], failures: string[]): void {
  const lines = [
    `viewers: ${summary.viewersConnected}/${summary.viewersRequested} connected, ${summary.viewersReceivingAtEnd} receiving at end`,
    `join: p50 ${summary.joinMsP50} ms, p95 ${summary.joinMsP95} ms; loss: p50 ${summary.lossPctP50} %, p95 ${summary.lossPctP95} %, worst ${summary.lossPctWorst} %`,
    `traffic: ${summary.packetsPerSecond} packets/s, ${summary.mbitPerSecond} Mbit/s received`,
    `server CPU: ${summary.serverCpuShare ?? 'n/a'} cores (workers ${summary.workerCpuShare ?? 'n/a'}, node ${summary.nodeCpuShare ?? 'n/a'}, idle ${summary.serverCpuIdleShare ?? 'n/a'}); ${summary.serverPacketsPerCoreSecond ?? 'n/a'} packets per core-second; ${summary.serverCpuPer100Viewers ?? 'n/a'} % of a core per 100 viewers`,
    `server memory: ${summary.serverRssMb ?? 'n/a'} MB (workers ${summary.workerRssMb ?? 'n/a'}, node ${summary.nodeRssMb ?? 'n/a'}), ${summary.rssPerViewerKb ?? 'n/a'} kB per viewer; generator CPU ${summary.generatorCpuShare} cores`,
  ];
  for (const line of lines) console.log(line);
  for (const message of [...failures, ...problems].slice(0, MAX_PROBLEMS_SHOWN)) console.log(`  problem: ${message}`);
}

function writeReport(markdown: string, startedAt: Date): string {
  const folder = join(process.cwd(), 'bench/results');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `viewers-${startedAt.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(path, markdown);
  return relative(process.cwd(), path);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const startedAt = new Date();
  const target = await startTarget(options);
  const problems: string[] = [];
  let viewers: NodeViewer[] = [];
  try {
    console.log(`bench: ${options.viewers} viewers on ${target.url} stage ${options.stageId} (${target.source})`);
    await waitForLiveStage(target.url, options.stageId);
    const idle = await sampleOver(target.pid, IDLE_SAMPLE_MS);

    const ramp = await rampUp(options, target.url, problems);
    viewers = ramp.viewers;
    await waitForFirstPackets(viewers);

    const serverBefore = target.pid === undefined ? undefined : sampleTree(target.pid);
    const generatorBefore = process.cpuUsage();
    const window = await measureWindow(viewers, options.seconds);
    const generatorUsage = process.cpuUsage(generatorBefore);
    const serverAfter = target.pid === undefined ? undefined : sampleTree(target.pid);

    const server: ServerSamples | undefined =
      idle && serverBefore && serverAfter ? { idle, loaded: { before: serverBefore, after: serverAfter } } : undefined;
    const summary = summarize({
      viewersRequested: options.viewers,
      connectFailures: ramp.failures,
      ...window,
      endedAt: Date.now(),
      server,
      generatorCpuShare: (generatorUsage.user + generatorUsage.system) / 1e6 / window.windowSeconds,
    });
    printSummary(summary, problems, ramp.failures);
    const reportPath = writeReport(
      markdownReport(summary, {
        startedAt,
        url: target.url,
        stageId: options.stageId,
        source: target.source,
        rampPerSecond: options.rampPerSecond,
        serverPid: target.pid,
      }),
      startedAt,
    );
    console.log(`report: ${reportPath}`);
    console.log(JSON.stringify({ ...summary, reportPath }));
  } finally {
    for (const viewer of viewers) viewer.close();
    await target.local?.stop();
    cleanupDataChannels();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, Math.max(0, ms)));
}

// Exits explicitly: libdatachannel and socket.io timers could otherwise keep the process up.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

