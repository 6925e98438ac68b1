/** The HLS segments of each recording, in order, as the recorder wrote them. */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';

export interface RecordingSegment {
  recordingId: string;
  /** 0, 1, 2, … across the whole recording, whatever ffmpeg run wrote it. */
  sequence: number;
  /** File name inside the recording's directory. */
  file: string;
  durationSeconds: number;
  /** When the segment's first frame was captured (ISO UTC). */
  programDateTime: string;
  /** The stream's parameters may have changed before this segment (a new ffmpeg run began). */
  discontinuity: boolean;
  sizeBytes: number;
}

const columns = `recording_id AS recordingId, sequence, file, duration_seconds AS durationSeconds,
  program_date_time AS programDateTime, discontinuity, size_bytes AS sizeBytes`;

type Row = Omit<RecordingSegment, 'discontinuity'> & { discontinuity: number };

const statements = preparedOnce((db) => ({
  insert: db.prepare<{
    recordingId: string;
    sequence: number;
    file: string;
    durationSeconds: number;
    programDateTime: string;
    discontinuity: number;
    sizeBytes: number;
  }>(
    `INSERT INTO recording_segments (recording_id, sequence, file, duration_seconds, program_date_time, discontinuity, size_bytes)
     VALUES (@recordingId, @sequence, @file, @durationSeconds, @programDateTime, @discontinuity, @sizeBytes)`,
  ),
  list: db.prepare<[string], Row>(`SELECT ${columns} FROM recording_segments WHERE recording_id = ? AND lost = 0 ORDER BY sequence`),
  files: db.prepare<[string], { file: string }>('SELECT file FROM recording_segments WHERE recording_id = ?'),
  nextSequence: db.prepare<[string], { sequence: number }>('SELECT coalesce(max(sequence) + 1, 0) AS sequence FROM recording_segments WHERE recording_id = ?'),
  totals: db.prepare<[string], { count: number; durationSeconds: number | null; sizeBytes: number | null }>(
    `SELECT count(*) AS count, sum(duration_seconds) AS durationSeconds, sum(size_bytes) AS sizeBytes
       FROM recording_segments WHERE recording_id = ? AND lost = 0`,
  ),
  markLost: db.prepare<[string, string]>('UPDATE recording_segments SET lost = 1 WHERE recording_id = ? AND file = ? AND lost = 0'),
  markAllLost: db.prepare<[string]>('UPDATE recording_segments SET lost = 1 WHERE recording_id = ? AND lost = 0'),
}));

/** Appends the next segment; its sequence follows the last one. Returns the stored segment. */
export function appendSegment(db: Database, segment: Omit<RecordingSegment, 'sequence'>): RecordingSegment {
  return db
    .transaction(() => {
      const sequence = statements(db).nextSequence.get(segment.recordingId)?.sequence ?? 0;
      const stored = { ...segment, sequence, programDateTime: toIsoTime(segment.programDateTime) };
      statements(db).insert.run({ ...stored, discontinuity: stored.discontinuity ? 1 : 0 });
      return stored;
    })
    .immediate();
}

/** The recording's segments still there, in order (lost ones are left out). */
export function listSegments(db: Database, recordingId: string): RecordingSegment[] {
  return statements(db)
    .list.all(recordingId)
    .map((row) => ({ ...row, discontinuity: row.discontinuity === 1 }));
}

export function segmentTotals(db: Database, recordingId: string): { count: number; durationSeconds: number; sizeBytes: number } {
  const totals = statements(db).totals.get(recordingId);
  return { count: totals?.count ?? 0, durationSeconds: totals?.durationSeconds ?? 0, sizeBytes: totals?.sizeBytes ?? 0 };
}

/** Every segment file the recording ever had, lost ones included. */
export function recordedSegmentFiles(db: Database, recordingId: string): string[] {
  return statements(db)
    .files.all(recordingId)
    .map((row) => row.file);
}

/**
 * The segment's file is gone or no longer what was written: it is no longer listed or counted.
 * False when it was not listed anyway.
 */
export function markSegmentLost(db: Database, recordingId: string, file: string): boolean {
  return statements(db).markLost.run(recordingId, file).changes > 0;
}

/** Every segment of the recording is gone (its folder was deleted). Returns how many were still listed. */
export function markAllSegmentsLost(db: Database, recordingId: string): number {
  return statements(db).markAllLost.run(recordingId).changes;
}
