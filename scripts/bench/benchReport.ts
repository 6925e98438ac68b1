/**
 * Turns what a viewer benchmark measured into figures: percentiles over viewers, server CPU per
 * packet and per viewer, and a Markdown table to keep next to earlier runs.
 */
import type { NodeViewerStats } from './nodeViewer.js';
import { isMediasoupWorker, sharesByProcess, type TreeSample } from './processUsage.js';
import type { KindStats } from './rtpStats.js';

export interface ServerSamples {
  /** Before any viewer: the demo alone, to tell the cost of viewers from the cost of being up. */
  idle: { before: TreeSample; after: TreeSample };
  /** Over the receiving window, with every viewer on. */
  loaded: { before: TreeSample; after: TreeSample };
}

export interface BenchInput {
  viewersRequested: number;
  connectFailures: string[];
  /** Each viewer's stats at the start and the end of the receiving window (same order). */
  windowStart: NodeViewerStats[];
  windowEnd: NodeViewerStats[];
  windowSeconds: number;
  /** Date.now() at the end of the window; "receiving" means a packet in the 2 s before it. */
  endedAt: number;
  server: ServerSamples | undefined;
  generatorCpuShare: number;
}

export interface BenchSummary {
  viewersRequested: number;
  viewersConnected: number;
  viewersReceivingAtEnd: number;
  connectFailures: number;
  joinMsP50: number | null;
  joinMsP95: number | null;
  lossPctP50: number;
  lossPctP95: number;
  lossPctWorst: number;
  /** RTP packets (audio + video) the viewers received per second: a proxy for what the server sent. */
  packetsPerSecond: number;
  mbitPerSecond: number;
  /** CPU in cores (1.0 = one core busy): server = its Node process + mediasoup workers. */
  serverCpuShare: number | null;
  workerCpuShare: number | null;
  nodeCpuShare: number | null;
  /** Demo source and ffmpeg when the server runs them as its children (not counted as server). */
  ingestCpuShare: number | null;
  serverCpuIdleShare: number | null;
  serverPacketsPerCoreSecond: number | null;
  /** Percent of one core per 100 viewers, above the idle (no viewer) baseline. */
  serverCpuPer100Viewers: number | null;
  serverRssMb: number | null;
  /** The same split: mediasoup workers (RTP buffers live there) and the Node process (sockets). */
  workerRssMb: number | null;
  nodeRssMb: number | null;
  /** Server RSS (Node + workers) growth over the idle baseline, per connected viewer. */
  rssPerViewerKb: number | null;
  /** CPU of this process (signalling clients, libdatachannel, counting), in cores. */
  generatorCpuShare: number;
  windowSeconds: number;
}

const RECEIVING_WINDOW_MS = 2_000;
const RECEIVING_AT_END_NOTE = `a packet in the last ${RECEIVING_WINDOW_MS / 1000} s`;

