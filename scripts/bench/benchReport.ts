/**
 * Turns what a viewer benchmark measured into figures: percentiles over viewers, freezes, the
 * browser viewers' picture, server CPU per packet, per viewer and per mediasoup worker, the
 * recording's state, and a Markdown table to keep next to earlier runs.
 */
import type { PlayerStats } from '../../shared/playerStats.js';
import type { TimedPlayerStats } from './browserViewer.js';
import type { NodeViewerStats } from './nodeViewer.js';
import { isMediasoupWorker, sharesByProcess, type TreeSample } from './processUsage.js';
import type { KindStats } from './rtpStats.js';
import type { WorkerMetrics } from './serverMetrics.js';

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
  browsers: BrowserWindow[];
  /** Chromium's processes over the window, in cores; undefined without browser viewers. */
  browserCpuShare: number | undefined;
  /** The server's /metrics at both ends of the window; undefined when it could not be read. */
  workers: { before: WorkerMetrics[]; after: WorkerMetrics[]; seconds: number } | undefined;
  /** The stage's running recording at the end; null when none runs, undefined when unknown. */
  recording: RecordingState | null | undefined;
}

/** One Chromium viewer: its join, and its player's stats at both ends of the window. */
export interface BrowserWindow {
  name: string;
  joinMs: number | undefined;
  start: TimedPlayerStats | undefined;
  end: TimedPlayerStats | undefined;
  /** Why it has no figures (it never played, or its page broke). */
  problem: string | undefined;
}

export interface RecordingState {
  id: string;
  durationSeconds: number;
  sizeBytes: number;
}

export interface BrowserViewerFigures {
  name: string;
  joinMs: number | null;
  framesPerSecond: number | null;
  resolution: string | null;
  freezes: number | null;
  freezeMs: number | null;
  framesDropped: number | null;
  lossPct: number | null;
  problem: string | null;
}

export interface WorkerFigures {
  worker: string;
  pid: number;
  consumers: number;
  /** Cores (1.0 = one core busy) over the window; null when the worker was replaced meanwhile. */
  cpuShare: number | null;
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
  /** Video frames per second each node viewer received over the window (a frame = a new RTP timestamp). */
  viewerFpsP50: number | null;
  viewerFpsWorst: number | null;
  /** Freezes per node viewer over the window, by the WebRTC rule (see FreezeCounter). */
  freezesPerViewerP50: number | null;
  freezesPerViewerP95: number | null;
  freezesPerViewerWorst: number | null;
  freezeMsPerViewerP95: number | null;
  freezeMsPerViewerWorst: number | null;
  browserViewersRequested: number;
  browserViewers: BrowserViewerFigures[];
  browserJoinMsP50: number | null;
  browserFpsP50: number | null;
  browserFpsWorst: number | null;
  browserFreezesWorst: number | null;
  browserFreezeMsWorst: number | null;
  browserLossPctWorst: number | null;
  /** RTP packets (audio + video) all viewers, browsers included, received per second: a proxy for what the server sent. */
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
  /** Chromium's processes (browser viewers decode and render): generator side, not server. */
  browserCpuShare: number | null;
  workers: WorkerFigures[] | null;
  recordingActive: boolean | null;
  recordingSeconds: number | null;
  recordingBytes: number | null;
  windowSeconds: number;
}

const RECEIVING_WINDOW_MS = 2_000;
const RECEIVING_AT_END_NOTE = `a packet in the last ${RECEIVING_WINDOW_MS / 1000} s`;

