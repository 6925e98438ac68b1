import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditLogResponse,
  EventProgrammeResponse,
  InviteResponse,
  RegistrationResponse,
  TechnicianInfo,
  TechnicianResponse,
  TechniciansResponse,
} from '../../shared/protocol.js';
import { startRecording } from '../../server/storage/recordings.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

const PASSWORD = 'another-long-password';

/** The session cookie a sign-in sets, or the failed answer. */
async function signIn(server: ApiServer, username: string, password: string) {
  const answer = await injectCaller(server)<TechnicianResponse>('POST', '/api/auth/login', { username, password });
  const cookie = answer.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  return { answer, cookie };
}

describe('technicians in the control room API', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  const openDay = programmeDocument('open-day', 'public', ['open-a', 'open-b']);

  beforeAll(async () => {
    // This file signs in more often than the default 10 a minute.
    server = await startApiServer({ ...TECHNICIAN_ENV, LOGIN_RATE_LIMIT_PER_MINUTE: '100' });
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    anonymous = injectCaller(server);
    expect((await asTechnician('POST', '/api/programme', openDay)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('signs in, knows who is signed in, and signs out: the session then opens nothing', async () => {
    const { answer, cookie } = await signIn(server, TECHNICIAN_ENV.ADMIN_USERNAME, TECHNICIAN_ENV.ADMIN_PASSWORD);
    expect(answer.status, answer.text).toBe(200);
    const session = injectCaller(server, { cookie });
    expect((await session<TechnicianResponse>('GET', '/api/auth/me')).body.technician.username).toBe('tech');
    expect((await session('POST', '/api/auth/logout')).status).toBe(204);
    expectError(await session('GET', '/api/auth/me'), 401, 'unauthorized');
    expectError(await session('GET', '/api/technicians'), 401, 'unauthorized');
  });

  it('refuses a session once it has expired', async () => {
    const { cookie } = await signIn(server, TECHNICIAN_ENV.ADMIN_USERNAME, TECHNICIAN_ENV.ADMIN_PASSWORD);
    const session = injectCaller(server, { cookie });
    expect((await session('GET', '/api/auth/me')).status).toBe(200);
    // As if its 12 hours had passed.
    server.db.prepare("UPDATE auth_sessions SET created_at = '2020-01-01T00:00:00.000Z', expires_at = '2020-01-01T12:00:00.000Z'").run();
    expectError(await session('GET', '/api/auth/me'), 401, 'unauthorized');
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
  });

  it('adds a technician who can sign in; refuses a taken username and a short password', async () => {
    const added = await asTechnician<TechnicianInfo>('POST', '/api/technicians', { username: 'Karin', password: PASSWORD });
    expect(added.status, added.text).toBe(201);
    expect(added.body).toEqual({ id: expect.any(String), username: 'Karin', createdAt: expect.any(String), disabledAt: null });
    expect((await signIn(server, 'karin', PASSWORD)).answer.status).toBe(200);
    const listed = await asTechnician<TechniciansResponse>('GET', '/api/technicians');
    expect(listed.body.technicians.map((technician) => technician.username)).toEqual(['Karin', 'tech']);

    const before = snapshotDatabase(server.dataDir);
    expectError(await asTechnician('POST', '/api/technicians', { username: 'KARIN', password: PASSWORD }), 409, 'conflict', 'KARIN');
    expectError(await asTechnician('POST', '/api/technicians', { username: 'Olle', password: 'short' }), 400, 'invalid_payload', 'password');
    expectError(await asTechnician('POST', '/api/technicians', { username: '', password: PASSWORD }), 400, 'invalid_payload', 'username');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('disables a technician: their session ends at once and they cannot sign in until enabled again', async () => {
    const olle = (await asTechnician<TechnicianInfo>('POST', '/api/technicians', { username: 'Olle', password: PASSWORD })).body;
    const olleSession = injectCaller(server, { cookie: (await signIn(server, 'Olle', PASSWORD)).cookie });
    expect((await olleSession('GET', '/api/auth/me')).status).toBe(200);

    const disabled = await asTechnician<TechnicianInfo>('PATCH', `/api/technicians/${olle.id}`, { disabled: true });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body.disabledAt).toEqual(expect.any(String));
    expectError(await olleSession('GET', '/api/auth/me'), 401, 'unauthorized');
    expectError((await signIn(server, 'Olle', PASSWORD)).answer, 401, 'unauthorized');

    expect((await asTechnician('PATCH', `/api/technicians/${olle.id}`, { disabled: false })).status).toBe(200);
    expect((await signIn(server, 'Olle', PASSWORD)).answer.status).toBe(200);

    const me = (await asTechnician<TechnicianResponse>('GET', '/api/auth/me')).body.technician;
    expectError(await asTechnician('PATCH', `/api/technicians/${me.id}`, { disabled: true }), 409, 'conflict', 'yourself');
    expectError(await asTechnician('PATCH', '/api/technicians/no-such-technician', { disabled: true }), 404, 'not_found');
    expectError(await asTechnician('PATCH', `/api/technicians/${olle.id}`, { disabled: 'yes' }), 400, 'invalid_payload', 'disabled');
  });

  it('resets a password: the old one and its sessions stop working, the new one signs in', async () => {
    const eva = (await asTechnician<TechnicianInfo>('POST', '/api/technicians', { username: 'Eva', password: PASSWORD })).body;
    const evaSession = injectCaller(server, { cookie: (await signIn(server, 'Eva', PASSWORD)).cookie });
    const reset = await asTechnician('PUT', `/api/technicians/${eva.id}/password`, { password: 'a-brand-new-password' });
    expect(reset.status, reset.text).toBe(204);
    expectError(await evaSession('GET', '/api/auth/me'), 401, 'unauthorized');
    expectError((await signIn(server, 'Eva', PASSWORD)).answer, 401, 'unauthorized');
    expect((await signIn(server, 'Eva', 'a-brand-new-password')).answer.status).toBe(200);
    expectError(await asTechnician('PUT', `/api/technicians/${eva.id}/password`, { password: 'short' }), 400, 'invalid_payload', 'password');
    expectError(await asTechnician('PUT', '/api/technicians/no-such-technician/password', { password: PASSWORD }), 404, 'not_found');
  });

  it('creates, renames and deletes a stage; refuses to delete one with recordings', async () => {
    const created = await asTechnician('POST', '/api/events/open-day/stages', { id: 'open-c', title: 'Tredje salen' });
    expect(created.status, created.text).toBe(201);
    const renamed = await asTechnician('PATCH', '/api/stages/open-c', { title: 'Hörsalen' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toEqual({ id: 'open-c', eventId: 'open-day', title: 'Hörsalen', position: 2 });
    expectError(await asTechnician('PATCH', '/api/stages/open-c', { title: '  ' }), 400, 'invalid_payload', 'title');
    expectError(await asTechnician('PATCH', '/api/stages/open-c', { title: 'X', eventId: 'other' }), 400, 'invalid_payload', 'eventId');
    expectError(await asTechnician('PATCH', '/api/stages/no-such-stage', { title: 'X' }), 404, 'not_found');

    expect((await asTechnician('DELETE', '/api/stages/open-c')).status).toBe(204);
    const programme = await anonymous<EventProgrammeResponse>('GET', '/api/events/open-day');
    expect(programme.body.stages.map((stage) => stage.id)).toEqual(['open-a', 'open-b']);
    expectError(await asTechnician('DELETE', '/api/stages/open-c'), 404, 'not_found');

    startRecording(server.db, 'open-b');
    expectError(await asTechnician('DELETE', '/api/stages/open-b'), 409, 'conflict', 'recording');
    expect((await anonymous<EventProgrammeResponse>('GET', '/api/events/open-day')).body.stages).toHaveLength(2);
  });

  it('refuses every technician action to anonymous callers, viewers and speakers, changing nothing', async () => {
    const registration = await anonymous<RegistrationResponse>('POST', '/api/registrations', { eventId: 'open-day', name: 'Lena', email: 'lena@example.se' });
    const invite = await asTechnician<InviteResponse>('POST', '/api/stages/open-a/invites', { label: 'Anna' });
    expect([registration.status, invite.status]).toEqual([201, 201]);
    const someone = (await asTechnician<TechniciansResponse>('GET', '/api/technicians')).body.technicians[0]!;
    const callers: Record<string, Caller> = {
      anonymous,
      viewer: injectCaller(server, { 'x-estrad-access': registration.body.token, cookie: `estrad_access=${registration.body.token}` }),
      speaker: injectCaller(server, { 'x-estrad-invite': invite.body.token }),
      'forged session': injectCaller(server, { cookie: 'estrad_session=not-a-session-token-at-all' }),
    };
    const actions: [string, string, unknown?][] = [
      ['GET', '/api/technicians'],
      ['POST', '/api/technicians', { username: 'Intruder', password: PASSWORD }],
      ['PATCH', `/api/technicians/${someone.id}`, { disabled: true }],
      ['PUT', `/api/technicians/${someone.id}/password`, { password: PASSWORD }],
      ['GET', '/api/audit-log'],
      ['POST', '/api/events/open-day/stages', { id: 'open-x', title: 'X' }],
      ['PATCH', '/api/stages/open-a', { title: 'Taken over' }],
      ['DELETE', '/api/stages/open-a'],
      ['POST', '/api/stages/open-a/invites', {}],
    ];
    const before = snapshotDatabase(server.dataDir);
    for (const [who, caller] of Object.entries(callers)) {
      for (const [method, path, body] of actions) {
        const answer = await caller(method, path, body);
        expect({ who, method, path, status: answer.status }).toEqual({ who, method, path, status: 401 });
        expectError(answer, 401, 'unauthorized');
      }
    }
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('refuses a state-changing request with the session from another site (CSRF), but takes it from its own pages and from scripts', async () => {
    const before = snapshotDatabase(server.dataDir);
    const rename = (headers: Record<string, string>) => asTechnician('PATCH', '/api/stages/open-a', { title: 'Stora salen' }, headers);
    expectError(await rename({ origin: 'https://evil.example' }), 403, 'forbidden', 'another site');
    expectError(await rename({ origin: 'null' }), 403, 'forbidden');
    expectError(await rename({ 'sec-fetch-site': 'cross-site' }), 403, 'forbidden');
    expectError(await rename({ 'sec-fetch-site': 'same-site' }), 403, 'forbidden');
    expectError(await asTechnician('POST', '/api/auth/logout', undefined, { origin: 'https://evil.example' }), 403, 'forbidden');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
    // Reading is not refused: another site cannot read the answer anyway (no CORS for it).
    expect((await asTechnician('GET', '/api/technicians', undefined, { origin: 'https://evil.example' })).status).toBe(200);

    // inject's requests reach the server as http://localhost:80.
    expect((await rename({ origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await rename({})).status).toBe(200);
  });

  it('writes every technician action carried out to the audit log, newest first, with who did what to what; a refused one changes nothing', async () => {
    const { cookie } = await signIn(server, 'Karin', PASSWORD);
    const karin = injectCaller(server, { cookie });
    expect((await karin('POST', '/api/events/open-day/stages', { id: 'open-audit', title: 'Granskning' })).status).toBe(201);
    expect((await karin('PATCH', '/api/stages/open-audit', { title: 'Granskad' })).status).toBe(200);
    expectError(await karin('PATCH', '/api/stages/open-audit', { title: '' }), 400, 'invalid_payload');
    expect((await karin('DELETE', '/api/stages/open-audit')).status).toBe(204);
    expect((await karin('POST', '/api/auth/logout')).status).toBe(204);

    const log = await asTechnician<AuditLogResponse>('GET', '/api/audit-log?limit=5');
    expect(log.status, log.text).toBe(200);
    expect(log.body.entries.map(({ username, action, subject, status }) => ({ username, action, subject, status }))).toEqual([
      { username: 'Karin', action: 'POST /api/auth/logout', subject: {}, status: 204 },
      { username: 'Karin', action: 'DELETE /api/stages/:stageId', subject: { stageId: 'open-audit' }, status: 204 },
      { username: 'Karin', action: 'PATCH /api/stages/:stageId', subject: { stageId: 'open-audit' }, status: 200 },
      { username: 'Karin', action: 'POST /api/events/:eventId/stages', subject: { eventId: 'open-day' }, status: 201 },
      { username: 'Karin', action: 'POST /api/auth/login', subject: {}, status: 200 },
    ]);
    // Reading is not an action: the log does not list itself.
    expect(log.body.entries.some((entry) => entry.action.startsWith('GET'))).toBe(false);
  });
});
