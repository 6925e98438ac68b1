/**
 * One SRT or RTMP ingest point at work: an ffmpeg that listens for the encoder and passes its
 * program feed as plain RTP to the stage, supervised so that it listens again whenever the encoder
 * disconnects (or ffmpeg refused a caller with a wrong key). All ingest ffmpeg runs start here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { IngestFeedRole, IngestPreflight, IngestProtocol, IngestTrackTarget } from '../../shared/protocol.js';
import { Peer } from '../domain/peer.js';
import type { Ffmpeg } from '../config/ffmpeg.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { FeedSwitch } from './feedSwitch.js';
import { PREFLIGHT_SECONDS, PreflightMeter } from './preflight.js';
import { rtpOutputArgs } from './testPattern.js';

export interface IngestListenerOptions {
  ingestPointId: string;
  stageId: string;
  protocol: Exclude<IngestProtocol, 'whip'>;
  role: IngestFeedRole;
  /** The address the listener binds to (the server's HOST). */
  listenIp: string;
  port: number;
  secret: string;
  /** SRT only: the stream id the caller sends. */
  streamId: string;
  ffmpeg: Ffmpeg;
  /** Above this video bitrate the pre-flight check warns. */
  maxBitrateKbps: number;
}

/** Quick enough that an encoder retrying after a drop finds the port listening again. */
const RELISTEN_DELAY_MS = 300;
/** After a failure to start (no ffmpeg, no stage media), not to flood the log. */
const RETRY_DELAY_MS = 5000;
const STDERR_LINES_KEPT = 20;
/** ffmpeg reports progress every 0.5 s (-stats_period): frames not counted for this long have stopped. */
const RECEIVING_WITHIN_MS = 1_500;
/** What ffmpeg's RTMP listener says when the publisher's stream name is not the key. */
const WRONG_STREAM_KEY = /Unexpected stream /;

/** The URL ffmpeg listens on; RTMP's path carries the key, which ffmpeg checks (and warns about). */
export function listenUrl({ protocol, listenIp, port, secret, streamId }: IngestListenerOptions): string {
  const host = listenIp.includes(':') ? `[${listenIp}]` : listenIp;
  if (protocol === 'rtmp') return `rtmp://${host}:${port}/live/${secret}`;
  // A passphrase mismatch fails the SRT handshake, so a caller without it never gets to send.
  const query = new URLSearchParams({ mode: 'listener', passphrase: secret, pbkeylen: '16', streamid: streamId });
  return `srt://${host}:${port}?${query.toString()}`;
}

/**
 * ffmpeg arguments: H.264 is copied (SPS/PPS put in front of every keyframe, as FLV carries them
 * only once) unless `transcodeVideo` (B-frames, which stutter in browsers), AAC becomes Opus. `-progress` tells when media flows, i.e. the encoder got in; the
 * first seconds' packets are listed on fd 3 for the pre-flight check.
 */
export function ingestFfmpegArgs(options: IngestListenerOptions, targets: IngestTrackTarget[], transcodeVideo: boolean): string[] {
  const video = targets.find((target) => target.kind === 'video');
  const audio = targets.find((target) => target.kind === 'audio');
  // Log level info for the input's stream dump (the profile); -nostats keeps the rest quiet.
  const args = ['-hide_banner', '-loglevel', 'info', '-nostats', '-nostdin', '-progress', 'pipe:1', '-stats_period', '0.5', '-sdp_file', '/dev/null'];
  if (options.protocol === 'rtmp') args.push('-listen', '1');
  args.push('-i', listenUrl(options));
  if (video)
    args.push('-map', '0:v:0', ...(transcodeVideo ? withoutBFrames(options) : ['-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb']), ...rtpOutputArgs(video));
  if (audio) args.push('-map', '0:a:0', '-c:a', 'libopus', '-b:a', '128k', '-ac', '2', '-ar', '48000', ...rtpOutputArgs(audio));
  args.push('-map', '0:v:0', '-c:v', 'copy', '-t', String(PREFLIGHT_SECONDS), '-f', 'framecrc', 'pipe:3');
  return args;
}

/** H.264 without B-frames, a keyframe every second (the demo's rule), at most the bitrate ceiling. */
function withoutBFrames({ maxBitrateKbps }: IngestListenerOptions): string[] {
  const rate = `${maxBitrateKbps}k`;
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-force_key_frames',
    'expr:gte(t,n_forced*1)',
    '-crf',
    '23',
    '-maxrate',
    rate,
    '-bufsize',
    rate,
  ];
}

export class IngestListener {
  private child: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> = Promise.resolve();
  private stopped = false;
  private meter: PreflightMeter | undefined;
  /** The stage and peer of the listen now running, while it is on the stage. */
  private attached: { stage: Stage; peer: Peer } | undefined;
  /** When the encoder's frames last came through; 0 while none have. */
  private mediaAt = 0;
  private role: IngestFeedRole;
  /** Set when the encoder sent B-frames: its next connections are transcoded until it sends none. */
  private transcodeVideo = false;
  private readonly logger: Logger;

  constructor(
    private readonly options: IngestListenerOptions,
    private readonly registry: StageRegistry,
    private readonly feeds: FeedSwitch,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ingest', ingestPoint: options.ingestPointId, stage: options.stageId, protocol: options.protocol });
    this.role = options.role;
  }

