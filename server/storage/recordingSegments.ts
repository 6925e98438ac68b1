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
  insert: db.prepare<{ recordingId: string; sequence: number; file: string; durationSeconds: number; programDateTime: string; discontinuity: number; sizeBytes: number }>(
    `INSERT INTO recording_segments (recording_id, sequence, file, duration_seconds, program_date_time, discontinuity, size_bytes)
     VALUES (@recordingId, @sequence, @file, @durationSeconds, @programDateTime, @discontinuity, @sizeBytes)`,
  ),
  list: db.prepare<[string], Row>(`SELECT ${columns} FROM recording_segments WHERE recording_id = ? ORDER BY sequence`),
  totals: db.prepare<[string], { count: number; durationSeconds: number | null; sizeBytes: number | null }>(
    `SELECT count(*) AS count, sum(duration_seconds) AS durationSeconds, sum(size_bytes) AS sizeBytes
       FROM recording_segments WHERE recording_id = ?`,
  ),
}));

/** Appends the next segment; its sequence follows the last one. Returns the stored segment. */
export function appendSegment(db: Database, segment: Omit<RecordingSegment, 'sequence'>): RecordingSegment {
  return db.transaction(() => {
    const sequence = statements(db).totals.get(segment.recordingId)?.count ?? 0;
    const stored = { ...segment, sequence, programDateTime: toIsoTime(segment.programDateTime) };
    statements(db).insert.run({ ...stored, discontinuity: stored.discontinuity ? 1 : 0 });
    return stored;
  }).immediate();
}

export function listSegments(db: Database, recordingId: string): RecordingSegment[] {
  return statements(db)
    .list.all(recordingId)
    .map((row) => ({ ...row, discontinuity: row.discontinuity === 1 }));
}

export function segmentTotals(db: Database, recordingId: string): { count: number; durationSeconds: number; sizeBytes: number } {
  const totals = statements(db).totals.get(recordingId);
  return { count: totals?.count ?? 0, durationSeconds: totals?.durationSeconds ?? 0, sizeBytes: totals?.sizeBytes ?? 0 };
}
