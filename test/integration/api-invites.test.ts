import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InviteInfo, InviteResponse } from '../../shared/protocol.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller, type Caller, expectError, programmeDocument } from './api-fixtures.js';

/** The error code of joining `stageId` as a speaker with `invite`, or 'ok'. */
async function speakerJoin(server: RunningServer, invite: string, stageId: string): Promise<string> {
  const socket = await connect(server.url, { invite });
  try {
    const joined = await request(socket, 'stage:join', { stageId, role: 'speaker' });
    return joined.ok ? 'ok' : joined.error.code;
  } finally {
    socket.disconnect();
  }
}

describe('speaker invites', () => {
  let server: RunningServer;
  let asTechnician: Caller;
  const day = programmeDocument('invite-day', 'private', ['podium', 'side-room']);

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV });
    asTechnician = apiCaller(server, { cookie: (await technicianClient(server)).cookie });
    expect((await asTechnician('POST', '/api/programme', day)).status).toBe(201);
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('creates an invite that lets its holder speak on that stage only, until it is revoked', async () => {
    const talkId = day.talks[1]!.id;
    const created = await asTechnician<InviteResponse>('POST', '/api/stages/podium/invites', { label: 'Omar (panel)', talkId, expiresInHours: 2 });
    expect(created.status, created.text).toBe(201);
    const invite = created.body;
    expect(invite).toMatchObject({ stageId: 'podium', talkId, label: 'Omar (panel)', speakUrl: `/speak/podium?invite=${invite.token}` });
    const expiresIn = Date.parse(invite.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(1.9 * 3_600_000);
    expect(expiresIn).toBeLessThanOrEqual(2 * 3_600_000);

    const link = new URL(invite.speakUrl, server.url);
    expect((await fetch(link)).status).toBe(200);
    const token = link.searchParams.get('invite')!;
    expect(await speakerJoin(server, token, 'podium')).toBe('ok');
    expect(await speakerJoin(server, token, 'side-room')).toBe('forbidden');

    const listed = await asTechnician<{ invites: InviteInfo[] }>('GET', '/api/stages/podium/invites');
    expect(listed.status).toBe(200);
    expect(listed.body.invites).toEqual([
      { id: invite.id, stageId: 'podium', talkId, label: 'Omar (panel)', expiresAt: invite.expiresAt, revokedAt: null, createdAt: expect.any(String) },
    ]);
    expect(listed.text).not.toContain(token);
    expect((await asTechnician('GET', '/api/stages/side-room/invites')).body).toEqual({ invites: [] });

    expect((await asTechnician('DELETE', `/api/invites/${invite.id}`)).status).toBe(204);
    expect(await speakerJoin(server, token, 'podium')).toBe('forbidden');
    const afterRevoking = await asTechnician<{ invites: InviteInfo[] }>('GET', '/api/stages/podium/invites');
    expect(afterRevoking.body.invites[0]!.revokedAt).toEqual(expect.any(String));
    expectError(await asTechnician('DELETE', `/api/invites/${invite.id}`), 404, 'not_found');
  });

  it('defaults to an unlabelled invite for the whole stage, valid 48 hours', async () => {
    const created = await asTechnician<InviteResponse>('POST', '/api/stages/side-room/invites', {});
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ stageId: 'side-room', talkId: null, label: '' });
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(47.9 * 3_600_000);
    expect(await speakerJoin(server, created.body.token, 'side-room')).toBe('ok');
  });

  it('refuses bad invites naming the field, unknown stages and invites with 404, changing nothing', async () => {
    const before = snapshotDatabase(server.dataDir);
    const workshop = day.talks[2]!.id; // on side-room
    expectError(await asTechnician('POST', '/api/stages/podium/invites', { talkId: workshop }), 400, 'invalid_payload', 'talkId');
    expectError(await asTechnician('POST', '/api/stages/podium/invites', { talkId: 'no-such-talk' }), 400, 'invalid_payload', 'talkId');
    expectError(await asTechnician('POST', '/api/stages/podium/invites', { expiresInHours: 0 }), 400, 'invalid_payload', 'expiresInHours');
    expectError(await asTechnician('POST', '/api/stages/podium/invites', { label: 'x'.repeat(101) }), 400, 'invalid_payload', 'label');
    expectError(await asTechnician('POST', '/api/stages/podium/invites', { stageId: 'side-room' }), 400, 'invalid_payload', 'stageId');
    expectError(await asTechnician('POST', '/api/stages/no-such-stage/invites', {}), 404, 'not_found', 'no-such-stage');
    expectError(await asTechnician('POST', '/api/stages/Podium!/invites', {}), 400, 'invalid_payload', 'stageId');
    expectError(await asTechnician('GET', '/api/stages/no-such-stage/invites'), 404, 'not_found');
    expectError(await asTechnician('DELETE', '/api/invites/0b6c3f2e-8d1e-4c39-9a4c-3f0d6a2b9e11'), 404, 'not_found');
    expectError(await asTechnician('DELETE', `/api/invites/${encodeURIComponent('not an id')}`), 400, 'invalid_payload', 'inviteId');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });
});
