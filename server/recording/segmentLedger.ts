/**
 * Moves what a run's playlist lists into the database, each segment once: the database is the
 * recording's record of segments, from which `index.m3u8` is rebuilt (also after a crash).
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { appendSegment, segmentTotals, type RecordingSegment } from '../storage/recordingSegments.js';
import type { ListedSegment } from './runPlaylist.js';

export interface RunLedger {
  /** Files of the recording already in the database. */
  readonly inDatabase: Set<string>;
  /** Files a run listed that were not on disk, or not MPEG-TS (left out, and not looked at again). */
  readonly missing: Set<string>;
  /** How each file this process added was on disk then, to notice it changing afterwards. */
  readonly written: Map<string, FileStamp>;
}

export interface FileStamp {
  sizeBytes: number;
  mtimeMs: number;
}

export function emptyLedger(inDatabase: Iterable<string> = []): RunLedger {
  return { inDatabase: new Set(inDatabase), missing: new Set(), written: new Map() };
}

const TS_PACKET_BYTES = 188;
const TS_SYNC_BYTE = 0x47;

/**
 * Why the segment file is not what the recorder wrote (gone, changed since `written`, or not
 * MPEG-TS), or undefined. Cheap: a stat and two bytes, where each 188-byte packet starts.
 */
export async function segmentFileProblem(path: string, written?: FileStamp): Promise<string | undefined> {
  const stamp = await fileStamp(path);
  if (!stamp) return 'deleted';
  if (written && (stamp.sizeBytes !== written.sizeBytes || stamp.mtimeMs !== written.mtimeMs)) return 'changed after it was written';
  if (!(await looksLikeMpegTs(path, stamp.sizeBytes))) return 'not MPEG-TS';
  return undefined;
}

async function looksLikeMpegTs(path: string, sizeBytes: number): Promise<boolean> {
  if (sizeBytes < TS_PACKET_BYTES || sizeBytes % TS_PACKET_BYTES !== 0) return false;
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return false;
  try {
    const first = Buffer.alloc(1);
    const last = Buffer.alloc(1);
    await file.read(first, 0, 1, 0);
    await file.read(last, 0, 1, sizeBytes - TS_PACKET_BYTES);
    return first[0] === TS_SYNC_BYTE && last[0] === TS_SYNC_BYTE;
  } finally {
    await file.close();
  }
}

/**
 * Appends the listed segments not yet recorded, in order. A run's first segment gets a
 * discontinuity when the recording already has segments: it comes from another ffmpeg process,
 * perhaps with other tracks or codec parameters. Returns the segments appended.
 */
export async function recordListedSegments(
  db: Database,
  recordingId: string,
  directory: string,
  listed: ListedSegment[],
  ledger: RunLedger,
  logger: Logger,
): Promise<RecordingSegment[]> {
  const appended: RecordingSegment[] = [];
  // Segments are appended in order, so a run with any segment in the database has its first one there.
  let runStarted = listed.some((segment) => ledger.inDatabase.has(segment.file));
  for (const segment of listed) {
    if (ledger.inDatabase.has(segment.file) || ledger.missing.has(segment.file)) continue;
    const path = join(directory, segment.file);
    const stamp = await fileStamp(path);
    const problem = await segmentFileProblem(path);
    if (!stamp || problem) {
      logger.warn({ file: segment.file, problem }, 'a segment the run listed is missing or damaged; left out');
      ledger.missing.add(segment.file);
      continue;
    }
    const { sizeBytes } = stamp;
    const discontinuity = !runStarted && segmentTotals(db, recordingId).count > 0;
    runStarted = true;
    appended.push(
      appendSegment(db, {
        recordingId,
        file: segment.file,
        durationSeconds: segment.durationSeconds,
        programDateTime: (segment.programDateTime ?? fallbackProgramDateTime(appended, segment)).toISOString(),
        discontinuity,
        sizeBytes,
      }),
    );
    ledger.inDatabase.add(segment.file);
    ledger.written.set(segment.file, stamp);
  }
  return appended;
}

async function fileStamp(path: string): Promise<FileStamp | undefined> {
  try {
    const found = await stat(path);
    return { sizeBytes: found.size, mtimeMs: found.mtimeMs };
  } catch {
    return undefined;
  }
}

/** ffmpeg writes PROGRAM-DATE-TIME for every segment (-hls_flags program_date_time); just in case. */
function fallbackProgramDateTime(appended: RecordingSegment[], segment: ListedSegment): Date {
  const previous = appended.at(-1);
  if (previous) return new Date(Date.parse(previous.programDateTime) + previous.durationSeconds * 1000);
  return new Date(Date.now() - segment.durationSeconds * 1000);
}