export function summarize(input: BenchInput): BenchSummary {
  const { windowStart, windowEnd, windowSeconds } = input;
  const connected = windowEnd.filter((stats) => stats.connected).length;
  const joinTimes = windowEnd.map((stats) => stats.joinMs).filter((ms): ms is number => ms !== undefined);
  const losses = windowEnd.filter((stats) => stats.video.packets > 0 || stats.audio.packets > 0).map(viewerLossPercent);
  let packets = 0;
  let bytes = 0;
  windowEnd.forEach((end, index) => {
    const start = windowStart[index]!;
    packets += end.video.packets + end.audio.packets - start.video.packets - start.audio.packets;
    bytes += end.video.bytes + end.audio.bytes - start.video.bytes - start.audio.bytes;
  });
  const packetsPerSecond = packets / windowSeconds;
  const server = input.server ? serverFigures(input.server, packetsPerSecond, connected) : undefined;
  return {
    viewersRequested: input.viewersRequested,
    viewersConnected: connected,
    viewersReceivingAtEnd: windowEnd.filter((stats) => (stats.lastPacketAt ?? 0) >= input.endedAt - RECEIVING_WINDOW_MS).length,
    connectFailures: input.connectFailures.length,
    joinMsP50: roundOrNull(percentile(joinTimes, 50)),
    joinMsP95: roundOrNull(percentile(joinTimes, 95)),
    lossPctP50: round(percentile(losses, 50) ?? 0, 3),
    lossPctP95: round(percentile(losses, 95) ?? 0, 3),
    lossPctWorst: round(Math.max(0, ...losses), 3),
    packetsPerSecond: round(packetsPerSecond),
    mbitPerSecond: round((bytes * 8) / windowSeconds / 1e6, 2),
    serverCpuShare: server?.serverCpuShare ?? null,
    workerCpuShare: server?.workerCpuShare ?? null,
    nodeCpuShare: server?.nodeCpuShare ?? null,
    ingestCpuShare: server?.ingestCpuShare ?? null,
    serverCpuIdleShare: server?.serverCpuIdleShare ?? null,
    serverPacketsPerCoreSecond: server?.serverPacketsPerCoreSecond ?? null,
    serverCpuPer100Viewers: server?.serverCpuPer100Viewers ?? null,
    serverRssMb: server?.serverRssMb ?? null,
    workerRssMb: server?.workerRssMb ?? null,
    nodeRssMb: server?.nodeRssMb ?? null,
    rssPerViewerKb: server?.rssPerViewerKb ?? null,
    generatorCpuShare: round(input.generatorCpuShare, 3),
    windowSeconds: round(windowSeconds, 1),
  };
}

function serverFigures(samples: ServerSamples, packetsPerSecond: number, viewers: number) {
  const loaded = splitShares(samples.loaded.before, samples.loaded.after);
  const idle = splitShares(samples.idle.before, samples.idle.after);
  const serverCpuShare = loaded.worker + loaded.node;
  const idleShare = idle.worker + idle.node;
  const rssLoaded = serverRss(samples.loaded.after);
  const rssIdle = serverRss(samples.idle.after);
  return {
    serverCpuShare: round(serverCpuShare, 3),
    workerCpuShare: round(loaded.worker, 3),
    nodeCpuShare: round(loaded.node, 3),
    ingestCpuShare: round(loaded.ingest, 3),
    serverCpuIdleShare: round(idleShare, 3),
    serverPacketsPerCoreSecond: serverCpuShare > 0 ? round(packetsPerSecond / serverCpuShare) : null,
    serverCpuPer100Viewers: viewers > 0 ? round((100 * (serverCpuShare - idleShare) * 100) / viewers, 2) : null,
    serverRssMb: round(rssLoaded / 2 ** 20, 1),
    workerRssMb: round(workersRss(samples.loaded.after) / 2 ** 20, 1),
    nodeRssMb: round(samples.loaded.after.root.rssBytes / 2 ** 20, 1),
    rssPerViewerKb: viewers > 0 ? round((rssLoaded - rssIdle) / 1024 / viewers, 1) : null,
  };
}

/** CPU shares of the server's own Node process, its mediasoup workers, and anything else below it. */
function splitShares(before: TreeSample, after: TreeSample): { node: number; worker: number; ingest: number } {
  const shares = { node: 0, worker: 0, ingest: 0 };
  for (const { sample, share } of sharesByProcess(before, after)) {
    if (sample.pid === after.root.pid) shares.node += share;
    else if (isMediasoupWorker(sample)) shares.worker += share;
    else shares.ingest += share;
  }
  return shares;
}

function serverRss(sample: TreeSample): number {
  return sample.root.rssBytes + workersRss(sample);
}

function workersRss(sample: TreeSample): number {
  return sample.descendants.filter(isMediasoupWorker).reduce((sum, worker) => sum + worker.rssBytes, 0);
}

