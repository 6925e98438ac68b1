/**
 * The pre-flight check of an ingest: what the encoder really sends, with warnings where a setting
 * hurts viewers. For SRT and RTMP it is read from ffmpeg while it copies the first seconds (its
 * framecrc output lists every video packet with its timestamps, size and key flag; its stream dump
 * names the profile); for WHIP from the video's RTP (rtpPreflight.ts).
 */
import type { IngestPreflight, IngestPreflightWarning } from '../../shared/protocol.js';

/** How long of the encoder's video the check looks at. */
export const PREFLIGHT_SECONDS = 6;
/** Longer than this, new viewers and HLS segments wait for a keyframe too long. */
const MAX_KEYFRAME_INTERVAL_SECONDS = 2;

interface Packet {
  dts: number;
  pts: number;
  size: number;
  key: boolean;
}

/** A video frame as the check counts it: when it is decoded (seconds from any start), its bytes, whether it is a keyframe. */
export interface MeasuredFrame {
  seconds: number;
  bytes: number;
  key: boolean;
}

/** What the check knows of the video besides its frames. */
export interface VideoFacts {
  codec: string;
  profile: string | null;
  width: number;
  height: number;
  bFrames: boolean;
}

/** The check's figures and warnings over these frames (in decoding order); null before two frames a moment apart. */
export function preflightOf(frames: readonly MeasuredFrame[], facts: VideoFacts, maxBitrateKbps: number): IngestPreflight | null {
  if (frames.length < 2) return null;
  const times = frames.map((frame) => frame.seconds);
  const seconds = Math.max(...times) - Math.min(...times);
  if (seconds <= 0) return null;
  const keyTimes = frames.filter((frame) => frame.key).map((frame) => frame.seconds);
  const gaps = keyTimes.slice(1).map((time, index) => time - keyTimes[index]!);
  const measured = {
    codec: facts.codec,
    profile: facts.profile,
    width: facts.width,
    height: facts.height,
    frameRate: round((frames.length - 1) / seconds, 2),
    bFrames: facts.bFrames,
    keyframeIntervalSeconds: gaps.length > 0 ? round(Math.max(...gaps), 2) : null,
    bitrateKbps: Math.round((frames.reduce((sum, frame) => sum + frame.bytes, 0) * 8) / seconds / 1000),
    measuredSeconds: round(seconds, 2),
  };
  return { ...measured, warnings: warningsFor(measured, keyTimes.length, maxBitrateKbps) };
}

export class PreflightMeter {
  private timeBase = 1 / 1000;
  private codec = 'unknown';
  private profile: string | null = null;
  private width = 0;
  private height = 0;
  private readonly packets: Packet[] = [];

  constructor(private readonly maxBitrateKbps: number) {}

  /** A line of ffmpeg's framecrc output for the copied video. */
  framecrcLine(line: string): void {
    const header = /^#(tb|codec_id|dimensions) 0: (.+)$/.exec(line);
    if (header) return this.header(header[1]!, header[2]!.trim());
    if (line.startsWith('#')) return;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 6) return;
    const flags = fields.find((field) => field.startsWith('F='));
    // framecrc leaves the flags out for a plain keyframe.
    this.packets.push({
      dts: Number(fields[1]),
      pts: Number(fields[2]),
      size: Number(fields[4]),
      key: flags === undefined || (Number(flags.slice(2)) & 1) === 1,
    });
  }

  /** A line of ffmpeg's log: the input's stream dump names the H.264 profile. */
  logLine(line: string): void {
    if (this.profile !== null) return;
    const video = /Stream #0:\d+.*: Video: (\w+) \(([^)]+)\)/.exec(line);
    if (video) this.profile = video[2]!;
  }

  /** Without B-frames every frame is shown when it is decoded: pts and dts differ by a constant. */
  get bFrames(): boolean {
    const first = this.packets[0];
    return first !== undefined && this.packets.some((packet) => packet.pts - packet.dts !== first.pts - first.dts);
  }

  result(): IngestPreflight | null {
    const frames = this.packets.map((packet) => ({ seconds: packet.dts * this.timeBase, bytes: packet.size, key: packet.key }));
    const facts = { codec: this.codec, profile: this.profile, width: this.width, height: this.height, bFrames: this.bFrames };
    return preflightOf(frames, facts, this.maxBitrateKbps);
  }

  private header(name: string, value: string): void {
    if (name === 'codec_id') this.codec = value;
    if (name === 'dimensions') [this.width, this.height] = value.split('x').map(Number) as [number, number];
    if (name === 'tb') {
      const [numerator, denominator] = value.split('/').map(Number) as [number, number];
      this.timeBase = numerator / denominator;
    }
  }
}

function warningsFor(measured: Omit<IngestPreflight, 'warnings'>, keyframes: number, maxBitrateKbps: number): IngestPreflightWarning[] {
  const warnings: IngestPreflightWarning[] = [];
  if (measured.codec !== 'h264') {
    warnings.push({ code: 'video_codec', message: `The encoder sends ${measured.codec}; set it to H.264.` });
  }
  if (measured.bFrames) {
    warnings.push({ code: 'b_frames', message: 'The encoder sends B-frames, which stutter in browsers: set B-frames to 0 (or the profile to Baseline).' });
  }
  const interval = measured.keyframeIntervalSeconds;
  if ((interval !== null && interval > MAX_KEYFRAME_INTERVAL_SECONDS) || keyframes < 2) {
    const seen = interval === null ? `fewer than two keyframes in ${measured.measuredSeconds} s` : `a keyframe every ${interval} s`;
    warnings.push({
      code: 'keyframe_interval',
      message: `The encoder sends ${seen}: new viewers wait that long for a picture and recordings cut coarsely. Set the keyframe interval to 1 s (at most ${MAX_KEYFRAME_INTERVAL_SECONDS} s).`,
    });
  }
  if (measured.bitrateKbps > maxBitrateKbps) {
    warnings.push({
      code: 'bitrate',
      message: `The encoder sends about ${measured.bitrateKbps} kbit/s, over the ${maxBitrateKbps} kbit/s viewers are expected to receive: lower the video bitrate.`,
    });
  }
  return warnings;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
