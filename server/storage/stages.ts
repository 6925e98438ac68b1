import type { Database } from 'better-sqlite3';
import { definedFields, preparedOnce } from './prepared.js';

export interface Stage {
  /** A slug, unique across all events: it is the /watch/<stage> URL. */
  id: string;
  eventId: string;
  title: string;
  /** Order among the event's stages. */
  position: number;
}

export type StageInput = Omit<Stage, 'position'> & { position?: number };
export type StageChanges = Partial<Pick<Stage, 'title' | 'position'>>;

const columns = 'id, event_id AS eventId, title, position';

const statements = preparedOnce((db) => ({
  listAll: db.prepare<[], Stage>(`SELECT ${columns} FROM stages ORDER BY event_id, position, id`),
  listByEvent: db.prepare<[string], Stage>(`SELECT ${columns} FROM stages WHERE event_id = ? ORDER BY position, id`),
  get: db.prepare<[string], Stage>(`SELECT ${columns} FROM stages WHERE id = ?`),
  insert: db.prepare<Stage>('INSERT INTO stages (id, event_id, title, position) VALUES (@id, @eventId, @title, @position)'),
  update: db.prepare<Pick<Stage, 'id' | 'title' | 'position'>>('UPDATE stages SET title = @title, position = @position WHERE id = @id'),
  delete: db.prepare<[string]>('DELETE FROM stages WHERE id = ?'),
}));

/** Apart from the others: code that runs on a database migrated only part of the way (tests of older migrations) never prepares them. */
const retentionStatements = preparedOnce((db) => ({
  setRetention: db.prepare<[number | null, string]>('UPDATE stages SET retention_hours = ? WHERE id = ?'),
  retention: db.prepare<[string], { hours: number | null }>('SELECT retention_hours AS hours FROM stages WHERE id = ?'),
}));

/** Every stage of every event. */
export function listAllStages(db: Database): Stage[] {
  return statements(db).listAll.all();
}

export function listStages(db: Database, eventId: string): Stage[] {
  return statements(db).listByEvent.all(eventId);
}

export function getStage(db: Database, id: string): Stage | undefined {
  return statements(db).get.get(id);
}

/** Throws a SqliteError when the id is taken (isAlreadyExistsError) or the event does not exist. */
export function createStage(db: Database, input: StageInput): Stage {
  const stage = { ...input, position: input.position ?? 0 };
  statements(db).insert.run(stage);
  return stage;
}

export function updateStage(db: Database, id: string, changes: StageChanges): Stage | undefined {
  return db.transaction(() => {
    const existing = getStage(db, id);
    if (!existing) return undefined;
    const { title, position } = { ...existing, ...definedFields(changes) };
    const updated = { ...existing, title, position };
    statements(db).update.run(updated);
    return updated;
  })();
}

/** Deletes the stage with its talks, invites, questions and viewings (the schema cascades). */
export function deleteStage(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}

/** How many hours the stage's recordings are kept after they end; null keeps them. */
export function setStageRetention(db: Database, id: string, hours: number | null): boolean {
  return retentionStatements(db).setRetention.run(hours, id).changes > 0;
}

export function stageRetention(db: Database, id: string): number | null | undefined {
  return retentionStatements(db).retention.get(id)?.hours;
}

const recordedStatements = preparedOnce((db) => ({
  setRecorded: db.prepare<[number, string]>('UPDATE stages SET recorded = ? WHERE id = ?'),
  recorded: db.prepare<[string], { recorded: number }>('SELECT recorded FROM stages WHERE id = ?'),
}));

/** Whether the stage is recorded while it is live (technicians stop and start recording on their own). */
export function setStageRecorded(db: Database, id: string, recorded: boolean): boolean {
  return recordedStatements(db).setRecorded.run(recorded ? 1 : 0, id).changes > 0;
}

/** Undefined when there is no such stage. */
export function isStageRecorded(db: Database, id: string): boolean | undefined {
  const row = recordedStatements(db).recorded.get(id);
  return row && row.recorded === 1;
}