/** Loss of one viewer over both kinds and its whole run, in percent of packets expected. */
export function viewerLossPercent(stats: NodeViewerStats): number {
  const lost = stats.video.lost + stats.audio.lost;
  const expected = expectedPackets(stats.video) + expectedPackets(stats.audio);
  return expected === 0 ? 0 : (100 * lost) / expected;
}

function expectedPackets(stats: KindStats): number {
  return stats.packets + stats.lost;
}

/** Nearest-rank percentile; undefined for no values. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function roundOrNull(value: number | undefined): number | null {
  return value === undefined ? null : round(value);
}

export interface ReportContext {
  startedAt: Date;
  url: string;
  stageId: string;
  source: string;
  rampPerSecond: number;
  serverPid: number | undefined;
}

/** A Markdown page with one table of results and the meaning of each figure. */
export function markdownReport(summary: BenchSummary, context: ReportContext): string {
  const show = (value: number | null, unit = '') => (value === null ? 'n/a' : `${value}${unit}`);
  const percentOfCore = (share: number | null) => (share === null ? 'n/a' : `${round(share * 100, 1)} %`);
  const rows: [string, string][] = [
    ['Viewers requested / connected / receiving at end', `${summary.viewersRequested} / ${summary.viewersConnected} / ${summary.viewersReceivingAtEnd}`],
    ['Connect failures', String(summary.connectFailures)],
    ['Join time p50 / p95 (connect → first video packet)', `${show(summary.joinMsP50, ' ms')} / ${show(summary.joinMsP95, ' ms')}`],
    ['Loss per viewer p50 / p95 / worst', `${summary.lossPctP50} % / ${summary.lossPctP95} % / ${summary.lossPctWorst} %`],
    ['RTP received by all viewers (proxy for server output)', `${summary.packetsPerSecond} packets/s, ${summary.mbitPerSecond} Mbit/s`],
    ['Server CPU (Node + mediasoup workers), of one core', percentOfCore(summary.serverCpuShare)],
    ['… mediasoup workers / Node process', `${percentOfCore(summary.workerCpuShare)} / ${percentOfCore(summary.nodeCpuShare)}`],
    ['… idle baseline (demo on air, no viewer)', percentOfCore(summary.serverCpuIdleShare)],
    ['Other processes under the server (its demo source + ffmpeg; not counted as server)', percentOfCore(summary.ingestCpuShare)],
    ['**serverPacketsPerCoreSecond**', show(summary.serverPacketsPerCoreSecond)],
    ['Server CPU per 100 viewers (above idle), % of one core', show(summary.serverCpuPer100Viewers, ' %')],
    ['Server RSS (Node + workers) / growth per viewer', `${show(summary.serverRssMb, ' MB')} / ${show(summary.rssPerViewerKb, ' kB')}`],
    ['… RSS of mediasoup workers / Node process', `${show(summary.workerRssMb, ' MB')} / ${show(summary.nodeRssMb, ' MB')}`],
    ['Generator CPU (this process), of one core', percentOfCore(summary.generatorCpuShare)],
  ];
  return [
    `# Viewer benchmark ${context.startedAt.toISOString()}`,
    '',
    `Server ${context.url}${context.serverPid ? ` (pid ${context.serverPid})` : ''}, stage \`${context.stageId}\`, source: ${context.source}.`,
    `Viewers: node-datachannel, ramped at ${context.rampPerSecond}/s, then measured over ${summary.windowSeconds} s.`,
    '',
    '| Figure | Value |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
    'Notes:',
    `- "Receiving at end" means ${RECEIVING_AT_END_NOTE}; "connected" means ICE and DTLS up at the end.`,
    '- Packet and byte rates are what viewers received (decrypted RTP: no SRTP tag, UDP or IP headers); the',
    '  server sent that plus any packets lost, and RTCP.',
    '- serverPacketsPerCoreSecond = RTP packets per second / server CPU cores busy (Node + workers, idle included).',
    '- Loss is counted from RTP sequence numbers over each viewer\'s whole run (expected - received).',
    '',
  ].join('\n');
}
