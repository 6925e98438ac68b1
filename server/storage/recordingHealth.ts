/** What the control room's health view reads of a stage's recordings: the newest, and how fresh its last segment is. */
import type { Database } from 'better-sqlite3';
import type { RecordingStatus } from '../../shared/protocol.js';
import { preparedOnce } from './prepared.js';

export interface LatestRecording {
  id: string;
  status: RecordingStatus;
  startedAt: string;
  durationSeconds: number;
  sizeBytes: number;
  failureReason: string | null;
  /** When the newest segment's media ends (its first frame's time plus its duration), epoch ms; null before the first. */
  lastSegmentEndsAt: number | null;
}

const statements = preparedOnce((db) => ({
  latest: db.prepare<[string], Omit<LatestRecording, 'lastSegmentEndsAt'> & { lastSegmentEndsAt: string | null; lastSegmentSeconds: number | null }>(
    `SELECT recordings.id AS id, status, started_at AS startedAt, recordings.duration_seconds AS durationSeconds, recordings.size_bytes AS sizeBytes,
            failure_reason AS failureReason, last.program_date_time AS lastSegmentEndsAt, last.duration_seconds AS lastSegmentSeconds
       FROM recordings
       LEFT JOIN recording_segments AS last ON last.recording_id = recordings.id
            AND last.sequence = (SELECT max(sequence) FROM recording_segments WHERE recording_id = recordings.id)
      WHERE stage_id = ? ORDER BY started_at DESC, recordings.id LIMIT 1`,
  ),
}));

export function latestRecording(db: Database, stageId: string): LatestRecording | undefined {
  const row = statements(db).latest.get(stageId);
  if (!row) return undefined;
  const { lastSegmentEndsAt, lastSegmentSeconds, ...recording } = row;
  return { ...recording, lastSegmentEndsAt: lastSegmentEndsAt === null ? null : Date.parse(lastSegmentEndsAt) + (lastSegmentSeconds ?? 0) * 1000 };
}
