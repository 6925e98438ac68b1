/** One row per viewer connection to a stage; attendance.ts turns them into figures per talk. */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface Viewing {
  id: string;
  stageId: string;
  viewerKey: string;
  startedAt: string;
  endedAt: string | null;
}

export interface ViewingInput {
  stageId: string;
  /**
   * The same for every connection of one viewer (e.g. a random id the player keeps in
   * localStorage, or a registration id), so reconnects and extra tabs count as one viewer.
   */
  viewerKey: string;
}

const columns = 'id, stage_id AS stageId, viewer_key AS viewerKey, started_at AS startedAt, ended_at AS endedAt';

const statements = preparedOnce((db) => ({
  insert: db.prepare<Viewing>('INSERT INTO viewings (id, stage_id, viewer_key, started_at, ended_at) VALUES (@id, @stageId, @viewerKey, @startedAt, @endedAt)'),
  end: db.prepare<[string, string]>('UPDATE viewings SET ended_at = max(?, started_at) WHERE id = ? AND ended_at IS NULL'),
  endAllOpen: db.prepare<[string]>('UPDATE viewings SET ended_at = max(?, started_at) WHERE ended_at IS NULL'),
  listByStage: db.prepare<[string], Viewing>(`SELECT ${columns} FROM viewings WHERE stage_id = ? ORDER BY started_at, id`),
}));

/** Returns the viewing's id, to pass to endViewing when the connection closes. */
export function startViewing(db: Database, input: ViewingInput, now = new Date()): string {
  const viewing = { id: newId(), ...input, startedAt: toIsoTime(now), endedAt: null };
  statements(db).insert.run(viewing);
  return viewing.id;
}

/** False when the viewing does not exist or had already ended. */
export function endViewing(db: Database, id: string, now = new Date()): boolean {
  return statements(db).end.run(toIsoTime(now), id).changes > 0;
}

/**
 * At start-up: connections still open in the database died with the previous process, so they
 * end now (the best bound we have). Returns how many were closed.
 */
export function closeOpenViewings(db: Database, now = new Date()): number {
  return statements(db).endAllOpen.run(toIsoTime(now)).changes;
}

export function listViewingsByStage(db: Database, stageId: string): Viewing[] {
  return statements(db).listByStage.all(stageId);
}
