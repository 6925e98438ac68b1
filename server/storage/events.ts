import type { Database } from 'better-sqlite3';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.js';
import { definedFields, preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';

export type Visibility = 'public' | 'private';

export interface Event {
  /** A slug; part of the event's URLs. */
  id: string;
  title: string;
  description: string;
  /** Who organises it (a municipality, a region); empty when not given. */
  organiser: string;
  /** IANA time zone the programme is shown in, e.g. Europe/Stockholm. */
  timeZone: string;
  /** BCP-47 language tag of the event's content, e.g. sv. */
  language: string;
  visibility: Visibility;
  /** Whether viewers must enter an access code (only its hash is stored). */
  hasAccessCode: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface EventInput {
  id: string;
  title: string;
  description?: string;
  organiser?: string;
  timeZone: string;
  language: string;
  visibility: Visibility;
}

export type EventChanges = Partial<Omit<EventInput, 'id'>>;

type EventRow = Omit<Event, 'hasAccessCode'> & { hasAccessCode: 0 | 1 };
type EventFields = Required<EventInput> & { createdAt: string; updatedAt: string };

const columns = `id, title, description, organiser, time_zone AS timeZone, language, visibility,
  access_code_hash IS NOT NULL AS hasAccessCode, created_at AS createdAt, updated_at AS updatedAt`;

const statements = preparedOnce((db) => ({
  list: db.prepare<[], EventRow>(`SELECT ${columns} FROM events ORDER BY created_at, id`),
  get: db.prepare<[string], EventRow>(`SELECT ${columns} FROM events WHERE id = ?`),
  count: db.prepare<[], number>('SELECT count(*) FROM events').pluck(),
  insert: db.prepare<EventFields>(
    `INSERT INTO events (id, title, description, organiser, time_zone, language, visibility, created_at, updated_at)
     VALUES (@id, @title, @description, @organiser, @timeZone, @language, @visibility, @createdAt, @updatedAt)`,
  ),
  update: db.prepare<Omit<EventFields, 'createdAt'>>(
    `UPDATE events SET title = @title, description = @description, organiser = @organiser, time_zone = @timeZone, language = @language,
       visibility = @visibility, updated_at = @updatedAt
     WHERE id = @id`,
  ),
  accessCodeHash: db.prepare<[string], string | null>('SELECT access_code_hash FROM events WHERE id = ?').pluck(),
  setAccessCodeHash: db.prepare<[string | null, string, string]>('UPDATE events SET access_code_hash = ?, updated_at = ? WHERE id = ?'),
}));

function toEvent(row: EventRow): Event {
  return { ...row, hasAccessCode: row.hasAccessCode === 1 };
}

export function listEvents(db: Database): Event[] {
  return statements(db).list.all().map(toEvent);
}

export function countEvents(db: Database): number {
  return statements(db).count.get() ?? 0;
}

export function getEvent(db: Database, id: string): Event | undefined {
  const row = statements(db).get.get(id);
  return row && toEvent(row);
}

/** Throws a SqliteError (see isAlreadyExistsError) when the id is taken. */
export function createEvent(db: Database, input: EventInput, now = new Date()): Event {
  const at = toIsoTime(now);
  statements(db).insert.run({ ...input, description: input.description ?? '', organiser: input.organiser ?? '', createdAt: at, updatedAt: at });
  return getEvent(db, input.id) as Event;
}

/** Returns the updated event, or undefined when there is none with that id. */
export function updateEvent(db: Database, id: string, changes: EventChanges, now = new Date()): Event | undefined {
  return db.transaction(() => {
    const existing = getEvent(db, id);
    if (!existing) return undefined;
    const { title, description, organiser, timeZone, language, visibility } = { ...existing, ...definedFields(changes) };
    statements(db).update.run({ id, title, description, organiser, timeZone, language, visibility, updatedAt: toIsoTime(now) });
    return getEvent(db, id);
  })();
}

/** Sets or (with null) removes the code viewers of a private event must enter. */
export async function setEventAccessCode(db: Database, id: string, accessCode: string | null, now = new Date()): Promise<boolean> {
  const hash = accessCode === null ? null : await hashPassword(accessCode);
  return statements(db).setAccessCodeHash.run(hash, toIsoTime(now), id).changes > 0;
}

/** True when the event has no access code, or `accessCode` is it. */
export async function verifyEventAccessCode(db: Database, id: string, accessCode: string): Promise<boolean> {
  const hash = statements(db).accessCodeHash.get(id);
  if (hash === undefined) return verifyAgainstNothing(accessCode);
  if (hash === null) return true;
  return verifyPassword(accessCode, hash);
}
