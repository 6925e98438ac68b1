import type { Database } from 'better-sqlite3';
import { definedFields, preparedOnce } from './prepared.js';
import { newId } from './tokens.js';

export interface Speaker {
  id: string;
  eventId: string;
  name: string;
  organisation: string;
  bio: string;
}

export interface SpeakerInput {
  /** Normally left out (a random UUID is used); programme imports keep theirs. */
  id?: string;
  eventId: string;
  name: string;
  organisation?: string;
  bio?: string;
}

export type SpeakerChanges = Partial<Pick<Speaker, 'name' | 'organisation' | 'bio'>>;

const columns = 'id, event_id AS eventId, name, organisation, bio';

const statements = preparedOnce((db) => ({
  listByEvent: db.prepare<[string], Speaker>(`SELECT ${columns} FROM speakers WHERE event_id = ? ORDER BY name, id`),
  get: db.prepare<[string], Speaker>(`SELECT ${columns} FROM speakers WHERE id = ?`),
  insert: db.prepare<Speaker>('INSERT INTO speakers (id, event_id, name, organisation, bio) VALUES (@id, @eventId, @name, @organisation, @bio)'),
  update: db.prepare<Omit<Speaker, 'eventId'>>('UPDATE speakers SET name = @name, organisation = @organisation, bio = @bio WHERE id = @id'),
  delete: db.prepare<[string]>('DELETE FROM speakers WHERE id = ?'),
}));

/** The event's speakers, by name. */
export function listSpeakers(db: Database, eventId: string): Speaker[] {
  return statements(db).listByEvent.all(eventId);
}

export function getSpeaker(db: Database, id: string): Speaker | undefined {
  return statements(db).get.get(id);
}

export function createSpeaker(db: Database, input: SpeakerInput): Speaker {
  const speaker: Speaker = {
    id: input.id ?? newId(),
    eventId: input.eventId,
    name: input.name,
    organisation: input.organisation ?? '',
    bio: input.bio ?? '',
  };
  statements(db).insert.run(speaker);
  return speaker;
}

export function updateSpeaker(db: Database, id: string, changes: SpeakerChanges): Speaker | undefined {
  return db.transaction(() => {
    const existing = getSpeaker(db, id);
    if (!existing) return undefined;
    const { name, organisation, bio } = { ...existing, ...definedFields(changes) };
    const updated = { ...existing, name, organisation, bio };
    statements(db).update.run(updated);
    return updated;
  })();
}

/** Deletes the speaker and takes them off every talk. */
export function deleteSpeaker(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}
