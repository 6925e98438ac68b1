/**
 * Puts a test pattern and a tone on air on a stage: asks the server for plain-RTP ingest targets
 * over the normal signalling, then has ffmpeg send to them. Re-publishes by itself after a server
 * restart, a media rebuild or an ffmpeg exit. `npm start` runs it on the `demo` stage.
 *
 *   ESTRAD_INGEST_KEY=<key> node dist/scripts/demo-source.js --url http://127.0.0.1:3000 --stage demo
 *     [--codec VP8|H264] [--size 1280x720] [--fps 30] [--bitrate 1500] [--ffmpeg /usr/bin/ffmpeg] [--clock]
 *     [--tone 440] [--microphone-only]
 *
 * The stage's ingest key comes from the server that starts the source (the built-in demo), or from
 * GET /api/stages/<stage>/ingest-key for a technician.
 *
 * --clock sends frames that show the time each was handed to the encoder as a barcode
 * (scripts/bench/clockFrames.ts) instead of ffmpeg's pattern: what `npm run bench:latency` reads.
 * --tone sets the tone's pitch; --microphone-only sends it alone, as another open microphone
 * (what `npm run bench:recording` mixes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, IngestTrackTarget, ServerToClientEvents } from '../shared/protocol.js';
import { ingestCodecSchema, stageIdSchema } from '../shared/protocol.js';
import { resolveFfmpegPath } from '../server/config/ffmpeg.js';
import { INGEST_KEY_VARIABLE } from '../server/ingest/demoSourceProcess.js';
import { defaultTestPattern, testPatternFfmpegArgs, type TestPatternOptions } from '../server/ingest/testPattern.js';
import { sendClockFrames } from './bench/clockFrames.js';

const RESTART_DELAY_MS = 1000;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      stage: { type: 'string', default: 'demo' },
      codec: { type: 'string', default: 'VP8' },
      size: { type: 'string', default: `${defaultTestPattern.width}x${defaultTestPattern.height}` },
      fps: { type: 'string', default: String(defaultTestPattern.fps) },
      bitrate: { type: 'string', default: String(defaultTestPattern.videoBitrateKbps) },
      ffmpeg: { type: 'string' },
      clock: { type: 'boolean', default: false },
      tone: { type: 'string', default: String(defaultTestPattern.toneHz) },
      'microphone-only': { type: 'boolean', default: false },
    },
  });
  const [width, height] = (values.size ?? '').split('x').map(Number);
  const pattern: TestPatternOptions = {
    width: width ?? NaN,
    height: height ?? NaN,
    fps: Number(values.fps),
    videoBitrateKbps: Number(values.bitrate),
    video: values.clock ? 'raw-stdin' : 'test-pattern',
    toneHz: Number(values.tone),
  };
  const numbers = [pattern.width, pattern.height, pattern.fps, pattern.videoBitrateKbps, pattern.toneHz];
  if (!numbers.every((value) => Number.isInteger(value) && value > 0)) {
    throw new Error('--size must look like 1280x720, and --fps, --bitrate (kbit/s) and --tone (Hz) must be positive integers.');
  }
  if (pattern.width % 2 !== 0 || pattern.height % 2 !== 0) throw new Error('--size must have an even width and height (yuv420p).');
  const ingestKey = process.env[INGEST_KEY_VARIABLE];
  if (!ingestKey) throw new Error(`Set ${INGEST_KEY_VARIABLE} to the stage's ingest key (technicians: GET /api/stages/<stage>/ingest-key).`);
  return {
    ingestKey,
    url: values.url ?? '',
    stageId: stageIdSchema.parse(values.stage),
    codec: ingestCodecSchema.exclude(['opus']).parse(values.codec),
    pattern,
    microphoneOnly: values['microphone-only'] ?? false,
    ffmpegPath: resolveFfmpegPath(values.ffmpeg ?? process.env.FFMPEG_PATH),
  };
}

type Options = ReturnType<typeof parseOptions>;

class DemoSource {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private ffmpeg: ChildProcess | undefined;
  private stopping = false;

  constructor(private readonly options: Options) {
    this.socket = io(options.url, { transports: ['websocket'], reconnectionDelayMax: 2000, auth: { ingest: options.ingestKey } });
    this.socket.on('connect', () => void this.publish());
    this.socket.on('disconnect', () => this.stopFfmpeg());
    this.socket.on('stage:reconnect', () => void this.publish());
  }

  stop(): void {
    this.stopping = true;
    this.stopFfmpeg();
    this.socket.disconnect();
  }

  private async publish(): Promise<void> {
    this.stopFfmpeg();
    const { stageId, codec, microphoneOnly } = this.options;
    const microphone = { source: 'microphone', codec: 'opus' } as const;
    const tracks = microphoneOnly ? [microphone] : [{ source: 'camera', codec } as const, microphone];
    const response = await new Promise<Ack<{ tracks: IngestTrackTarget[] }>>((resolve) => this.socket.emit('ingest:open', { stageId, tracks }, resolve));
    if (!response.ok) {
      console.error(`demo-source: the server refused the ingest: ${response.error.code}: ${response.error.message}`);
      setTimeout(() => void this.publish(), RESTART_DELAY_MS);
      return;
    }
    this.startFfmpeg(response.data.tracks);
  }

  private startFfmpeg(targets: IngestTrackTarget[]): void {
    const { pattern } = this.options;
    const ffmpeg = spawn(this.options.ffmpegPath, testPatternFfmpegArgs(targets, pattern), {
      stdio: [pattern.video === 'raw-stdin' ? 'pipe' : 'ignore', 'inherit', 'inherit'],
    });
    this.ffmpeg = ffmpeg;
    if (ffmpeg.stdin) {
      const clockFrames = sendClockFrames(ffmpeg.stdin, pattern);
      // Frames written while ffmpeg goes fail with EPIPE: nothing to do but stop.
      ffmpeg.stdin.on('error', () => clockFrames.stop());
      ffmpeg.once('exit', () => clockFrames.stop());
    }
    console.log(`demo-source: on air on stage ${this.options.stageId} (ffmpeg pid ${ffmpeg.pid})`);
    ffmpeg.on('exit', (code, signal) => {
      if (this.ffmpeg !== ffmpeg || this.stopping) return;
      this.ffmpeg = undefined;
      console.error(`demo-source: ffmpeg exited (${signal ?? code}); publishing again`);
      setTimeout(() => {
        if (this.socket.connected && !this.ffmpeg) void this.publish();
      }, RESTART_DELAY_MS);
    });
  }

  private stopFfmpeg(): void {
    const ffmpeg = this.ffmpeg;
    this.ffmpeg = undefined;
    ffmpeg?.kill('SIGTERM');
  }
}

const PARENT_CHECK_MS = 2000;

const source = new DemoSource(parseOptions());
// Started by a server that then crashed, this process is re-parented: nobody will stop it, and a
// new server starts its own demo source, so it goes too.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) {
    source.stop();
    process.exit(0);
  }
}, PARENT_CHECK_MS).unref();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    source.stop();
    process.exit(0);
  });
}
