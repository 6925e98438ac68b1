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

/**
 * A new registration with its personal token (only its hash is stored, so this is the one chance
 * to hand it over), or `undefined` when the address was registered already: its token stays as it
 * was, and nobody who only knows the address gets it.
 */
export interface RegistrationResult {
  registration: Registration;
  token: string;
}

const columns = 'id, event_id AS eventId, name, email, created_at AS createdAt';

const statements = preparedOnce((db) => ({
  // One statement, so it is atomic even with other connections writing: a new row, or nothing
  // when the address is registered already. Never a second row, never a changed token.
  insertNew: db.prepare<
    { id: string; eventId: string; name: string; email: string; emailNormalized: string; tokenHash: string; createdAt: string },
    Registration
  >(
    `INSERT INTO registrations (id, event_id, name, email, email_normalized, token_hash, created_at)
     VALUES (@id, @eventId, @name, @email, @emailNormalized, @tokenHash, @createdAt)
     ON CONFLICT (event_id, email_normalized) DO NOTHING
     RETURNING ${columns}`,
  ),
  replaceToken: db.prepare<{ eventId: string; emailNormalized: string; tokenHash: string }, Registration>(
    `UPDATE registrations SET token_hash = @tokenHash WHERE event_id = @eventId AND email_normalized = @emailNormalized
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
 * What a repeat registration answers: the shape of a real one, an id and a token that open nothing
 * (neither is stored), so the answer does not tell whether the address was registered.
 */
export function decoyRegistration(): Pick<RegistrationResult, 'token'> & { registration: { id: string } } {
  return { registration: { id: newId() }, token: issueToken().token };
}

/** Registers an attendee; an address already registered for the event is left as it is. Safe to call concurrently. */
export function registerForEvent(db: Database, input: RegistrationInput, now = new Date()): RegistrationResult | undefined {
  const { token, tokenHash } = issueToken();
  const registration = statements(db).insertNew.get({
    id: newId(),
    eventId: input.eventId,
    name: input.name.trim(),
    email: input.email.trim(),
    emailNormalized: normalizeEmail(input.email),
    tokenHash,
    createdAt: toIsoTime(now),
  });
  return registration && { registration, token };
}

/**
 * A new personal token for a registered address (the old one stops working): for a technician
 * to send to an attendee who lost their link. Undefined when the address is not registered.
 */
export function reissueRegistrationToken(db: Database, eventId: string, email: string): RegistrationResult | undefined {
  const { token, tokenHash } = issueToken();
  const registration = statements(db).replaceToken.get({ eventId, emailNormalized: normalizeEmail(email), tokenHash });
  return registration && { registration, token };
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
