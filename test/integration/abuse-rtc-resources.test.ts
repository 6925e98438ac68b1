import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, ConsumerOptions, JoinResult, TransportOptions } from '../../shared/protocol.js';
import { expectHealthz, expectPlaylistLoads, expectViewerReceivesMedia, livePlaylistUrl, releaseViewers, startDemoServer } from '../helpers/abuse.js';
import { type RunningServer, waitFor } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';

/** Small limits, so the attack that took 1,000 sockets on the defaults takes dozens here. */
const CONNECT_TIMEOUT_SECONDS = 3;
const PENDING_TRANSPORTS_PER_ADDRESS = 15;
const PEERS_PER_ADDRESS = 25;
/**
 * One worker with 70 loopback plain-RTP ports (the demo's ingest, the recording tap). WebRTC
 * transports take none of them: they share the worker's WebRtcServer, one UDP and one TCP port.
 */
const RTC_MIN_PORT = 58_300;
const RTC_MAX_PORT = 58_369;

interface AttackOutcome {
  sockets: RawSocket[];
  held: { socket: RawSocket; transportId: string; iceCandidates: TransportOptions['iceCandidates'] }[];
  refusals: { request: string; code: string; message: string }[];
}

/** Anonymous sockets from one loopback address that join the demo and make a transport, and never connect it. */
async function holdTransports(server: RunningServer, localAddress: string, count: number): Promise<AttackOutcome> {
  const outcome: AttackOutcome = { sockets: [], held: [], refusals: [] };
  const refused = (name: string, response: Ack<unknown>) => {
    if (!response.ok) outcome.refusals.push({ request: name, ...response.error });
    return !response.ok;
  };
  await Promise.all(
    Array.from({ length: count }, async () => {
      const socket = await connect(server.url, {}, { localAddress });
      outcome.sockets.push(socket);
      if (refused('stage:join', await request(socket, 'stage:join', { stageId: 'demo', role: 'viewer' }))) return;
      const transport = await request<TransportOptions>(socket, 'transport:create', { direction: 'recv' });
      if (!refused('transport:create', transport) && transport.ok)
        outcome.held.push({ socket, transportId: transport.data.id, iceCandidates: transport.data.iceCandidates });
    }),
  );
  return outcome;
}

function disconnectAll(outcome: AttackOutcome): void {
  for (const socket of outcome.sockets) socket.disconnect();
}

