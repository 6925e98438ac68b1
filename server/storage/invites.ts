/**
 * Invites: links that let someone go on air on one stage (optionally for one talk), or moderate
 * that stage's audience questions and polls (a panel host who is not a technician).
 */
import type { Database } from 'better-sqlite3';
import type { InviteRole } from '../../shared/protocol.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { hashToken, issueToken, newId } from './tokens.js';

export interface SpeakerInvite {
  id: string;
  stageId: string;
  talkId: string | null;
  /** Who it is for, e.g. "Anna Berg (keynote)"; shown to technicians only. */
  label: string;
  /** What the link opens; a moderator link never lets its holder on air. */
  role: InviteRole;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
}

export interface SpeakerInviteInput {
  stageId: string;
  /** Must be a talk on `stageId`. */
  talkId?: string | null;
  label?: string;
  /** A speaker invite unless given. */
  role?: InviteRole;
  expiresAt: Date | string;
}

export interface IssuedSpeakerInvite {
  invite: SpeakerInvite;
  /** Goes into the invite link; only its hash is stored, so it cannot be shown again. */
  token: string;
}

const columns = `id, stage_id AS stageId, talk_id AS talkId, label, role, expires_at AS expiresAt,
  revoked_at AS revokedAt, created_at AS createdAt`;

const statements = preparedOnce((db) => ({
  insert: db.prepare<SpeakerInvite & { tokenHash: string }>(
    `INSERT INTO speaker_invites (id, token_hash, stage_id, talk_id, label, role, expires_at, revoked_at, created_at)
     VALUES (@id, @tokenHash, @stageId, @talkId, @label, @role, @expiresAt, @revokedAt, @createdAt)`,
  ),
  // A speaker's link only: a moderator's token says nothing about speaking.
  byTokenHash: db.prepare<[string], SpeakerInvite>(`SELECT ${columns} FROM speaker_invites WHERE token_hash = ? AND role = 'speaker'`),
  validByTokenHash: db.prepare<[string, string, InviteRole], SpeakerInvite>(
    `SELECT ${columns} FROM speaker_invites WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ? AND role = ?`,
  ),
  listByStage: db.prepare<[string], SpeakerInvite>(`SELECT ${columns} FROM speaker_invites WHERE stage_id = ? ORDER BY created_at, id`),
  revoke: db.prepare<[string, string]>('UPDATE speaker_invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
}));

/** Throws a SqliteError when the stage does not exist or the talk is not on it. */
export function createSpeakerInvite(db: Database, input: SpeakerInviteInput, now = new Date()): IssuedSpeakerInvite {
  const { token, tokenHash } = issueToken();
  const invite: SpeakerInvite = {
    id: newId(),
    stageId: input.stageId,
    talkId: input.talkId ?? null,
    label: input.label ?? '',
    role: input.role ?? 'speaker',
    expiresAt: toIsoTime(input.expiresAt),
    revokedAt: null,
    createdAt: toIsoTime(now),
  };
  statements(db).insert.run({ ...invite, tokenHash });
  return { invite, token };
}

/** The speaker invite behind a link's token, unless it has expired or been revoked. */
export function findValidSpeakerInvite(db: Database, token: string, now = new Date()): SpeakerInvite | undefined {
  return findValidInvite(db, token, 'speaker', now);
}

/** The invite behind a link's token, expired and revoked ones included (to say which it is). */
export function findSpeakerInvite(db: Database, token: string): SpeakerInvite | undefined {
  return statements(db).byTokenHash.get(hashToken(token));
}

/** The invite of this role behind a link's token, unless it has expired or been revoked. */
export function findValidInvite(db: Database, token: string, role: InviteRole, now = new Date()): SpeakerInvite | undefined {
  return statements(db).validByTokenHash.get(hashToken(token), toIsoTime(now), role);
}

/** All of the stage's invites (speakers' and moderators'), including expired and revoked ones, oldest first. */
export function listSpeakerInvites(db: Database, stageId: string): SpeakerInvite[] {
  return statements(db).listByStage.all(stageId);
}

/** Returns false when there is no such invite or it was already revoked. */
export function revokeSpeakerInvite(db: Database, id: string, now = new Date()): boolean {
  return statements(db).revoke.run(toIsoTime(now), id).changes > 0;
}