export function summarize(input: BenchInput): BenchSummary {
  const { windowStart, windowEnd, windowSeconds } = input;
  const connected = windowEnd.filter((stats) => stats.connected).length;
  const joinTimes = windowEnd.map((stats) => stats.joinMs).filter((ms): ms is number => ms !== undefined);
  const losses = windowEnd.filter((stats) => stats.video.packets > 0 || stats.audio.packets > 0).map(viewerLossPercent);
  const browsers = input.browsers.map(browserFigures);
  const playingBrowsers = input.browsers.filter((browser) => browser.start && browser.end);
  let packets = 0;
  let bytes = 0;
  windowEnd.forEach((end, index) => {
    const start = windowStart[index]!;
    packets += end.video.packets + end.audio.packets - start.video.packets - start.audio.packets;
    bytes += end.video.bytes + end.audio.bytes - start.video.bytes - start.audio.bytes;
  });
  for (const browser of playingBrowsers) {
    packets += playerTotal(browser.end!.stats, 'packetsReceived') - playerTotal(browser.start!.stats, 'packetsReceived');
    bytes += playerTotal(browser.end!.stats, 'bytesReceived') - playerTotal(browser.start!.stats, 'bytesReceived');
  }
  const packetsPerSecond = packets / windowSeconds;
  const viewers = connected + playingBrowsers.length;
  const server = input.server ? serverFigures(input.server, packetsPerSecond, viewers) : undefined;
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
    ...crowdVideoFigures(windowStart, windowEnd, windowSeconds),
    browserViewersRequested: input.browsers.length,
    browserViewers: browsers,
    ...browserSummary(browsers),
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
    browserCpuShare: input.browserCpuShare === undefined ? null : round(input.browserCpuShare, 3),
    workers: input.workers ? workerFigures(input.workers) : null,
    recordingActive: input.recording === undefined ? null : input.recording !== null,
    recordingSeconds: input.recording ? round(input.recording.durationSeconds, 1) : null,
    recordingBytes: input.recording?.sizeBytes ?? null,
    windowSeconds: round(windowSeconds, 1),
  };
}

/** Frame rate and freezes of the node-datachannel crowd, per viewer that received video. */
function crowdVideoFigures(windowStart: NodeViewerStats[], windowEnd: NodeViewerStats[], windowSeconds: number) {
  const perViewer = windowEnd
    .map((end, index) => ({ end: end.videoFrames, start: windowStart[index]!.videoFrames }))
    .filter(({ end }) => end.frames > 0)
    .map(({ start, end }) => ({
      fps: (end.frames - start.frames) / windowSeconds,
      freezes: end.freezes - start.freezes,
      freezeMs: end.freezeMs - start.freezeMs,
    }));
  const fps = perViewer.map((viewer) => viewer.fps);
  const freezes = perViewer.map((viewer) => viewer.freezes);
  const freezeMs = perViewer.map((viewer) => viewer.freezeMs);
  return {
    viewerFpsP50: roundOrNull(percentile(fps, 50), 1),
    viewerFpsWorst: roundOrNull(minimum(fps), 1),
    freezesPerViewerP50: roundOrNull(percentile(freezes, 50)),
    freezesPerViewerP95: roundOrNull(percentile(freezes, 95)),
    freezesPerViewerWorst: roundOrNull(maximum(freezes)),
    freezeMsPerViewerP95: roundOrNull(percentile(freezeMs, 95)),
    freezeMsPerViewerWorst: roundOrNull(maximum(freezeMs)),
  };
}

function browserFigures(browser: BrowserWindow): BrowserViewerFigures {
  const figures: BrowserViewerFigures = {
    name: browser.name,
    joinMs: roundOrNull(browser.joinMs),
    framesPerSecond: null,
    resolution: null,
    freezes: null,
    freezeMs: null,
    framesDropped: null,
    lossPct: null,
    problem: browser.problem ?? null,
  };
  const start = browser.start;
  const end = browser.end;
  if (!start || !end) return figures;
  const seconds = (end.pageTimeMs - start.pageTimeMs) / 1000;
  const video = { start: start.stats.video, end: end.stats.video };
  const received = playerTotal(end.stats, 'packetsReceived') - playerTotal(start.stats, 'packetsReceived');
  const lost = playerTotal(end.stats, 'packetsLost') - playerTotal(start.stats, 'packetsLost');
  return {
    ...figures,
    framesPerSecond: video.end && seconds > 0 ? round((video.end.framesDecoded - (video.start?.framesDecoded ?? 0)) / seconds, 1) : null,
    resolution: video.end ? `${video.end.frameWidth}x${video.end.frameHeight}` : null,
    freezes: video.end ? video.end.freezeCount - (video.start?.freezeCount ?? 0) : null,
    freezeMs: video.end ? round(1000 * (video.end.totalFreezesDuration - (video.start?.totalFreezesDuration ?? 0))) : null,
    framesDropped: video.end ? video.end.framesDropped - (video.start?.framesDropped ?? 0) : null,
    lossPct: received + lost > 0 ? round((100 * Math.max(0, lost)) / (received + lost), 3) : null,
  };
}

