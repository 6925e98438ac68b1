/** Ingest points: where a production team's encoder sends a stage's program feed (SRT, RTMP, WHIP). */
import type { Database } from 'better-sqlite3';
import type { IngestFeedRole, IngestProtocol } from '../../shared/protocol.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface IngestPoint {
  id: string;
  stageId: string;
  protocol: IngestProtocol;
  label: string;
  role: IngestFeedRole;
  /** The listen port of an SRT or RTMP point; null for WHIP, which comes in over HTTP. */
  port: number | null;
  /** Which secret is valid: rotating increments it, so the old secret stops working. */
  generation: number;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

export interface IngestPointInput {
  stageId: string;
  protocol: IngestProtocol;
  label?: string;
  role?: IngestFeedRole;
  port: number | null;
}

const columns = `id, stage_id AS stageId, protocol, label, role, port, generation, created_at AS createdAt,
  rotated_at AS rotatedAt, revoked_at AS revokedAt`;

const statements = preparedOnce((db) => ({
  insert: db.prepare<IngestPoint>(
    `INSERT INTO ingest_points (id, stage_id, protocol, label, role, port, generation, created_at, rotated_at, revoked_at)
     VALUES (@id, @stageId, @protocol, @label, @role, @port, @generation, @createdAt, @rotatedAt, @revokedAt)`,
  ),
  byId: db.prepare<[string], IngestPoint>(`SELECT ${columns} FROM ingest_points WHERE id = ?`),
  listByStage: db.prepare<[string], IngestPoint>(`SELECT ${columns} FROM ingest_points WHERE stage_id = ? ORDER BY created_at, id`),
  active: db.prepare<[], IngestPoint>(`SELECT ${columns} FROM ingest_points WHERE revoked_at IS NULL ORDER BY created_at, id`),
  portsInUse: db.prepare<[], { port: number }>('SELECT port FROM ingest_points WHERE revoked_at IS NULL AND port IS NOT NULL'),
  rotate: db.prepare<[string, string]>('UPDATE ingest_points SET generation = generation + 1, rotated_at = ? WHERE id = ? AND revoked_at IS NULL'),
  revoke: db.prepare<[string, string]>('UPDATE ingest_points SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
  change: db.prepare<{ id: string; label: string | null; role: IngestFeedRole | null }>(
    'UPDATE ingest_points SET label = coalesce(@label, label), role = coalesce(@role, role) WHERE id = @id AND revoked_at IS NULL',
  ),
}));

/** Throws a SqliteError when the stage does not exist or the port is held by another active point. */
export function createIngestPoint(db: Database, input: IngestPointInput, now = new Date()): IngestPoint {
  const point: IngestPoint = {
    id: newId(),
    stageId: input.stageId,
    protocol: input.protocol,
    label: input.label ?? '',
    role: input.role ?? 'main',
    port: input.port,
    generation: 1,
    createdAt: toIsoTime(now),
    rotatedAt: null,
    revokedAt: null,
  };
  statements(db).insert.run(point);
  return point;
}

export function getIngestPoint(db: Database, id: string): IngestPoint | undefined {
  return statements(db).byId.get(id);
}

/** All of the stage's points, revoked ones included, oldest first. */
export function listIngestPoints(db: Database, stageId: string): IngestPoint[] {
  return statements(db).listByStage.all(stageId);
}

/** Every point not revoked, on any stage: what the server listens for. */
export function listActiveIngestPoints(db: Database): IngestPoint[] {
  return statements(db).active.all();
}

/** The listen ports active points hold. */
export function ingestPortsInUse(db: Database): Set<number> {
  return new Set(
    statements(db)
      .portsInUse.all()
      .map((row) => row.port),
  );
}

/** A new secret for the point; undefined when there is no such active point. */
export function rotateIngestPoint(db: Database, id: string, now = new Date()): IngestPoint | undefined {
  if (statements(db).rotate.run(toIsoTime(now), id).changes === 0) return undefined;
  return getIngestPoint(db, id);
}

/** Returns false when there is no such point or it was already revoked. */
export function revokeIngestPoint(db: Database, id: string, now = new Date()): boolean {
  return statements(db).revoke.run(toIsoTime(now), id).changes > 0;
}

/** A new label or role for an active point; undefined when there is no such active point. */
export function changeIngestPoint(db: Database, id: string, changes: { label?: string; role?: IngestFeedRole }): IngestPoint | undefined {
  if (statements(db).change.run({ id, label: changes.label ?? null, role: changes.role ?? null }).changes === 0) return undefined;
  return getIngestPoint(db, id);
}
