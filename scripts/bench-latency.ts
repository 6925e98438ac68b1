/**
 * Glass-to-glass delay on one machine (one clock): from a frame leaving the source to the same
 * frame shown by a WebRTC viewer (/watch) and by a live-HLS viewer (/replay of the recording).
 *
 *   npm run bench:latency -- --seconds 30
 *   node dist/scripts/bench-latency.js [--seconds S] [--url URL] [--stage demo]
 *     [--size 1280x720] [--fps 30] [--bitrate 1500] [--codec H264|VP8]
 *
 * The source is scripts/demo-source --clock: every frame shows, as a barcode, the Date.now() at
 * which it went to ffmpeg (libx264 or libvpx, then plain RTP into the server's ingest). Chromium
 * plays the real pages; a probe reads the barcode of every presented frame. Without --url the
 * bench starts dist/server/main.js and the source itself; with --url (a server on this machine:
 * plain-RTP ingest is loopback only) it runs the source on --stage, which must be in the
 * programme (to be recorded) and off air (the clock must be the only picture).
 *
 * Prints the figures, writes bench/results/latency-<timestamp>.md, and prints one JSON object as
 * the last line of stdout for scripts to read.
 */
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { RecordingInfo, StagesResponse } from '../shared/protocol.js';
import { ingestCodecSchema, stageIdSchema } from '../shared/protocol.js';
import { launchChromium } from './bench/chromium.js';
import { type ClockReadings, clockProbeScript } from './bench/clockProbe.js';
import { latencyMarkdown, pathFigures } from './bench/latencyReport.js';
import { type LocalServer, startDemoSource, startLocalServer, stopProcess, type TestPattern } from './bench/localServer.js';
import { positiveInteger, sleep, writeReport } from './bench/benchCli.js';

/** Above Linux's ephemeral ports and away from the ranges of tests and bench:viewers. */
const RTC_PORTS = { min: 61_000, max: 61_999 };
/** The HLS viewer joins once the recording is this long, as a viewer arriving mid-talk would. */
const HLS_JOIN_AFTER_SECONDS = 10;
const RECORDING_TIMEOUT_MS = 60_000;
const FIRST_FRAME_TIMEOUT_MS = 30_000;
/** After the first readable frame, players get this long to settle before measuring starts. */
const SETTLE_MS = 15_000;
const PROGRESS_INTERVAL_MS = 5_000;

interface Options {
  seconds: number;
  url: string | undefined;
  stageId: string;
  pattern: TestPattern;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '30' },
      url: { type: 'string' },
      stage: { type: 'string', default: 'demo' },
      size: { type: 'string', default: '1280x720' },
      fps: { type: 'string', default: '30' },
      bitrate: { type: 'string', default: '1500' },
      codec: { type: 'string', default: 'H264' },
    },
  });
  const size = values.size ?? '';
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match || Number(match[1]) % 2 !== 0 || Number(match[2]) % 2 !== 0) throw new Error(`--size must look like 1280x720, with even numbers (got "${size}").`);
  const codec = ingestCodecSchema.exclude(['opus']).safeParse(values.codec);
  if (!codec.success) throw new Error(`--codec must be H264 or VP8 (got "${values.codec}").`);
  const stage = stageIdSchema.safeParse(values.stage);
  if (!stage.success) throw new Error(`--stage is not a stage id (got "${values.stage}").`);
  return {
    seconds: positiveInteger('--seconds', values.seconds),
    url: values.url?.replace(/\/+$/, ''),
    stageId: stage.data,
    pattern: {
      codec: codec.data,
      size,
      fps: positiveInteger('--fps', values.fps),
      bitrateKbps: positiveInteger('--bitrate', values.bitrate),
      clock: true,
    },
  };
}

/** The server measured and the clock source feeding it. */
interface Target {
  url: string;
  local: LocalServer | undefined;
  source: ChildProcess | undefined;
  logs(): string;
}

async function startTarget(options: Options): Promise<Target> {
  if (!options.url) {
    const local = await startLocalServer({ stageId: options.stageId, pattern: options.pattern, rtcPorts: RTC_PORTS });
    return { url: local.url, local, source: undefined, logs: () => local.logs() };
  }
  await requireOffAir(options.url, options.stageId);
  const output = { text: '' };
  const source = startDemoSource(options.url, options.stageId, options.pattern, output);
  return { url: options.url, local: undefined, source, logs: () => output.text };
}

async function requireOffAir(url: string, stageId: string): Promise<void> {
  const response = await fetch(`${url}/api/stages`).catch((error: unknown) => {
    throw new Error(`no server answers at ${url}: ${String(error)}`);
  });
  const { stages } = (await response.json()) as StagesResponse;
  const stage = stages.find((candidate) => candidate.id === stageId);
  if (!stage) throw new Error(`${url} has no stage ${stageId}; choose one of its programme with --stage.`);
  if (stage.live) {
    throw new Error(`stage ${stageId} is already on air, and the clock must be its only picture: choose an idle stage with --stage.`);
  }
}

