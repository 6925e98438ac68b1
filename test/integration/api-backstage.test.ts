import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditLogResponse,
  InviteResponse,
  JoinResult,
  StageProgramResponse,
  StageSpeaker,
  StageSpeakersResponse,
  StagesResponse,
} from '../../shared/protocol.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller, type Caller, expectError, opusParameters, programmeDocument, vp8Parameters } from './api-fixtures.js';

/** Backstage over the real server: invited speakers wait unseen until a technician takes them to air. */
describe('backstage: invited speakers arrive in the green room', () => {
  let server: RunningServer;
  let asTechnician: Caller;
  let asAnyone: Caller;
  let technicianCookie: string;
  const sockets: RawSocket[] = [];
  const day = programmeDocument('green-day', 'public', ['green', 'side']);

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV });
    technicianCookie = (await technicianClient(server)).cookie;
    asTechnician = apiCaller(server, { cookie: technicianCookie });
    asAnyone = apiCaller(server);
    expect((await asTechnician('POST', '/api/programme', day)).status).toBe(201);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  async function socket(auth: Parameters<typeof connect>[1] = {}, cookie?: string): Promise<RawSocket> {
    const connected = await connect(server.url, auth, cookie ? { extraHeaders: { cookie } } : {});
    sockets.push(connected);
    return connected;
  }

  async function ok<T>(socket: RawSocket, event: string, payload: unknown): Promise<T> {
    const answer = await request<T>(socket, event, payload);
    if (!answer.ok) throw new Error(`${event}: ${answer.error.code}: ${answer.error.message}`);
    return answer.data;
  }

  /** An invited speaker on `green` publishing a microphone (or a camera): their socket, invite and producer. */
  async function speakerWithMicrophone(label: string, kind: 'audio' | 'video' = 'audio') {
    const invite = (await asTechnician<InviteResponse>('POST', '/api/stages/green/invites', { label })).body;
    const speaker = await socket({ invite: invite.token });
    const joined = await ok<JoinResult>(speaker, 'stage:join', { stageId: 'green', role: 'speaker' });
    const transport = await ok<{ id: string }>(speaker, 'transport:create', { direction: 'send' });
    const { producerId } = await ok<{ producerId: string }>(speaker, 'producer:create', {
      transportId: transport.id,
      kind,
      source: kind === 'audio' ? 'microphone' : 'camera',
      rtpParameters: kind === 'audio' ? opusParameters : vp8Parameters,
    });
    return { invite, speaker, joined, producerId };
  }

  async function viewerWithTransport(role: 'viewer' | 'monitor', cookie?: string) {
    const viewer = await socket({}, cookie);
    const joined = await ok<JoinResult>(viewer, 'stage:join', { stageId: 'green', role });
    capabilities.set(viewer, joined.routerRtpCapabilities);
    await ok(viewer, 'transport:create', { direction: 'recv' });
    return { viewer, joined };
  }

  /** Each client decodes what the router offers: it consumes with the capabilities its join answered. */
  const capabilities = new Map<RawSocket, JoinResult['routerRtpCapabilities']>();
  const consume = (socket: RawSocket, producerId: string) =>
    request<{ id: string }>(socket, 'consumer:create', { producerId, rtpCapabilities: capabilities.get(socket) });
  const greenLive = async () => (await asAnyone<StagesResponse>('GET', '/api/stages')).body.stages.find((stage) => stage.id === 'green');

  it('keeps the speaker from viewers: nothing on air, nothing to consume; technicians monitoring see and consume them', async () => {
    const { invite, joined, producerId } = await speakerWithMicrophone('Anna Berg (keynote)');
    expect(joined.placement).toBe('backstage');

    const { viewer, joined: viewerJoin } = await viewerWithTransport('viewer');
    expect(viewerJoin.producers).toEqual([]);
    expect(viewerJoin.speakers).toBeUndefined();
    expect(await consume(viewer, producerId)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await greenLive()).toMatchObject({ live: false, speakers: 1, viewers: 1 });

    const { viewer: monitor, joined: monitorJoin } = await viewerWithTransport('monitor', technicianCookie);
    const expected: StageSpeaker = {
      inviteId: invite.id,
      label: 'Anna Berg (keynote)',
      placement: 'backstage',
      connected: true,
      producers: [{ producerId, kind: 'audio', source: 'microphone', peerId: joined.peerId, paused: false }],
    };
    expect(monitorJoin.speakers).toEqual([expected]);
    expect(await consume(monitor, producerId)).toMatchObject({ ok: true });
    // A technician monitoring is not in the audience.
    expect(await greenLive()).toMatchObject({ viewers: 1 });
    expect((await asTechnician<StageSpeakersResponse>('GET', '/api/stages/green/speakers')).body).toEqual({ stageId: 'green', speakers: [expected] });
  });

  it('lets only technicians monitor', async () => {
    const { invite } = await speakerWithMicrophone('Omar');
    const anonymous = await socket();
    const speaker = await socket({ invite: invite.token });
    for (const refused of [anonymous, speaker]) {
      expect(await request(refused, 'stage:join', { stageId: 'green', role: 'monitor' })).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringContaining('technician') },
      });
    }
  });

  it('takes the speaker to air and back: the speaker, the viewers and the monitors are told, the action is logged', async () => {
    const { invite, speaker, producerId } = await speakerWithMicrophone('Lena Ek');
    const { viewer } = await viewerWithTransport('viewer');
    const { viewer: monitor } = await viewerWithTransport('monitor', technicianCookie);

    const placed = new Promise((resolve) => speaker.once('speaker:placement', resolve));
    const added = new Promise((resolve) => viewer.once('producer:added', resolve));
    const monitored = pushedSpeakers(monitor, (speakers) => speakers.some((candidate) => candidate.inviteId === invite.id && candidate.placement === 'on-air'));
    const taken = await asTechnician<StageSpeaker>('PUT', `/api/stages/green/speakers/${invite.id}`, { placement: 'on-air' });
    expect(taken.status, taken.text).toBe(200);
    expect(taken.body).toMatchObject({ inviteId: invite.id, label: 'Lena Ek', placement: 'on-air', connected: true });
    expect(await placed).toEqual({ placement: 'on-air' });
    expect(await added).toMatchObject({ producerId, source: 'microphone' });
    await monitored;
    expect(await greenLive()).toMatchObject({ live: true });
    const consumer = await consume(viewer, producerId);
    expect(consumer.ok).toBe(true);

    const closed = new Promise((resolve) => viewer.once('consumer:closed', resolve));
    const removed = new Promise((resolve) => viewer.once('producer:removed', resolve));
    const back = await asTechnician<StageSpeaker>('PUT', `/api/stages/green/speakers/${invite.id}`, { placement: 'backstage' });
    expect(back.body.placement).toBe('backstage');
    expect(await removed).toEqual({ producerId });
    // Closed on the server: the viewer's consumer is gone, not merely announced as gone.
    expect(await closed).toEqual({ consumerId: consumer.ok && consumer.data.id, producerId });
    expect(await consume(viewer, producerId)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await greenLive()).toMatchObject({ live: false });

    const { entries } = (await asTechnician<AuditLogResponse>('GET', '/api/audit-log?limit=10')).body;
    const placements = entries.filter((entry) => entry.action === 'PUT /api/stages/:stageId/speakers/:inviteId' && entry.subject['inviteId'] === invite.id);
    expect(placements.map((entry) => [entry.username, entry.status, entry.subject])).toEqual([
      [TECHNICIAN_ENV.ADMIN_USERNAME, 200, { stageId: 'green', inviteId: invite.id }],
      [TECHNICIAN_ENV.ADMIN_USERNAME, 200, { stageId: 'green', inviteId: invite.id }],
    ]);
  });

  it('clears a speaker for air before they connect; one who stops comes back backstage', async () => {
    const invite = (await asTechnician<InviteResponse>('POST', '/api/stages/green/invites', { label: 'Early' })).body;
    const cleared = await asTechnician<StageSpeaker>('PUT', `/api/stages/green/speakers/${invite.id}`, { placement: 'on-air' });
    expect(cleared.body).toMatchObject({ placement: 'on-air', connected: false, producers: [] });
    const speaker = await socket({ invite: invite.token });
    expect((await ok<JoinResult>(speaker, 'stage:join', { stageId: 'green', role: 'speaker' })).placement).toBe('on-air');
    await ok(speaker, 'stage:leave', {});
    expect((await ok<JoinResult>(speaker, 'stage:join', { stageId: 'green', role: 'speaker' })).placement).toBe('backstage');
  });

  it('takes a program of a main and an inset video: viewers are told at once, a feed leaving the air leaves it', async () => {
    const anna = await speakerWithMicrophone('Anna', 'video');
    const omar = await speakerWithMicrophone('Omar', 'video');
    const microphone = await speakerWithMicrophone('Mic');
    for (const { invite } of [anna, omar, microphone]) await asTechnician('PUT', `/api/stages/green/speakers/${invite.id}`, { placement: 'on-air' });
    const { viewer, joined } = await viewerWithTransport('viewer');
    expect(joined.program).toEqual({ main: null, inset: null });

    const told = new Promise((resolve) => viewer.once('program:changed', resolve));
    const taken = await asTechnician('PUT', '/api/stages/green/program', { main: omar.producerId, inset: anna.producerId });
    expect(taken.status, taken.text).toBe(200);
    expect(taken.body).toEqual({ stageId: 'green', program: { main: omar.producerId, inset: anna.producerId } });
    expect(await told).toEqual({ main: omar.producerId, inset: anna.producerId });
    expect((await asTechnician<StageProgramResponse>('GET', '/api/stages/green/program')).body.program).toEqual({
      main: omar.producerId,
      inset: anna.producerId,
    });
    const later = await viewerWithTransport('viewer');
    expect(later.joined.program).toEqual({ main: omar.producerId, inset: anna.producerId });

    expectError(await asTechnician('PUT', '/api/stages/green/program', { main: microphone.producerId, inset: null }), 400, 'invalid_payload', 'audio');
    expectError(await asTechnician('PUT', '/api/stages/green/program', { main: anna.producerId, inset: anna.producerId }), 400, 'invalid_payload', 'inset');
    expectError(await asTechnician('PUT', '/api/stages/green/program', { main: 'no-such-producer', inset: null }), 404, 'not_found');
    expectError(await asAnyone('PUT', '/api/stages/green/program', { main: null, inset: null }), 401, 'unauthorized');
    expectError(await asAnyone('GET', '/api/stages/green/program'), 401, 'unauthorized');

    const left = new Promise((resolve) => viewer.once('program:changed', resolve));
    await asTechnician('PUT', `/api/stages/green/speakers/${omar.invite.id}`, { placement: 'backstage' });
    expect(await left).toEqual({ main: null, inset: anna.producerId });
    expect((await asTechnician('PUT', '/api/stages/green/program', { main: omar.producerId, inset: null })).status).toBe(404);
  });

  it('refuses anonymous callers, other sites, bad placements and invites of other stages, logging nothing', async () => {
    const { invite } = await speakerWithMicrophone('Refusals');
    const other = (await asTechnician<InviteResponse>('POST', '/api/stages/side/invites', { label: 'Elsewhere' })).body;
    const revoked = (await asTechnician<InviteResponse>('POST', '/api/stages/green/invites', { label: 'Gone' })).body;
    await asTechnician('DELETE', `/api/invites/${revoked.id}`);
    const auditBefore = (await asTechnician<AuditLogResponse>('GET', '/api/audit-log?limit=200')).body.entries.length;
    const path = `/api/stages/green/speakers/${invite.id}`;

    expectError(await asAnyone('PUT', path, { placement: 'on-air' }), 401, 'unauthorized');
    expectError(await asAnyone('GET', '/api/stages/green/speakers'), 401, 'unauthorized');
    expectError(await asTechnician('PUT', path, { placement: 'on-air' }, { origin: 'https://elsewhere.example' }), 403, 'forbidden', 'another site');
    expectError(await asTechnician('PUT', path, { placement: 'live' }), 400, 'invalid_payload', 'placement');
    expectError(await asTechnician('PUT', path, { placement: 'on-air', extra: 1 }), 400, 'invalid_payload');
    expectError(await asTechnician('PUT', `/api/stages/green/speakers/${other.id}`, { placement: 'on-air' }), 404, 'not_found', other.id);
    expectError(await asTechnician('PUT', `/api/stages/nowhere/speakers/${invite.id}`, { placement: 'on-air' }), 404, 'not_found', 'nowhere');
    expectError(await asTechnician('PUT', `/api/stages/green/speakers/${revoked.id}`, { placement: 'on-air' }), 409, 'conflict', 'revoked');

    expect((await asTechnician<AuditLogResponse>('GET', '/api/audit-log?limit=200')).body.entries.length).toBe(auditBefore);
    const speakers = (await asTechnician<StageSpeakersResponse>('GET', '/api/stages/green/speakers')).body.speakers;
    expect(speakers.find((speaker) => speaker.inviteId === invite.id)?.placement).toBe('backstage');
  });
});

/** The next speakers list pushed to a monitor that passes the check (earlier pushes may still be on their way). */
function pushedSpeakers(monitor: RawSocket, check: (speakers: StageSpeaker[]) => boolean): Promise<StageSpeaker[]> {
  return new Promise((resolve) => {
    const listener = ({ speakers }: { speakers: StageSpeaker[] }) => {
      if (!check(speakers)) return;
      monitor.off('speakers:changed', listener);
      resolve(speakers);
    };
    monitor.on('speakers:changed', listener);
  });
}
