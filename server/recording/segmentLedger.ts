/**
 * Moves what a run's playlist lists into the database, each segment once: the database is the
 * recording's record of segments, from which `index.m3u8` is rebuilt (also after a crash).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { appendSegment, segmentTotals, type RecordingSegment } from '../storage/recordingSegments.js';
import type { ListedSegment } from './runPlaylist.js';

export interface RunLedger {
  /** Files of the recording already in the database. */
  readonly inDatabase: Set<string>;
  /** Files a run listed that were not on disk (left out, and not looked for again). */
  readonly missing: Set<string>;
}

export function emptyLedger(): RunLedger {
  return { inDatabase: new Set(), missing: new Set() };
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
    const sizeBytes = await fileSize(join(directory, segment.file));
    if (sizeBytes === undefined) {
      logger.warn({ file: segment.file }, 'a segment the run listed is missing; left out');
      ledger.missing.add(segment.file);
      continue;
    }
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
  }
  return appended;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
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