  /** Whether an encoder is connected and its frames come through (within the last two progress reports). */
  get receiving(): boolean {
    return Date.now() - this.mediaAt < RECEIVING_WITHIN_MS;
  }

  /** Whether the encoder's media is on air now (not waiting on standby as a backup). */
  get onAir(): boolean {
    return this.attached !== undefined && this.attached.stage.hasOnAir(this.attached.peer);
  }

  /** The technicians made the point a main or backup feed: the connected encoder stays, on its new side. */
  changeRole(role: IngestFeedRole): void {
    this.role = role;
    if (this.attached) this.feeds.changeRole(this.attached.stage, this.attached.peer, role);
  }

  start(): void {
    this.starting = this.run().catch((error: unknown) => {
      this.logger.error({ err: error }, 'ingest listener could not start; trying again');
      this.scheduleRestart(RETRY_DELAY_MS);
    });
  }

  /** What the connected encoder sends; null while none is. */
  preflight(): IngestPreflight | null {
    return this.meter?.result() ?? null;
  }

  /** From now on an ffmpeg that ends is not started again (shutdown: Ctrl+C signals ffmpeg too). */
  stopRelistening(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
  }

  /** Resolves once ffmpeg has exited, so the port is free for whoever listens next. */
  async stop(): Promise<void> {
    this.stopRelistening();
    // A run still setting up would otherwise spawn its ffmpeg after this.
    await this.starting;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  /** One listen: a peer on the stage with targets ready but off air until the encoder's media flows. */
  private async run(): Promise<void> {
    const ffmpegPath = this.options.ffmpeg.runnablePath();
    const stage = this.registry.open(this.options.stageId);
    // The encoder's address is ffmpeg's business; per-address limits count sockets, not this peer.
    const peer = new Peer('ingest', `ingest-point:${this.options.ingestPointId}`, 'ingest-point');
    await stage.join(peer);
    this.feeds.attach(stage, peer, this.role);
    this.attached = { stage, peer };
    const leave = async () => {
      if (this.attached?.peer === peer) this.attached = undefined;
      this.feeds.detach(stage, peer);
      // On purpose once the point is stopped (revoked, rotated); else the encoder went (or was cut off).
      await stage.leave(peer, { deliberate: this.stopped });
      await this.registry.closeIfEmpty(stage);
    };
    if (this.stopped) return leave();
    const { targets, goOnAir } = await stage
      .prepareIngest(peer, [
        { source: 'camera', codec: 'H264' },
        { source: 'microphone', codec: 'opus' },
      ])
      .catch(async (error: unknown) => {
        await leave();
        throw error;
      });
    if (this.stopped) return leave();
    const transcoding = this.transcodeVideo;
    const child = spawn(ffmpegPath, ingestFfmpegArgs(this.options, targets, transcoding), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    this.child = child;
    const meter = new PreflightMeter(this.options.maxBitrateKbps);
    this.meter = meter;
    createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on('line', (line) => {
      meter.framecrcLine(line);
      if (transcoding || this.transcodeVideo || !meter.bFrames) return;
      // ffmpeg cannot switch from copying to encoding mid-stream: the encoder is cut off and,
      // as encoders do, connects again, to a listener that transcodes.
      this.transcodeVideo = true;
      this.logger.warn(
        'the encoder sends B-frames, which stutter in browsers: transcoding its video from its next connection; set B-frames to 0 in the encoder',
      );
      child.kill('SIGKILL');
    });
    let onAir = false;
    let refused = false;
    let frames = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // Progress comes only once input is open and frames are copied: the encoder is in.
      const progress = /^frame=(\d+)/.exec(line);
      if (refused || !progress) return;
      const copied = Number(progress[1]);
      if (copied > frames) [frames, this.mediaAt] = [copied, Date.now()];
      if (onAir || copied === 0) return;
      onAir = true;
      this.logger.info('encoder connected; on air');
      goOnAir();
    });
    const stderr: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      meter.logLine(line);
      stderr.push(line);
      if (stderr.length > STDERR_LINES_KEPT) stderr.shift();
      // ffmpeg 5.1's RTMP listener only warns about another stream name and takes the stream
      // anyway; the warning comes in the handshake, long before the first frame is copied.
      if (!onAir && !refused && WRONG_STREAM_KEY.test(line)) {
        refused = true;
        this.logger.warn('RTMP encoder refused: wrong stream key');
        child.kill('SIGKILL');
      }
    });
    child.on('error', (error) => this.logger.error({ err: error }, 'ffmpeg could not be started'));
    child.on('close', (code, signal) => {
      if (this.meter === meter) this.meter = undefined;
      this.mediaAt = 0;
      // A transcoded encoder that no longer sends B-frames is copied again from its next connection.
      if (transcoding && meter.result()?.bFrames === false) this.transcodeVideo = false;
      void leave().finally(() => {
        if (this.stopped) return;
        const level = onAir ? 'info' : 'warn';
        this.logger[level](
          { code, signal, ffmpeg: stderr.join('\n') },
          onAir ? 'encoder disconnected; listening again' : 'listener ended before media arrived (a wrong key?); listening again',
        );
        this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(delayMs = RELISTEN_DELAY_MS): void {
    if (this.stopped) return;
    this.restartTimer = setTimeout(() => this.start(), delayMs);
  }
}
