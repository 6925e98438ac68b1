/** Turns the clock readings of each viewer into delay figures and a Markdown page. */
import { percentile } from './benchReport.js';
import type { ClockReadings } from './clockProbe.js';

export interface PathFigures {
  framesMeasured: number;
  framesRejected: number;
  stalls: number;
  msP50: number | null;
  msP95: number | null;
  msMin: number | null;
  msMax: number | null;
}

export function pathFigures(readings: ClockReadings): PathFigures {
  const delays = readings.samples.map((sample) => sample.delayMs);
  const rounded = (value: number | undefined) => (value === undefined ? null : Math.round(value));
  return {
    framesMeasured: delays.length,
    framesRejected: readings.rejected,
    stalls: readings.stalls,
    msP50: rounded(percentile(delays, 50)),
    msP95: rounded(percentile(delays, 95)),
    msMin: rounded(delays.length ? Math.min(...delays) : undefined),
    msMax: rounded(delays.length ? Math.max(...delays) : undefined),
  };
}

export interface LatencyContext {
  startedAt: Date;
  url: string;
  stageId: string;
  source: string;
  seconds: number;
  fps: number;
}

export function latencyMarkdown(paths: { webrtc: PathFigures; hls: PathFigures }, context: LatencyContext): string {
  const show = (value: number | null) => (value === null ? 'n/a' : `${value} ms`);
  const expected = Math.round(context.seconds * context.fps);
  const row = (name: string, figures: PathFigures) =>
    `| ${name} | ${show(figures.msP50)} | ${show(figures.msP95)} | ${show(figures.msMin)} | ${show(figures.msMax)} | ${figures.framesMeasured} of ~${expected} | ${figures.framesRejected} | ${figures.stalls} |`;
  return [
    `# Latency benchmark ${context.startedAt.toISOString()}`,
    '',
    `Server ${context.url}, stage \`${context.stageId}\`, source: ${context.source}; measured over ${context.seconds} s.`,
    '',
    '| Path | p50 | p95 | min | max | frames measured | frames rejected | stalls |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('WebRTC (/watch)', paths.webrtc),
    row('Live HLS (/replay, hls.js)', paths.hls),
    '',
    'Delay = the wall-clock time Chromium expects to show a frame (requestVideoFrameCallback',
    "expectedDisplayTime) minus the Date.now() painted into that frame as it was handed to ffmpeg's",
    "stdin. Both clocks are this machine's. Included: x264 encoding, RTP to the SFU, mediasoup, the",
    "viewer's jitter buffer and decoder (WebRTC); the recorder, segmenting, playlist updates, HTTP and",
    "hls.js buffering (HLS). Excluded: a camera's capture and a screen's scan-out. Rejected frames",
    "failed a barcode check and are not counted. Stalls: the player's 'waiting' events (it ran out of",
    'media) during the window.',
    '',
  ].join('\n');
}
