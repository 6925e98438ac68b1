import type { Database } from 'better-sqlite3';
import type { RecordingStatus } from '../../shared/protocol.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export type { RecordingStatus };

export interface Recording {
  id: string;
  stageId: string;
  status: RecordingStatus;
  startedAt: string;
  /** Null while recording. */
  endedAt: string | null;
  durationSeconds: number;
  sizeBytes: number;
  /** Why a failed or interrupted recording stopped. */
  failureReason: string | null;
  /** What of the recording was found gone or changed on disk; null while it is intact. */
  damage: string | null;
}

export interface RecordingProgress {
  durationSeconds?: number;
  sizeBytes?: number;
}

/** How a recording ended; failureReason only for 'failed' and 'interrupted'. */
export type RecordingOutcome = RecordingProgress & ({ status: 'complete' } | { status: 'failed' | 'interrupted'; failureReason?: string });

const columns = `id, stage_id AS stageId, status, started_at AS startedAt, ended_at AS endedAt,
  duration_seconds AS durationSeconds, size_bytes AS sizeBytes, failure_reason AS failureReason, damage`;

const INTERRUPTED_BY_RESTART = 'the server stopped while recording';
const HOUR_MS = 60 * 60 * 1000;

const statements = preparedOnce((db) => ({
  insert: db.prepare<[string, string, string]>("INSERT INTO recordings (id, stage_id, status, started_at) VALUES (?, ?, 'recording', ?)"),
  get: db.prepare<[string], Recording>(`SELECT ${columns} FROM recordings WHERE id = ?`),
  listByStage: db.prepare<[string], Recording>(`SELECT ${columns} FROM recordings WHERE stage_id = ? ORDER BY started_at DESC, id`),
  listUnfinished: db.prepare<[], Recording>(`SELECT ${columns} FROM recordings WHERE status = 'recording' ORDER BY started_at, id`),
  listAll: db.prepare<[], Recording>(`SELECT ${columns} FROM recordings ORDER BY started_at DESC, id`),
  delete: db.prepare<[string]>('DELETE FROM recordings WHERE id = ?'),
  progress: db.prepare<{ id: string; durationSeconds: number | null; sizeBytes: number | null }>(
    `UPDATE recordings SET duration_seconds = coalesce(@durationSeconds, duration_seconds), size_bytes = coalesce(@sizeBytes, size_bytes)
     WHERE id = @id AND status = 'recording'`,
  ),
  finish: db.prepare<{ id: string; status: string; endedAt: string; durationSeconds: number | null; sizeBytes: number | null; failureReason: string | null }>(
    `UPDATE recordings SET status = @status, ended_at = @endedAt, failure_reason = @failureReason,
       duration_seconds = coalesce(@durationSeconds, duration_seconds), size_bytes = coalesce(@sizeBytes, size_bytes)
     WHERE id = @id AND status = 'recording'`,
  ),
  damage: db.prepare<[string, string]>('UPDATE recordings SET damage = ? WHERE id = ?'),
  interruptAll: db.prepare<[string, string]>(
    "UPDATE recordings SET status = 'interrupted', ended_at = max(?, started_at), failure_reason = ? WHERE status = 'recording'",
  ),
}));

/** Apart from the others: they need migration 7, and tests of older migrations record too. */
const retentionStatements = preparedOnce((db) => ({
  withRetention: db.prepare<[], Recording & { retentionHours: number }>(
    `SELECT * FROM (SELECT ${columns}, (SELECT retention_hours FROM stages WHERE stages.id = recordings.stage_id) AS retentionHours FROM recordings)
      WHERE retentionHours IS NOT NULL AND status != 'recording' ORDER BY endedAt, id`,
  ),
}));

export function startRecording(db: Database, stageId: string, now = new Date()): Recording {
  const id = newId();
  statements(db).insert.run(id, stageId, toIsoTime(now));
  return getRecording(db, id) as Recording;
}

/**
 * Finished recordings of stages with a retention rule whose time is up: ended longer ago than
 * their stage keeps recordings.
 */
export function listExpiredRecordings(db: Database, now = new Date()): Recording[] {
  return retentionStatements(db)
    .withRetention.all()
    .filter(({ endedAt, retentionHours }) => endedAt !== null && Date.parse(endedAt) + retentionHours * HOUR_MS <= now.getTime())
    .map(({ retentionHours: _hours, ...recording }) => recording);
}

export function getRecording(db: Database, id: string): Recording | undefined {
  return statements(db).get.get(id);
}

/** The stage's recordings, newest first. */
export function listRecordingsByStage(db: Database, stageId: string): Recording[] {
  return statements(db).listByStage.all(stageId);
}

/** All recordings, or one stage's, newest first. */
export function listRecordings(db: Database, stageId?: string): Recording[] {
  return stageId ? listRecordingsByStage(db, stageId) : statements(db).listAll.all();
}

/** Removes a recording with its segments and replays (the files are the caller's to remove). */
export function deleteRecording(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}

/** Updates duration and size while recording; false when it is not (or no longer) recording. */
export function updateRecordingProgress(db: Database, id: string, progress: RecordingProgress): boolean {
  const { durationSeconds = null, sizeBytes = null } = progress;
  return statements(db).progress.run({ id, durationSeconds, sizeBytes }).changes > 0;
}

/** Says what of the recording was found gone or changed on disk (replacing what was said before). */
export function markRecordingDamaged(db: Database, id: string, damage: string): void {
  statements(db).damage.run(damage, id);
}

/** Ends a recording in progress; false when it is not (or no longer) recording. */
export function finishRecording(db: Database, id: string, outcome: RecordingOutcome, now = new Date()): boolean {
  const failureReason = outcome.status === 'complete' ? null : (outcome.failureReason ?? null);
  return (
    statements(db).finish.run({
      id,
      status: outcome.status,
      endedAt: toIsoTime(now),
      durationSeconds: outcome.durationSeconds ?? null,
      sizeBytes: outcome.sizeBytes ?? null,
      failureReason,
    }).changes > 0
  );
}

/**
 * At start-up: a recording still marked as in progress was cut off when the server stopped.
 * Returns how many were marked interrupted.
 */
export function interruptUnfinishedRecordings(db: Database, now = new Date()): number {
  return statements(db).interruptAll.run(toIsoTime(now), INTERRUPTED_BY_RESTART).changes;
}

/** Recordings still marked as in progress, oldest first (at start-up: cut off by a crash). */
export function listUnfinishedRecordings(db: Database): Recording[] {
  return statements(db).listUnfinished.all();
}