async function waitForLiveRecording(target: Target, stageId: string): Promise<RecordingInfo> {
  const deadline = Date.now() + RECORDING_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const body = (await fetch(`${target.url}/api/recordings?stage=${stageId}`).then((response) => response.json())) as { recordings: RecordingInfo[] };
    const live = body.recordings.find((recording) => recording.status === 'recording' && recording.durationSeconds >= HLS_JOIN_AFTER_SECONDS);
    if (live) return live;
    await sleep(500);
  }
  throw new Error(`no recording of stage ${stageId} reached ${HLS_JOIN_AFTER_SECONDS} s within ${RECORDING_TIMEOUT_MS / 1000} s:\n${target.logs()}`);
}

async function openProbedPage(browser: Browser, url: string, videoSelector: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.evaluate(clockProbeScript(videoSelector));
  return page;
}

function takeReadings(page: Page): Promise<ClockReadings> {
  return page.evaluate(() => (globalThis as unknown as { estradClock: { take(): ClockReadings } }).estradClock.take());
}

async function waitForFirstReading(page: Page, name: string, target: Target): Promise<void> {
  const deadline = Date.now() + FIRST_FRAME_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const readings = await takeReadings(page);
    if (readings.samples.length > 0) return;
    await sleep(500);
  }
  throw new Error(`the ${name} viewer showed no readable clock frame within ${FIRST_FRAME_TIMEOUT_MS / 1000} s:\n${target.logs()}`);
}

/** Reads both viewers over the window, printing progress, and returns everything read. */
async function measure(pages: { webrtc: Page; hls: Page }, seconds: number) {
  const all = { webrtc: emptyReadings(), hls: emptyReadings() };
  await Promise.all([takeReadings(pages.webrtc), takeReadings(pages.hls)]);
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  while (deadline - performance.now() > 50) {
    await sleep(Math.min(PROGRESS_INTERVAL_MS, deadline - performance.now()));
    for (const path of ['webrtc', 'hls'] as const) {
      const readings = await takeReadings(pages[path]);
      all[path].samples.push(...readings.samples);
      all[path].rejected += readings.rejected;
      all[path].stalls += readings.stalls;
    }
    const progress = (path: 'webrtc' | 'hls') => `${all[path].samples.length} frames, last ${Math.round(all[path].samples.at(-1)?.delayMs ?? NaN)} ms`;
    console.log(`  ${Math.round((performance.now() - startedAt) / 1000)} s: WebRTC ${progress('webrtc')}; HLS ${progress('hls')}`);
  }
  return all;
}

function emptyReadings(): ClockReadings {
  return { samples: [], rejected: 0, stalls: 0 };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const startedAt = new Date();
  const { pattern } = options;
  const source = `demo-source --clock ${pattern.size} ${pattern.fps} fps ${pattern.bitrateKbps} kbit/s ${pattern.codec}`;
  const target = await startTarget(options);
  let browser: Browser | undefined;
  try {
    console.log(`bench: glass-to-glass delay on ${target.url} stage ${options.stageId} (${source})`);
    browser = await launchChromium();
    const webrtc = await openProbedPage(browser, `${target.url}/watch/${options.stageId}`, '#player-video');
    await waitForFirstReading(webrtc, 'WebRTC', target);
    const recording = await waitForLiveRecording(target, options.stageId);
    const hls = await openProbedPage(browser, `${target.url}/replay/${recording.id}`, '#replay-video');
    await waitForFirstReading(hls, 'live-HLS', target);
    await sleep(SETTLE_MS);
    const readings = await measure({ webrtc, hls }, options.seconds);

    const webrtcFigures = pathFigures(readings.webrtc);
    const hlsFigures = pathFigures(readings.hls);
    for (const [name, figures] of [
      ['WebRTC', webrtcFigures],
      ['live HLS', hlsFigures],
    ] as const) {
      console.log(
        `${name}: p50 ${figures.msP50} ms, p95 ${figures.msP95} ms, max ${figures.msMax} ms over ${figures.framesMeasured} frames (${figures.framesRejected} rejected), ${figures.stalls} stalls`,
      );
    }
    const context = { startedAt, url: target.url, stageId: options.stageId, source, seconds: options.seconds, fps: pattern.fps };
    const reportPath = writeReport('latency', latencyMarkdown({ webrtc: webrtcFigures, hls: hlsFigures }, context), startedAt);
    console.log(`report: ${reportPath}`);
    console.log(
      JSON.stringify({
        webrtcMsP50: webrtcFigures.msP50,
        webrtcMsP95: webrtcFigures.msP95,
        webrtcMsMax: webrtcFigures.msMax,
        webrtcFramesMeasured: webrtcFigures.framesMeasured,
        webrtcFramesRejected: webrtcFigures.framesRejected,
        webrtcStalls: webrtcFigures.stalls,
        hlsMsP50: hlsFigures.msP50,
        hlsMsP95: hlsFigures.msP95,
        hlsMsMax: hlsFigures.msMax,
        hlsFramesMeasured: hlsFigures.framesMeasured,
        hlsFramesRejected: hlsFigures.framesRejected,
        hlsStalls: hlsFigures.stalls,
        framesMeasured: webrtcFigures.framesMeasured + hlsFigures.framesMeasured,
        seconds: options.seconds,
        reportPath,
      }),
    );
  } finally {
    await browser?.close();
    await stopProcess(target.source);
    await target.local?.stop();
  }
}

// Exits explicitly: socket.io and playwright timers could otherwise keep the process up.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
