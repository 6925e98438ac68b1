/**
 * What recording a stage costs: the recorder ffmpeg's CPU (share of one core) and the bytes it
 * stores per minute, for the stored-as-is path (H.264 from the speaker) with one microphone and
 * with several open at once (mixed into the one audio track), and the transcode path (VP8,
 * encoded to H.264).
 *
 *   npm run bench:recording
 *   node dist/scripts/bench-recording.js [--seconds 30] [--size 1280x720 --fps 30 --bitrate 2500] [--microphones 3]
 *
 * For each codec it starts the built server (temporary folders, a free port, no built-in demo),
 * seeds the demo stage into its database first (the server seeds it only when its own demo is
 * on, which is fixed at 640x360), runs scripts/demo-source at the chosen size against it (and,
 * for the mix, more demo sources sending only a tone each, as more open microphones), and
 * samples the recorder's ffmpeg from /proc once it records them all. The server's own process
 * (which relays the recorder's RTP) is reported beside it. The last line of stdout is one JSON
 * object for scripts to read.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { seedDemoEventIn, type ServerProcess, spawnServer, startDemoSource, stopProcess } from './bench/localServer.js';
import { sampleProcess, type ProcessSample, cpuShare } from './bench/processUsage.js';
import { IngestKeys } from '../server/auth/ingestKeys.js';
import { databasePath } from '../server/storage/database.js';
import { DEMO_STAGE_ID } from '../server/storage/seed.js';

type Codec = 'H264' | 'VP8';

interface Options {
  seconds: number;
  size: string;
  fps: number;
  bitrateKbps: number;
  /** How many open microphones the mix measurement has. */
  microphones: number;
}

interface CodecResult {
  codec: Codec;
  path: 'stored as is' | 'transcoded';
  /** Open microphones on the stage, all mixed into the recording. */
  microphones: number;
  /** CPU seconds per second of the recorder's ffmpeg: 1.0 is one core busy. */
  ffmpegCoreShare: number;
  /** The same for the server's Node process, which also relays the recorder's RTP. */
  serverCoreShare: number;
  bytesPerMinute: number;
  /** ffmpeg processes seen during the measurement (1 unless the recorder restarted). */
  recorderProcesses: number;
  measuredSeconds: number;
}