function browserSummary(browsers: BrowserViewerFigures[]) {
  const values = (pick: (figures: BrowserViewerFigures) => number | null) => browsers.map(pick).filter((value): value is number => value !== null);
  const fps = values((figures) => figures.framesPerSecond);
  return {
    browserJoinMsP50: roundOrNull(
      percentile(
        values((figures) => figures.joinMs),
        50,
      ),
    ),
    browserFpsP50: roundOrNull(percentile(fps, 50), 1),
    browserFpsWorst: roundOrNull(minimum(fps), 1),
    browserFreezesWorst: roundOrNull(maximum(values((figures) => figures.freezes))),
    browserFreezeMsWorst: roundOrNull(maximum(values((figures) => figures.freezeMs))),
    browserLossPctWorst: roundOrNull(maximum(values((figures) => figures.lossPct)), 3),
  };
}

/** Audio plus shown video, as the player reports them. */
function playerTotal(stats: PlayerStats, field: 'packetsReceived' | 'packetsLost' | 'bytesReceived'): number {
  return (stats.video?.[field] ?? 0) + (stats.audio?.[field] ?? 0);
}

function workerFigures({ before, after, seconds }: NonNullable<BenchInput['workers']>): WorkerFigures[] {
  return after.map((worker) => {
    const earlier = before.find((candidate) => candidate.worker === worker.worker && candidate.pid === worker.pid);
    return {
      worker: worker.worker,
      pid: worker.pid,
      consumers: worker.consumers,
      cpuShare: earlier && seconds > 0 ? round((worker.cpuSeconds - earlier.cpuSeconds) / seconds, 3) : null,
    };
  });
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

function roundOrNull(value: number | undefined, digits = 0): number | null {
  return value === undefined ? null : round(value, digits);
}

function minimum(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.min(...values);
}

function maximum(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}

export interface ReportContext {
  startedAt: Date;
  url: string;
  stageId: string;
  source: string;
  rampPerSecond: number;
  serverPid: number | undefined;
  /** net.core.rmem_default: the receive buffer the media worker's ingest socket gets. */
  udpReceiveBufferBytes: number | undefined;
}

const show = (value: number | null, unit = '') => (value === null ? 'n/a' : `${value}${unit}`);
const percentOfCore = (share: number | null) => (share === null ? 'n/a' : `${round(share * 100, 1)} %`);

/** A Markdown page with tables of results and the meaning of each figure. */
export function markdownReport(summary: BenchSummary, context: ReportContext): string {
  const rows: [string, string][] = [
    ['Viewers requested / connected / receiving at end', `${summary.viewersRequested} / ${summary.viewersConnected} / ${summary.viewersReceivingAtEnd}`],
    ['Connect failures', String(summary.connectFailures)],
    ['Join time p50 / p95 (connect → first video packet)', `${show(summary.joinMsP50, ' ms')} / ${show(summary.joinMsP95, ' ms')}`],
    ['Loss per viewer p50 / p95 / worst', `${summary.lossPctP50} % / ${summary.lossPctP95} % / ${summary.lossPctWorst} %`],
    ['Video frames/s per viewer p50 / worst', `${show(summary.viewerFpsP50)} / ${show(summary.viewerFpsWorst)}`],
    [
      'Freezes per viewer p50 / p95 / worst (frozen ms p95 / worst)',
      `${show(summary.freezesPerViewerP50)} / ${show(summary.freezesPerViewerP95)} / ${show(summary.freezesPerViewerWorst)} (${show(summary.freezeMsPerViewerP95, ' ms')} / ${show(summary.freezeMsPerViewerWorst, ' ms')})`,
    ],
    [
      'Browser viewers: join p50, frames/s p50 / worst',
      `${show(summary.browserJoinMsP50, ' ms')}, ${show(summary.browserFpsP50)} / ${show(summary.browserFpsWorst)}`,
    ],
    [
      'Browser viewers: worst freezes (frozen ms), worst loss',
      `${show(summary.browserFreezesWorst)} (${show(summary.browserFreezeMsWorst, ' ms')}), ${show(summary.browserLossPctWorst, ' %')}`,
    ],
    ['Recording of the stage at the end', recordingText(summary)],
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
    ['Generator CPU of Chromium (browser viewers), of one core', percentOfCore(summary.browserCpuShare)],
  ];
  return [
    `# Viewer benchmark ${context.startedAt.toISOString()}`,
    '',
    `Server ${context.url}${context.serverPid ? ` (pid ${context.serverPid})` : ''}, stage \`${context.stageId}\`, source: ${context.source}.`,
    `Viewers: node-datachannel, ramped at ${context.rampPerSecond}/s, and ${summary.browserViewersRequested} in Chromium; then measured over ${summary.windowSeconds} s.`,
    `Kernel default UDP receive buffer (net.core.rmem_default): ${show(context.udpReceiveBufferBytes ?? null, ' bytes')}.`,
    '',
    ...table(['Figure', 'Value'], rows),
    '',
    ...browserSection(summary.browserViewers),
    ...workerSection(summary.workers),
    'Notes:',
    `- "Receiving at end" means ${RECEIVING_AT_END_NOTE}; "connected" means ICE and DTLS up at the end.`,
    '- Packet and byte rates are what viewers received (decrypted RTP: no SRTP tag, UDP or IP headers); the',
    '  server sent that plus any packets lost, and RTCP. Browser viewers count in them (getStats(), payload bytes)',
    '  and in the per-viewer server figures.',
    '- serverPacketsPerCoreSecond = RTP packets per second / server CPU cores busy (Node + workers, idle included).',
    "- Loss is counted from RTP sequence numbers over each node viewer's whole run (expected - received);",
    "  a browser's from its getStats() packetsLost over the window.",
    "- Freezes use WebRTC's rule (an interval between frames of at least max(3 × average, average + 150 ms),",
    '  the average over the last 30). Node viewers time frame arrival (first packet of a new RTP timestamp);',
    '  browsers report getStats() freezeCount/totalFreezesDuration, timed at rendering. Both over the window only.',
    "- Browser join = navigation start → first decoded frame (polled every 50 ms). Chromium's CPU (decoding,",
    "  rendering) is generator-side: its processes are this bench's children, not the server's.",
    "- Worker CPU comes from the server's /metrics (getrusage of each mediasoup worker) at both ends of the window.",
    '',
  ].join('\n');
}

function recordingText(summary: BenchSummary): string {
  if (summary.recordingActive === null) return 'unknown (GET /api/recordings failed)';
  if (!summary.recordingActive) return 'not recording';
  return `recording: ${show(summary.recordingSeconds, ' s')}, ${show(summary.recordingBytes === null ? null : round(summary.recordingBytes / 2 ** 20, 1), ' MB')}`;
}

function browserSection(browsers: BrowserViewerFigures[]): string[] {
  if (browsers.length === 0) return [];
  const rows = browsers.map((browser) => [
    browser.name,
    show(browser.joinMs, ' ms'),
    show(browser.framesPerSecond),
    browser.resolution ?? 'n/a',
    `${show(browser.freezes)} (${show(browser.freezeMs, ' ms')})`,
    show(browser.framesDropped),
    show(browser.lossPct, ' %'),
    browser.problem ?? '',
  ]);
  return [
    '## Browser viewers (Chromium, /watch page)',
    '',
    ...table(['Viewer', 'Join', 'Frames/s', 'Resolution', 'Freezes (frozen)', 'Dropped', 'Loss', 'Problem'], rows),
    '',
  ];
}

function workerSection(workers: WorkerFigures[] | null): string[] {
  if (!workers) return ['Per-worker figures: n/a (/metrics not read; give --metrics-token with --url).', ''];
  const rows = workers.map((worker) => [worker.worker, String(worker.pid), String(worker.consumers), percentOfCore(worker.cpuShare)]);
  return ['## mediasoup workers (from /metrics)', '', ...table(['Worker', 'pid', 'Consumers at end', 'CPU over the window, of one core'], rows), ''];
}

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)];
}
