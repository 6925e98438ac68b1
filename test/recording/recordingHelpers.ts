/**
 * What the recorder tests look at: the server's database (read beside it, read-only), the files in its
 * recordings folder, ffprobe's and ffmpeg's opinion of them, and the recorder's ffmpeg processes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse, type types } from 'hls-parser';
import { listRecordings, type Recording } from '../../server/storage/recordings.js';
import { listSegments, type RecordingSegment } from '../../server/storage/recordingSegments.js';
import { databasePath } from '../../server/storage/database.js';
import { type RunningServer, waitFor } from '../helpers/server.js';
import { TEST_FFMPEG, TEST_FFPROBE } from '../helpers/mediaTools.js';

/** The server's recordings, oldest first, through the repository the server writes them with. */
export function readRecordings(dataDir: string): Recording[] {
  return withDatabase(dataDir, (db) => listRecordings(db).reverse());
}

export function readSegments(dataDir: string, recordingId: string): RecordingSegment[] {
  return withDatabase(dataDir, (db) => listSegments(db, recordingId));
}

function withDatabase<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(databasePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Waits for the stage's recording in progress to have at least `count` segments; returns it. */
export async function waitForSegments(server: RunningServer, count: number, timeoutMs = 30_000): Promise<Recording> {
  let found: Recording | undefined;
  await waitFor(
    () => {
      found = readRecordings(server.dataDir).find(
        (recording) => recording.status === 'recording' && readSegments(server.dataDir, recording.id).length >= count,
      );
      return found !== undefined;
    },
    timeoutMs,
    () => `no recording reached ${count} segments:\n${JSON.stringify(readRecordings(server.dataDir))}\n${server.logs().slice(-5000)}`,
  );
  return found!;
}

export function recordingFolder(server: Pick<RunningServer, 'recordingsDir'>, recording: Recording): string {
  return join(server.recordingsDir, recording.stageId, recording.id);
}

export function readPlaylist(folder: string): { text: string; playlist: types.MediaPlaylist } {
  const text = readFileSync(join(folder, 'index.m3u8'), 'utf8');
  const playlist = parse(text);
  if (playlist.isMasterPlaylist) throw new Error('index.m3u8 is a master playlist');
  return { text, playlist };
}

export interface Probe {
  streams: { codec_type: string; codec_name: string }[];
  format: { duration?: string };
}

export function ffprobe(path: string): Probe {
  const output = execFileSync(TEST_FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=duration', '-of', 'json', path], {
    encoding: 'utf8',
  });
  return JSON.parse(output) as Probe;
}

/** The presentation times of a file's video packets, in its stream's time base, in file order. */
export function videoPacketTimes(path: string): number[] {
  const output = execFileSync(TEST_FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts', '-of', 'csv=p=0', path], {
    encoding: 'utf8',
  });
  // ffprobe ends each row with a comma (for the packet's side data), and leaves empty rows between.
  return output
    .split('\n')
    .map((row) => row.split(',')[0]!.trim())
    .filter((pts) => pts !== '')
    .map((pts) => Number.parseInt(pts, 10));
}

/** What `ffmpeg -v error` says while decoding the whole file (empty: it decodes cleanly). */
export function decodeProblems(path: string): string | undefined {
  const result = spawnSync(TEST_FFMPEG, ['-nostdin', '-v', 'error', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
  if (result.status !== 0) return `exit ${result.status}: ${result.stderr}`;
  return result.stderr.trim() ? result.stderr : undefined;
}

/** Every segment of the playlist that does not decode cleanly, with what ffmpeg said. */
export function undecodableSegments(folder: string, playlist: types.MediaPlaylist): string[] {
  return playlist.segments.flatMap((segment) => {
    const problem = decodeProblems(join(folder, segment.uri));
    return problem ? [`${segment.uri}: ${problem}`] : [];
  });
}

/** The server's child ffmpeg processes that read an SDP file: the recorder's runs. */
export function recorderFfmpegPids(serverPid: number): number[] {
  return childPids(serverPid, (arg) => arg.endsWith('.sdp'));
}

/** Live children of a process with an argument that matches. */
export function childPids(parentPid: number, matches: (arg: string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const stat = readProc(pid, 'stat');
      if (!stat) return false;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = (readProc(pid, 'cmdline') ?? '').split('\0');
      return fields[0] !== 'Z' && Number(fields[1]) === parentPid && args.some(matches);
    });
}

/** Every ffmpeg (any parent) whose arguments name a file under `folder`. */
export function ffmpegPidsUnder(folder: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const stat = readProc(pid, 'stat');
      const args = (readProc(pid, 'cmdline') ?? '').split('\0');
      return stat !== undefined && !stat.includes(') Z ') && args.some((arg) => arg.startsWith(folder));
    });
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

export function wallSeconds(recording: Recording): number {
  if (!recording.endedAt) throw new Error(`recording ${recording.id} has not ended`);
  return (Date.parse(recording.endedAt) - Date.parse(recording.startedAt)) / 1000;
}

/** estrad_stages_on_air_unrecorded, as /metrics says now. */
export async function stagesOnAirUnrecorded(server: RunningServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = /^estrad_stages_on_air_unrecorded (\S+)$/m.exec(text)?.[1];
  if (value === undefined) throw new Error('/metrics has no estrad_stages_on_air_unrecorded');
  return Number(value);
}