const RTC_PORTS = { min: 50_500, max: 50_999 };
const RECORDING_TIMEOUT_MS = 30_000;
/** Let the first segments (probing, the first keyframes) pass before measuring. */
const WARM_UP_MS = 4_000;
const SAMPLE_INTERVAL_MS = 1_000;
/** The extra microphones' tones, apart from the demo's 440 Hz (any pitch costs the same to mix). */
const EXTRA_TONE_BASE_HZ = 600;
const EXTRA_TONE_STEP_HZ = 200;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '30' },
      size: { type: 'string', default: '1280x720' },
      fps: { type: 'string', default: '30' },
      bitrate: { type: 'string', default: '2500' },
      microphones: { type: 'string', default: '3' },
    },
  });
  const options = {
    seconds: Number(values.seconds),
    size: values.size ?? '',
    fps: Number(values.fps),
    bitrateKbps: Number(values.bitrate),
    microphones: Number(values.microphones),
  };
  if (!/^\d+x\d+$/.test(options.size)) throw new Error('--size must look like 1280x720.');
  const numbers = { seconds: options.seconds, fps: options.fps, bitrate: options.bitrateKbps, microphones: options.microphones };
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer.`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions();
  console.log(`bench: recording a ${options.size} ${options.fps} fps ${options.bitrateKbps} kbit/s test pattern for ${options.seconds} s per codec`);
  const results: CodecResult[] = [];
  const runs: [Codec, number][] = [['H264', 1], ...(options.microphones > 1 ? [['H264', options.microphones] as [Codec, number]] : []), ['VP8', 1]];
  for (const [codec, microphones] of runs) results.push(await measureCodec(codec, microphones, options));
  for (const result of results) {
    const sound = result.microphones === 1 ? '1 microphone' : `${result.microphones} microphones mixed`;
    console.log(
      `${result.codec.padEnd(4)} (${result.path}, ${sound}): recorder ffmpeg ${percent(result.ffmpegCoreShare)} of one core per recorded stage, ` +
        `${(result.bytesPerMinute / 1e6).toFixed(1)} MB per minute; server process ${percent(result.serverCoreShare)}` +
        (result.recorderProcesses > 1 ? ` (the recorder restarted: ${result.recorderProcesses} processes)` : ''),
    );
  }
  console.log(JSON.stringify({ bench: 'recording', pattern: { size: options.size, fps: options.fps, bitrateKbps: options.bitrateKbps }, results }));
}

async function measureCodec(codec: Codec, microphones: number, options: Options): Promise<CodecResult> {
  const folder = mkdtempSync(join(tmpdir(), 'estrad-bench-recording-'));
  const dataDir = join(folder, 'data');
  const recordingsDir = join(folder, 'recordings');
  seedDemoEventIn(dataDir);
  const children: ChildProcess[] = [];
  const sourceOutput = { text: '' };
  try {
    const server = await startServer(dataDir, recordingsDir);
    children.push(server.process);
    const pattern = { codec, size: options.size, fps: options.fps, bitrateKbps: options.bitrateKbps };
    const ingestKey = IngestKeys.fromDataDir(dataDir).keyFor(DEMO_STAGE_ID);
    children.push(startDemoSource(server.url, DEMO_STAGE_ID, pattern, sourceOutput, ingestKey));
    for (let extra = 1; extra < microphones; extra++) {
      const toneHz = EXTRA_TONE_BASE_HZ + (extra - 1) * EXTRA_TONE_STEP_HZ;
      children.push(startDemoSource(server.url, DEMO_STAGE_ID, { ...pattern, toneHz, microphoneOnly: true }, sourceOutput, ingestKey));
    }
    const recordingDir = await waitForRecording(dataDir, recordingsDir, server.process.pid!, microphones).catch((error: unknown) => {
      throw new Error(`${String(error)}\ndemo source:\n${sourceOutput.text}\nserver:\n${server.logs()}`);
    });
    await sleep(WARM_UP_MS);
    return await measure(codec, microphones, server.process.pid!, recordingDir, options.seconds);
  } finally {
    for (const child of children.reverse()) await stopProcess(child);
    rmSync(folder, { recursive: true, force: true });
  }
}

function startServer(dataDir: string, recordingsDir: string): Promise<ServerProcess> {
  return spawnServer({
    DATA_DIR: dataDir,
    RECORDINGS_DIR: recordingsDir,
    RTC_MIN_PORT: String(RTC_PORTS.min),
    RTC_MAX_PORT: String(RTC_PORTS.max),
    LOG_LEVEL: 'warn',
  });
}

/** The folder of the demo stage's recording, once it has a segment and its ffmpeg records every microphone. */
async function waitForRecording(dataDir: string, recordingsDir: string, serverPid: number, microphones: number): Promise<string> {
  let recordingId: string | undefined;
  await waitUntil(
    () => {
      recordingId = recordingWithSegments(dataDir);
      return recordingId !== undefined && recorderPids(serverPid).some((pid) => mixedSounds(pid) === microphones);
    },
    RECORDING_TIMEOUT_MS,
    `the demo stage was not recorded with ${microphones} microphone${microphones === 1 ? '' : 's'}`,
  );
  return join(recordingsDir, DEMO_STAGE_ID, recordingId!);
}

function recordingWithSegments(dataDir: string): string | undefined {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    return db
      .prepare<[], { id: string }>(
        `SELECT r.id FROM recordings r WHERE r.status = 'recording' AND EXISTS (SELECT 1 FROM recording_segments s WHERE s.recording_id = r.id)`,
      )
      .get()?.id;
  } finally {
    db.close();
  }
}

async function measure(codec: Codec, microphones: number, serverPid: number, recordingDir: string, seconds: number): Promise<CodecResult> {
  const seen = new Set<number>();
  const firstSamples = new Map<number, ProcessSample>();
  const lastSamples = new Map<number, ProcessSample>();
  const serverBefore = sampleProcess(serverPid);
  const bytesBefore = storedBytes(recordingDir);
  const startedAt = performance.now();
  while (performance.now() - startedAt < seconds * 1000) {
    for (const pid of recorderPids(serverPid)) {
      const sample = sampleProcess(pid);
      if (!sample) continue;
      seen.add(pid);
      if (!firstSamples.has(pid)) firstSamples.set(pid, sample);
      lastSamples.set(pid, sample);
    }
    await sleep(SAMPLE_INTERVAL_MS);
  }
  const measuredSeconds = (performance.now() - startedAt) / 1000;
  const ffmpegCpuSeconds = [...lastSamples].reduce((sum, [pid, last]) => sum + last.cpuSeconds - firstSamples.get(pid)!.cpuSeconds, 0);
  return {
    codec,
    path: codec === 'H264' ? 'stored as is' : 'transcoded',
    microphones,
    ffmpegCoreShare: round(ffmpegCpuSeconds / measuredSeconds),
    serverCoreShare: round(cpuShare(serverBefore, sampleProcess(serverPid), measuredSeconds)),
    bytesPerMinute: Math.round(((storedBytes(recordingDir) - bytesBefore) / measuredSeconds) * 60),
    recorderProcesses: seen.size,
    measuredSeconds: round(measuredSeconds),
  };
}

/** Bytes of the segments on disk, including the one being written. */
function storedBytes(recordingDir: string): number {
  return readdirSync(recordingDir)
    .filter((name) => name.endsWith('.ts'))
    .reduce((sum, name) => sum + statSync(join(recordingDir, name)).size, 0);
}

/** The server's child ffmpeg processes reading an SDP file: its recorder runs. */
function recorderPids(serverPid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return (
          parentPid === serverPid &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8')
            .split('\0')
            .some((arg) => arg.endsWith('.sdp'))
        );
      } catch {
        return false;
      }
    });
}

/** How many sounds a recorder ffmpeg mixes, from its command line (amix=inputs=N; 1 without a mix). */
function mixedSounds(pid: number): number {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return Number(/amix=inputs=(\d+)/.exec(args)?.[1] ?? 1);
  } catch {
    return 0;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`${failure} within ${timeoutMs / 1000} s`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

await main();
