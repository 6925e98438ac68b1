import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode, StagesResponse } from '../../shared/protocol.js';
import { holdsFor, type RunningServer, startServer } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';

describe('signalling answers bad input with clear errors and keeps serving', () => {
  let server: RunningServer;
  let socket: RawSocket;

  beforeAll(async () => {
    server = await startServer({ DEMO: '1' });
    socket = await connect(server.url);
  });

  afterAll(async () => {
    socket?.disconnect();
    expect(await server.stop()).toBe(0);
  });

  const validCapabilities = { codecs: [], headerExtensions: [] };
  const cases: { name: string; event: string; payload: unknown[]; code: ErrorCode; message?: RegExp }[] = [
    { name: 'no payload', event: 'stage:join', payload: [], code: 'invalid_payload' },
    { name: 'a string instead of an object', event: 'stage:join', payload: ['demo'], code: 'invalid_payload' },
    { name: 'a missing role', event: 'stage:join', payload: [{ stageId: 'demo' }], code: 'invalid_payload', message: /role/ },
    { name: 'an unknown role', event: 'stage:join', payload: [{ stageId: 'demo', role: 'admin' }], code: 'invalid_payload' },
    { name: 'a path in the stage id', event: 'stage:join', payload: [{ stageId: '../../etc', role: 'viewer' }], code: 'invalid_payload', message: /stageId/ },
    { name: 'an SQL-like stage id', event: 'stage:join', payload: [{ stageId: "x'; DROP TABLE stages;--", role: 'viewer' }], code: 'invalid_payload' },
    { name: 'a unicode stage id', event: 'stage:join', payload: [{ stageId: 'scen\u00e9-\u{1F3A4}', role: 'viewer' }], code: 'invalid_payload' },
    { name: 'an over-long stage id', event: 'stage:join', payload: [{ stageId: 'a'.repeat(65), role: 'viewer' }], code: 'invalid_payload' },
    { name: 'a number as transport direction', event: 'transport:create', payload: [{ direction: 1 }], code: 'invalid_payload' },
    {
      name: 'DTLS parameters without fingerprints',
      event: 'transport:connect',
      payload: [{ transportId: 't', dtlsParameters: { role: 'client' } }],
      code: 'invalid_payload',
      message: /fingerprints/,
    },
    {
      name: 'too many codecs in RTP capabilities',
      event: 'consumer:create',
      payload: [{ producerId: 'p', rtpCapabilities: { codecs: Array.from({ length: 65 }, () => ({})) } }],
      code: 'invalid_payload',
    },
    { name: 'a request before joining', event: 'transport:create', payload: [{ direction: 'recv' }], code: 'not_joined' },
    { name: 'consuming before joining', event: 'consumer:create', payload: [{ producerId: 'p', rtpCapabilities: validCapabilities }], code: 'not_joined' },
    { name: 'an unknown event', event: 'admin:shutdown', payload: [{}], code: 'not_found' },
    { name: 'a stage that does not exist', event: 'stage:join', payload: [{ stageId: 'nowhere', role: 'viewer' }], code: 'not_found', message: /nowhere/ },
    { name: 'speaking without an invite', event: 'stage:join', payload: [{ stageId: 'demo', role: 'speaker' }], code: 'forbidden', message: /invite/ },
    {
      name: 'ingest onto a stage that does not exist',
      event: 'ingest:open',
      payload: [{ stageId: 'nowhere', tracks: [{ source: 'camera', codec: 'VP8' }] }],
      code: 'not_found',
    },
  ];

  it.each(cases)('refuses $name with $code', async ({ event, payload, code, message }) => {
    const response = await request(socket, event, ...payload);
    expect(response.ok).toBe(false);
    if (response.ok) return;
    expect(response.error.code).toBe(code);
    expect(response.error.message.length).toBeGreaterThan(10);
    expect(server.process.exitCode).toBeNull();
    if (message) expect(response.error.message).toMatch(message);
  });

  it('lets a viewer join but never publish', async () => {
    const joined = await request<{ peerId: string }>(socket, 'stage:join', { stageId: 'demo', role: 'viewer' });
    expect(joined.ok).toBe(true);
    const send = await request(socket, 'transport:create', { direction: 'send' });
    expect(send).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const produce = await request(socket, 'producer:create', {
      transportId: 'whatever',
      kind: 'video',
      source: 'camera',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }] },
    });
    expect(produce).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses media parameters mediasoup cannot use without failing the server', async () => {
    await request(socket, 'stage:join', { stageId: 'demo', role: 'viewer' });
    const transport = await request<{ id: string }>(socket, 'transport:create', { direction: 'recv' });
    expect(transport.ok).toBe(true);
    if (!transport.ok) return;
    const connected = await request(socket, 'transport:connect', {
      transportId: transport.data.id,
      dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'md5-nonsense', value: 'zz' }] },
    });
    expect(connected).toMatchObject({ ok: false, error: { code: 'media_rejected' } });
  });

  it('ignores requests without an acknowledgement and keeps serving', async () => {
    const viewersBefore = await demoViewers(server.url);
    const quiet = await connect(server.url);
    quiet.emit('stage:join', { stageId: 'demo', role: 'viewer' });
    quiet.emit('stage:join', 'garbage');
    // Answered after the two above were handled (one socket's events arrive in order): the join
    // without an acknowledgement did not happen.
    expect(await request(quiet, 'transport:create', { direction: 'recv' })).toMatchObject({ ok: false, error: { code: 'not_joined' } });
    await holdsFor(
      async () => (await demoViewers(server.url)) === viewersBefore,
      1000,
      () => `a join without an acknowledgement added a viewer to the demo stage (${viewersBefore} before)`,
    );
    expect(quiet.connected).toBe(true);
    quiet.disconnect();
  });

  it('cuts off a flooding client without affecting others', async () => {
    const flooder = await connect(server.url);
    const responses = await Promise.all(Array.from({ length: 150 }, () => request(flooder, 'stage:leave', {}).catch(() => undefined)));
    const limited = responses.filter((response) => response && !response.ok && response.error.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    const bystander = await request(socket, 'stage:join', { stageId: 'demo', role: 'viewer' });
    expect(bystander.ok).toBe(true);
    flooder.disconnect();
  });

  it('refuses a connection with malformed credentials, saying why', async () => {
    const { io } = await import('socket.io-client');
    const bad = io(server.url, { auth: { invite: '<script>' }, transports: ['websocket'], reconnection: false, forceNew: true });
    const error = await new Promise<Error>((resolve) => bad.once('connect_error', resolve));
    expect(error.message).toMatch(/invite/);
    bad.disconnect();
  });

  it('refuses a connection from another site\u2019s page, and takes one from its own', async () => {
    const { io } = await import('socket.io-client');
    const fromOrigin = (origin: string) => io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin } });
    const foreign = fromOrigin('https://evil.example');
    const refusal = await new Promise<unknown>((resolve) => {
      foreign.once('connect', () => resolve('connected'));
      foreign.once('connect_error', resolve);
    });
    foreign.disconnect();
    expect(refusal).toBeInstanceOf(Error);
    // What the refusal is: engine.io's handshake answers 403 to that origin, not to the server's own.
    const handshake = (origin: string) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await handshake('https://evil.example')).status).toBe(403);
    expect((await handshake(server.url)).status).toBe(200);
    const own = fromOrigin(server.url);
    await new Promise<void>((resolve, reject) => {
      own.once('connect', () => resolve());
      own.once('connect_error', reject);
    });
    own.disconnect();
  });

  it('drops a client that sends an oversized message, and only that client', async () => {
    const big = await connect(server.url);
    const disconnected = new Promise((resolve) => big.once('disconnect', resolve));
    big.emit('stage:join', { stageId: 'x'.repeat(200_000), role: 'viewer' }, () => undefined);
    await disconnected;
    const stillThere = await request(socket, 'stage:join', { stageId: 'demo', role: 'viewer' });
    expect(stillThere.ok).toBe(true);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

async function demoViewers(url: string): Promise<number | undefined> {
  const { stages } = (await (await fetch(`${url}/api/stages`)).json()) as StagesResponse;
  return stages.find((stage) => stage.id === 'demo')?.viewers;
}
