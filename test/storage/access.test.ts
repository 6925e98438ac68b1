import { describe, expect, it } from 'vitest';
import { createSpeakerInvite, findValidInvite, findValidSpeakerInvite, listSpeakerInvites, revokeSpeakerInvite } from '../../server/storage/invites.js';
import { hashPassword, verifyPassword } from '../../server/storage/passwords.js';
import { isAlreadyExistsError } from '../../server/storage/errors.js';
import { createStage } from '../../server/storage/stages.js';
import { createTalk } from '../../server/storage/talks.js';
import {
  authenticateTechnician,
  createAuthSession,
  createTechnician,
  deleteAuthSession,
  findTechnicianByUsername,
  findValidAuthSession,
  purgeExpiredAuthSessions,
} from '../../server/storage/technicians.js';
import { createEventWithStage, openTempDatabase, sampleEvent } from './helpers.js';

const t0 = new Date('2026-05-20T07:00:00.000Z');
const minutes = (count: number) => new Date(t0.getTime() + count * 60_000);

describe('speaker invites', () => {
  it('work until they expire', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const { invite, token } = createSpeakerInvite(db, { stageId: 'main', label: 'Moderator', expiresAt: minutes(60) }, t0);
    expect(invite).toMatchObject({ stageId: 'main', talkId: null, label: 'Moderator', revokedAt: null, expiresAt: minutes(60).toISOString() });
    expect(findValidSpeakerInvite(db, token, minutes(59))).toEqual(invite);
    expect(findValidSpeakerInvite(db, token, minutes(60))).toBeUndefined();
    expect(findValidSpeakerInvite(db, 'guessed', t0)).toBeUndefined();
  });

  it('stop working when revoked, and stay listed', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const talk = createTalk(db, { stageId: 'main', title: 'Keynote', kind: 'talk', plannedStart: t0, plannedEnd: minutes(45) });
    const { invite, token } = createSpeakerInvite(db, { stageId: 'main', talkId: talk.id, expiresAt: minutes(600) }, t0);
    const other = createSpeakerInvite(db, { stageId: 'main', expiresAt: minutes(600) }, minutes(1));
    expect(revokeSpeakerInvite(db, invite.id, minutes(5))).toBe(true);
    expect(revokeSpeakerInvite(db, invite.id, minutes(6))).toBe(false);
    expect(findValidSpeakerInvite(db, token, minutes(10))).toBeUndefined();
    expect(findValidSpeakerInvite(db, other.token, minutes(10))?.id).toBe(other.invite.id);
    expect(listSpeakerInvites(db, 'main')).toEqual([{ ...invite, revokedAt: minutes(5).toISOString() }, other.invite]);
  });

  it('of the moderator role open moderation only: a moderator link is never taken for a speaker invite, nor the other way round', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const speaker = createSpeakerInvite(db, { stageId: 'main', label: 'Anna', expiresAt: minutes(60) }, t0);
    const moderator = createSpeakerInvite(db, { stageId: 'main', label: 'Panelvärd', role: 'moderator', expiresAt: minutes(60) }, minutes(1));
    expect(speaker.invite.role).toBe('speaker');
    expect(moderator.invite.role).toBe('moderator');
    expect(findValidSpeakerInvite(db, moderator.token, minutes(2))).toBeUndefined();
    expect(findValidInvite(db, moderator.token, 'speaker', minutes(2))).toBeUndefined();
    expect(findValidInvite(db, moderator.token, 'moderator', minutes(2))).toEqual(moderator.invite);
    expect(findValidInvite(db, speaker.token, 'moderator', minutes(2))).toBeUndefined();
    expect(revokeSpeakerInvite(db, moderator.invite.id, minutes(3))).toBe(true);
    expect(findValidInvite(db, moderator.token, 'moderator', minutes(4))).toBeUndefined();
    expect(listSpeakerInvites(db, 'main').map(({ role }) => role)).toEqual(['speaker', 'moderator']);
    expect(() => db.prepare("UPDATE speaker_invites SET role = 'technician'").run()).toThrow(/CHECK constraint/);
  });

  it('refuse a talk on another stage', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    createStage(db, { id: 'side', eventId: sampleEvent.id, title: 'Sidoscenen' });
    const talk = createTalk(db, { stageId: 'side', title: 'Workshop', kind: 'talk', plannedStart: t0, plannedEnd: minutes(45) });
    expect(() => createSpeakerInvite(db, { stageId: 'main', talkId: talk.id, expiresAt: minutes(60) })).toThrow(/not on the invite's stage/);
  });
});

describe('technicians and their sessions', () => {
  it('log in with the right password only, with usernames unique regardless of case', async () => {
    const db = openTempDatabase();
    const technician = await createTechnician(db, 'Kajsa', 'korrekt häst batteri häftklammer');
    expect(findTechnicianByUsername(db, 'kajsa')).toEqual(technician);
    expect(await authenticateTechnician(db, 'KAJSA', 'korrekt häst batteri häftklammer')).toEqual(technician);
    expect(await authenticateTechnician(db, 'kajsa', 'fel')).toBeUndefined();
    expect(await authenticateTechnician(db, 'nobody', 'korrekt häst batteri häftklammer')).toBeUndefined();
    const duplicate = await createTechnician(db, 'KAJSA', 'x').catch((error: unknown) => error);
    expect(isAlreadyExistsError(duplicate)).toBe(true);
  });

  it('have sessions that expire, can be deleted, and are purged', async () => {
    const db = openTempDatabase();
    const technician = await createTechnician(db, 'kajsa', 'lösenord');
    const short = createAuthSession(db, technician.id, 60 * 60_000, t0);
    const long = createAuthSession(db, technician.id, 24 * 60 * 60_000, t0);
    expect(findValidAuthSession(db, short.token, minutes(59))).toEqual({
      technicianId: technician.id,
      createdAt: t0.toISOString(),
      expiresAt: minutes(60).toISOString(),
    });
    expect(findValidAuthSession(db, short.token, minutes(60))).toBeUndefined();
    expect(findValidAuthSession(db, long.token, minutes(60))?.technicianId).toBe(technician.id);

    expect(purgeExpiredAuthSessions(db, minutes(61))).toBe(1);
    expect(deleteAuthSession(db, long.token)).toBe(true);
    expect(findValidAuthSession(db, long.token, minutes(61))).toBeUndefined();
    expect(db.prepare('SELECT count(*) FROM auth_sessions').pluck().get()).toBe(0);
  });
});

describe('password hashes', () => {
  it('carry their parameters and a random salt, and verify only the right password', async () => {
    const hash = await hashPassword('Sommar2026!');
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await hashPassword('Sommar2026!')).not.toBe(hash);
    expect(await verifyPassword('Sommar2026!', hash)).toBe(true);
    expect(await verifyPassword('sommar2026!', hash)).toBe(false);
  });

  it('reject malformed or absurdly expensive stored hashes without trying them', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1073741824$8$1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$10$8$1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA')).toBe(false);
  });
});