describe('anonymous sockets cannot hold the RTC resources real viewers need', () => {
  let server: RunningServer;
  let playlistUrl: string;

  beforeAll(async () => {
    server = await startDemoServer({
      MEDIASOUP_WORKERS: '1',
      RTC_MIN_PORT: String(RTC_MIN_PORT),
      RTC_MAX_PORT: String(RTC_MAX_PORT),
      RTC_TRANSPORT_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_SECONDS),
      RTC_PENDING_TRANSPORTS_PER_ADDRESS: String(PENDING_TRANSPORTS_PER_ADDRESS),
      RTC_PEERS_PER_ADDRESS: String(PEERS_PER_ADDRESS),
    });
    playlistUrl = await livePlaylistUrl(server);
  });

  afterAll(async () => {
    releaseViewers();
    expect(await server?.stop()).toBe(0);
  });

  it('caps joins and unconnected transports per address with a clear "unavailable", while a real viewer watches', async () => {
    const attack = await holdTransports(server, '127.0.0.2', 40);
    try {
      expect(attack.refusals.filter((refusal) => refusal.code !== 'unavailable')).toEqual([]);
      expect(attack.refusals.filter((refusal) => refusal.request === 'stage:join')).toHaveLength(40 - PEERS_PER_ADDRESS);
      expect(attack.held.length).toBe(PENDING_TRANSPORTS_PER_ADDRESS);
      for (const refusal of attack.refusals) expect(refusal.message).toMatch(/try again|wait/i);

      await expectViewerReceivesMedia(server);
      await expectHealthz(server);
      await expectPlaylistLoads(playlistUrl);
    } finally {
      disconnectAll(attack);
    }
  });

  it('expires transports that never connect, so their address may make new ones', async () => {
    const attack = await holdTransports(server, '127.0.0.3', PENDING_TRANSPORTS_PER_ADDRESS);
    try {
      expect(attack.held.length).toBe(PENDING_TRANSPORTS_PER_ADDRESS);
      const late = await connect(server.url, {}, { localAddress: '127.0.0.3' });
      attack.sockets.push(late);
      expect((await request(late, 'stage:join', { stageId: 'demo', role: 'viewer' })).ok).toBe(true);
      expect(await request(late, 'transport:create', { direction: 'recv' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      // Expiry closes the held transports; the address gets its allowance back.
      await waitFor(async () => (await request(late, 'transport:create', { direction: 'recv' })).ok, CONNECT_TIMEOUT_SECONDS * 1000 + 5_000);
      const { socket, transportId } = attack.held[0]!;
      const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };
      expect(await request(socket, 'transport:connect', { transportId, dtlsParameters })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    } finally {
      disconnectAll(attack);
    }
  });

  it('holds more unconnected transports than the plain-RTP range has ports, all on the worker’s one port, and a real viewer still gets in at once', async () => {
    const attacks = await Promise.all(
      ['127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8'].map((address) => holdTransports(server, address, PENDING_TRANSPORTS_PER_ADDRESS)),
    );
    try {
      const held = attacks.flatMap((attack) => attack.held);
      // 75 transports, more than the 70 ports of RTC_MIN_PORT–RTC_MAX_PORT: none takes a port of its own.
      expect(attacks.flatMap((attack) => attack.refusals)).toEqual([]);
      expect(held).toHaveLength(5 * PENDING_TRANSPORTS_PER_ADDRESS);
      const candidates = held.flatMap(({ iceCandidates }) => iceCandidates);
      expect(new Set(candidates.map((candidate) => candidate.protocol))).toEqual(new Set(['udp', 'tcp']));
      // The worker's RTC_PORT, UDP and TCP, outside the plain-RTP range.
      const ports = [...new Set(candidates.map((candidate) => candidate.port))];
      expect(ports).toHaveLength(1);
      expect(ports[0]).toSatisfy((port) => typeof port === 'number' && (port < RTC_MIN_PORT || port > RTC_MAX_PORT));
      await expectViewerReceivesMedia(server);
      await expectHealthz(server);
      await expectPlaylistLoads(playlistUrl);
    } finally {
      attacks.forEach(disconnectAll);
    }
  });

  it('keeps one receive transport per socket when it asks for many at once', async () => {
    const socket = await connect(server.url, {}, { localAddress: '127.0.0.10' });
    try {
      expect((await request(socket, 'stage:join', { stageId: 'demo', role: 'viewer' })).ok).toBe(true);
      const created = await Promise.all(Array.from({ length: 20 }, () => request<TransportOptions>(socket, 'transport:create', { direction: 'recv' })));
      const ids = created.flatMap((response) => (response.ok ? [response.data.id] : []));
      expect(ids).toHaveLength(20);
      // Only the socket's current transport is still there; connecting any other finds nothing.
      const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'md5-nonsense', value: 'zz' }] };
      const connects = await Promise.all(ids.map((transportId) => request(socket, 'transport:connect', { transportId, dtlsParameters })));
      const stillThere = connects.filter((response) => response.ok || response.error.code !== 'not_found');
      expect(stillThere).toHaveLength(1);
    } finally {
      socket.disconnect();
    }
  });

  it('gives one viewer one consumer per producer, however often it asks', async () => {
    const socket = await connect(server.url, {}, { localAddress: '127.0.0.9' });
    try {
      const joined = await request<JoinResult>(socket, 'stage:join', { stageId: 'demo', role: 'viewer' });
      if (!joined.ok) throw new Error(joined.error.message);
      const transport = await request<TransportOptions>(socket, 'transport:create', { direction: 'recv' });
      expect(transport.ok).toBe(true);
      const video = joined.data.producers.find((producer) => producer.kind === 'video')!;
      const responses = await Promise.all(
        Array.from({ length: 40 }, () =>
          request<ConsumerOptions>(socket, 'consumer:create', { producerId: video.producerId, rtpCapabilities: joined.data.routerRtpCapabilities }),
        ),
      );
      const consumerIds = new Set(responses.flatMap((response) => (response.ok ? [response.data.id] : [])));
      expect(consumerIds.size).toBe(1);
      for (const response of responses) if (!response.ok) expect(response.error.code).toBe('conflict');
    } finally {
      socket.disconnect();
    }
  });
});
