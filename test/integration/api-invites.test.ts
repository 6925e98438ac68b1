import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InviteInfo, InviteResponse } from '../../shared/protocol.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller, type Caller, expectError, opusParameters, programmeDocument } from './api-fixtures.js';

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

/** An ISO time the server stamped between the two moments (milliseconds; the server's clock is this machine's). */
function expectTimeBetween(time: string | null, from: number, to: number): void {
  const at = Date.parse(time ?? '');
  expect(at, `${time} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`).toBeGreaterThanOrEqual(from);
  expect(at, `${time} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`).toBeLessThanOrEqual(to);
}

describe('speaker invites', () => {
  let server: RunningServer;
  let asTechnician: Caller;
  let technicianCookie: string;
  const day = programmeDocument('invite-day', 'private', ['podium', 'side-room']);

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV });
    technicianCookie = (await technicianClient(server)).cookie;
    asTechnician = apiCaller(server, { cookie: technicianCookie });
    expect((await asTechnician('POST', '/api/programme', day)).status).toBe(201);
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('creates an invite that lets its holder speak on that stage only, until it is revoked', async () => {
    const talkId = day.talks[1]!.id;
    const beforeCreating = Date.now();
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
    expect(await speakerJoin(server, token, 'side-room')).toBe('invite_wrong_stage');

    const listed = await asTechnician<{ invites: InviteInfo[] }>('GET', '/api/stages/podium/invites');
    expect(listed.status).toBe(200);
    expect(listed.body.invites).toEqual([
      {
        id: invite.id,
        stageId: 'podium',
        talkId,
        label: 'Omar (panel)',
        role: 'speaker',
        expiresAt: invite.expiresAt,
        revokedAt: null,
        createdAt: expect.any(String),
      },
    ]);
    expectTimeBetween(listed.body.invites[0]!.createdAt, beforeCreating, Date.now());
    expect(listed.text).not.toContain(token);
    expect((await asTechnician('GET', '/api/stages/side-room/invites')).body).toEqual({ invites: [] });

    const beforeRevoking = Date.now();
    expect((await asTechnician('DELETE', `/api/invites/${invite.id}`)).status).toBe(204);
    expect(await speakerJoin(server, token, 'podium')).toBe('invite_revoked');
    const afterRevoking = await asTechnician<{ invites: InviteInfo[] }>('GET', '/api/stages/podium/invites');
    expectTimeBetween(afterRevoking.body.invites[0]!.revokedAt, beforeRevoking, Date.now());
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
    expectError(await asTechnician('POST', '/api/stages/podium/invites', { label: 'Anna\u0000Berg' }), 400, 'invalid_payload', 'label');
    expectError(await asTechnician('POST', '/api/stages/podium/invites', { label: 'Anna \ud800 Berg' }), 400, 'invalid_payload', 'label');
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('takes a speaker off air the moment their invite is revoked, telling their page why', async () => {
    const invite = (await asTechnician<InviteResponse>('POST', '/api/stages/podium/invites', { label: 'Revoked mid-talk' })).body;
    // Cleared for air before they connect: speakers otherwise arrive backstage, unseen by viewers.
    expect((await asTechnician('PUT', `/api/stages/podium/speakers/${invite.id}`, { placement: 'on-air' })).status).toBe(200);
    const speaker = await connect(server.url, { invite: invite.token });
    // The event is private: the technicians' control room watches with their session.
    const viewer = await connect(server.url, {}, { extraHeaders: { cookie: technicianCookie } });
    try {
      expect((await request(speaker, 'stage:join', { stageId: 'podium', role: 'speaker' })).ok).toBe(true);
      const transport = await request<{ id: string }>(speaker, 'transport:create', { direction: 'send' });
      if (!transport.ok) throw new Error(transport.error.message);
      const produced = await request<{ producerId: string }>(speaker, 'producer:create', {
        transportId: transport.data.id,
        kind: 'audio',
        source: 'microphone',
        rtpParameters: opusParameters,
      });
      if (!produced.ok) throw new Error(produced.error.message);
      const joined = await request<{ producers: { producerId: string }[] }>(viewer, 'stage:join', { stageId: 'podium', role: 'viewer' });
      expect(joined.ok && joined.data.producers.map((producer) => producer.producerId)).toEqual([produced.data.producerId]);

      const ended = new Promise<{ code: string; message: string }>((resolve) => speaker.once('publishing:ended', resolve));
      const removed = new Promise<{ producerId: string }>((resolve) => viewer.once('producer:removed', resolve));
      expect((await asTechnician('DELETE', `/api/invites/${invite.id}`)).status).toBe(204);
      expect(await removed).toEqual({ producerId: produced.data.producerId });
      expect(await ended).toEqual({ code: 'invite_revoked', message: expect.stringContaining('revoked') });
      expect(await request(speaker, 'transport:create', { direction: 'send' })).toMatchObject({ ok: false, error: { code: 'not_joined' } });
    } finally {
      speaker.disconnect();
      viewer.disconnect();
    }
  });
});
