import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { hashToken, issueToken, newId } from './tokens.js';

export interface Registration {
  id: string;
  eventId: string;
  name: string;
  /** As the attendee typed it. */
  email: string;
  createdAt: string;
}

export interface RegistrationInput {
  eventId: string;
  name: string;
  email: string;
}

export interface RegistrationResult {
  registration: Registration;
  /** The attendee's personal token; only its hash is stored, so this is the one chance to send it. */
  token: string;
  /** False when the e-mail address was already registered for the event (and got a new token). */
  created: boolean;
}

const columns = 'id, event_id AS eventId, name, email, created_at AS createdAt';

const statements = preparedOnce((db) => ({
  // One statement, so it is atomic even with other connections writing: either a new row, or
  // the existing row for that address with its token replaced. Never a second row.
  upsert: db.prepare<{ id: string; eventId: string; name: string; email: string; emailNormalized: string; tokenHash: string; createdAt: string }, Registration>(
    `INSERT INTO registrations (id, event_id, name, email, email_normalized, token_hash, created_at)
     VALUES (@id, @eventId, @name, @email, @emailNormalized, @tokenHash, @createdAt)
     ON CONFLICT (event_id, email_normalized) DO UPDATE SET token_hash = excluded.token_hash
     RETURNING ${columns}`,
  ),
  byTokenHash: db.prepare<[string], Registration>(`SELECT ${columns} FROM registrations WHERE token_hash = ?`),
  listByEvent: db.prepare<[string], Registration>(`SELECT ${columns} FROM registrations WHERE event_id = ? ORDER BY created_at, id`),
  countByEvent: db.prepare<[string], number>('SELECT count(*) FROM registrations WHERE event_id = ?').pluck(),
}));

/**
 * How addresses are compared: surrounding spaces and letter case do not make a different attendee.
 * (Strictly the part before @ may be case-sensitive; no real mail provider treats it so.)
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/**
 * Registers an attendee, or — for an address already registered for the event — keeps the existing
 * registration and issues it a new token (the old one stops working). Safe to call concurrently.
 */
export function registerForEvent(db: Database, input: RegistrationInput, now = new Date()): RegistrationResult {
  const { token, tokenHash } = issueToken();
  const id = newId();
  const registration = statements(db).upsert.get({
    id,
    eventId: input.eventId,
    name: input.name.trim(),
    email: input.email.trim(),
    emailNormalized: normalizeEmail(input.email),
    tokenHash,
    createdAt: toIsoTime(now),
  });
  if (!registration) throw new Error('registration upsert returned no row');
  return { registration, token, created: registration.id === id };
}

export function findRegistrationByToken(db: Database, token: string): Registration | undefined {
  return statements(db).byTokenHash.get(hashToken(token));
}

/** The event's registrations, oldest first. */
export function listRegistrations(db: Database, eventId: string): Registration[] {
  return statements(db).listByEvent.all(eventId);
}

export function countRegistrations(db: Database, eventId: string): number {
  return statements(db).countByEvent.get(eventId) ?? 0;
}
