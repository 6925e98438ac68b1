/**
 * The production encoders of the ingest tests, made with ffmpeg: its moving test pattern and a tone,
 * in real time, encoded by libx264 as a hardware mixer, vMix or OBS would send them. One command
 * line for all, so that what the tests send differs only where a test says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { TEST_FFMPEG } from './mediaTools.js';

export const ENCODER_FRAME_RATE = 25;
/** As OBS and vMix do, an encoder whose connection failed or ended calls again this much later. */
const RECONNECT_DELAY_MS = 1000;

/** What an encoder sends, as its operator sets it up. */
export interface EncoderSettings {
  width: number;
  height: number;
  /** libx264's own (High) when not given. */
  profile?: 'baseline' | 'main';
  /** 0 unless a test is about B-frames. */
  bFrames?: number;
  keyframeEverySeconds?: number;
  /** x264's zerolatency tune, as OBS and low-latency mixers set it. */
  zeroLatency?: boolean;
  /** The tone's pitch: a backup encoder sounds different from the main one. */
  toneHz?: number;
}

/** ffmpeg's options before the inputs: quiet, no keyboard. */
export const ENCODER_QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin'];

/** The two real-time inputs: ffmpeg's test pattern (input 0) and a tone (input 1). */
export function encoderInputs({ width, height, toneHz = 440 }: EncoderSettings): string[] {
  return [
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${ENCODER_FRAME_RATE}`,
    '-re',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${toneHz}:sample_rate=48000`,
  ];
}

/** The video encoder's options for the next output. */
export function x264Options({ profile, bFrames = 0, keyframeEverySeconds = 1, zeroLatency = false }: EncoderSettings): string[] {
  return [
    ...['-c:v', 'libx264', '-preset', 'veryfast'],
    ...(zeroLatency ? ['-tune', 'zerolatency'] : []),
    ...(profile ? ['-profile:v', profile] : []),
    ...['-bf', String(bFrames), '-g', String(ENCODER_FRAME_RATE * keyframeEverySeconds), '-pix_fmt', 'yuv420p'],
  ];
}

/** A mixer's one output, picture and AAC sound muxed: FLV to an RTMP URL, MPEG-TS to an SRT one. */
export function mixerEncoderArgs(url: string, format: 'flv' | 'mpegts', settings: EncoderSettings): string[] {
  return [...ENCODER_QUIET, ...encoderInputs(settings), ...x264Options(settings), '-c:a', 'aac', '-b:a', '96k', '-f', format, url];
}

/** One connection attempt: the process ends when the server refuses or drops it. */
export function startMixerEncoder(url: string, format: 'flv' | 'mpegts', settings: EncoderSettings): ChildProcess {
  return spawn(TEST_FFMPEG, mixerEncoderArgs(url, format, settings), { stdio: 'ignore' });
}

/** An encoder that calls again whenever its connection fails or ends, until stopped. */
export class ReconnectingEncoder {
  private current: ChildProcess | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly format: 'flv' | 'mpegts',
    private readonly settings: EncoderSettings,
  ) {
    this.attempt();
  }

  /** Idempotent: a test stops its encoder, and its afterAll stops every one again. */
  stop(): void {
    this.stopped = true;
    this.current?.kill('SIGKILL');
  }

  private attempt(): void {
    if (this.stopped) return;
    this.current = startMixerEncoder(this.url, this.format, this.settings);
    this.current.once('exit', () => setTimeout(() => this.attempt(), RECONNECT_DELAY_MS));
  }
}
