/** Technicians (the people who run an event's stages) and their login sessions. */
import type { Database } from 'better-sqlite3';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.js';
import { preparedOnce } from './prepared.js';
import { addMilliseconds, toIsoTime } from './time.js';
import { hashToken, issueToken, newId } from './tokens.js';

export interface Technician {
  id: string;
  /** Unique regardless of letter case. */
  username: string;
  createdAt: string;
  /** A disabled technician cannot sign in; null while enabled. */
  disabledAt: string | null;
}

export interface AuthSession {
  technicianId: string;
  createdAt: string;
  expiresAt: string;
}

export interface IssuedAuthSession extends AuthSession {
  /** Goes into the technician's cookie; only its hash is stored. */
  token: string;
}

/** How long a login lasts unless the caller says otherwise: one conference day and then some. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const columns = 'id, username, created_at AS createdAt, disabled_at AS disabledAt';
const sessionColumns = 'technician_id AS technicianId, created_at AS createdAt, expires_at AS expiresAt';

const statements = preparedOnce((db) => ({
  insert: db.prepare<[string, string, string, string]>('INSERT INTO technicians (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)'),
  byUsername: db.prepare<[string], Technician>(`SELECT ${columns} FROM technicians WHERE username = ?`),
  byId: db.prepare<[string], Technician>(`SELECT ${columns} FROM technicians WHERE id = ?`),
  all: db.prepare<[], Technician>(`SELECT ${columns} FROM technicians ORDER BY username`),
  setDisabled: db.prepare<[string | null, string]>('UPDATE technicians SET disabled_at = ? WHERE id = ?'),
  setPassword: db.prepare<[string, string]>('UPDATE technicians SET password_hash = ? WHERE id = ?'),
  deleteSessionsOf: db.prepare<[string]>('DELETE FROM auth_sessions WHERE technician_id = ?'),
  credentials: db.prepare<[string], Technician & { passwordHash: string }>(
    `SELECT ${columns}, password_hash AS passwordHash FROM technicians WHERE username = ?`,
  ),
  insertSession: db.prepare<[string, string, string, string]>(
    'INSERT INTO auth_sessions (token_hash, technician_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  ),
  validSession: db.prepare<[string, string], AuthSession>(`SELECT ${sessionColumns} FROM auth_sessions WHERE token_hash = ? AND expires_at > ?`),
  technicianBySession: db.prepare<[string, string], Technician>(
    `SELECT t.id, t.username, t.created_at AS createdAt, t.disabled_at AS disabledAt FROM auth_sessions s
       JOIN technicians t ON t.id = s.technician_id
      WHERE s.token_hash = ? AND s.expires_at > ? AND t.disabled_at IS NULL`,
  ),
  deleteSession: db.prepare<[string]>('DELETE FROM auth_sessions WHERE token_hash = ?'),
  purgeExpired: db.prepare<[string]>('DELETE FROM auth_sessions WHERE expires_at <= ?'),
}));

/** Throws a SqliteError (isAlreadyExistsError) when the username is taken, in any letter case. */
export async function createTechnician(db: Database, username: string, password: string, now = new Date()): Promise<Technician> {
  const passwordHash = await hashPassword(password);
  const technician = { id: newId(), username: username.trim(), createdAt: toIsoTime(now), disabledAt: null };
  statements(db).insert.run(technician.id, technician.username, passwordHash, technician.createdAt);
  return technician;
}

export function findTechnicianByUsername(db: Database, username: string): Technician | undefined {
  return statements(db).byUsername.get(username.trim());
}

export function getTechnician(db: Database, id: string): Technician | undefined {
  return statements(db).byId.get(id);
}

export function listTechnicians(db: Database): Technician[] {
  return statements(db).all.all();
}

/** Disabling ends the technician's sessions at once; enabling lets them sign in again. */
export function setTechnicianDisabled(db: Database, id: string, disabled: boolean, now = new Date()): Technician | undefined {
  return db.transaction(() => {
    if (statements(db).setDisabled.run(disabled ? toIsoTime(now) : null, id).changes === 0) return undefined;
    if (disabled) statements(db).deleteSessionsOf.run(id);
    return getTechnician(db, id);
  })();
}

/** A new password ends every session signed in with the old one. */
export async function resetTechnicianPassword(db: Database, id: string, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  return db.transaction(() => {
    if (statements(db).setPassword.run(passwordHash, id).changes === 0) return false;
    statements(db).deleteSessionsOf.run(id);
    return true;
  })();
}

/**
 * The technician when the password is right and they are not disabled; takes as long when the
 * username does not exist.
 */
export async function authenticateTechnician(db: Database, username: string, password: string): Promise<Technician | undefined> {
  const found = statements(db).credentials.get(username.trim());
  if (!found) {
    await verifyAgainstNothing(password);
    return undefined;
  }
  const { passwordHash, ...technician } = found;
  return (await verifyPassword(password, passwordHash)) && technician.disabledAt === null ? technician : undefined;
}

export function createAuthSession(db: Database, technicianId: string, ttlMs = DEFAULT_SESSION_TTL_MS, now = new Date()): IssuedAuthSession {
  const { token, tokenHash } = issueToken();
  const session = { technicianId, createdAt: toIsoTime(now), expiresAt: toIsoTime(addMilliseconds(now, ttlMs)) };
  statements(db).insertSession.run(tokenHash, session.technicianId, session.createdAt, session.expiresAt);
  return { ...session, token };
}

/** The session behind a cookie's token, unless it has expired or was deleted. */
export function findValidAuthSession(db: Database, token: string, now = new Date()): AuthSession | undefined {
  return statements(db).validSession.get(hashToken(token), toIsoTime(now));
}

/** Who is signed in with a cookie's token, unless the session expired or was deleted. */
export function findTechnicianBySessionToken(db: Database, token: string, now = new Date()): Technician | undefined {
  return statements(db).technicianBySession.get(hashToken(token), toIsoTime(now));
}

/** Logs out. */
export function deleteAuthSession(db: Database, token: string): boolean {
  return statements(db).deleteSession.run(hashToken(token)).changes > 0;
}

/** Removes expired sessions; returns how many. They are refused anyway, this only keeps the table small. */
export function purgeExpiredAuthSessions(db: Database, now = new Date()): number {
  return statements(db).purgeExpired.run(toIsoTime(now)).changes;
}
