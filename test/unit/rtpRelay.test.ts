import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { TappedTrack } from '../../server/media/index.js';
import { TrackRelay } from '../../server/recording/rtpRelay.js';
import { holdsFor, waitFor } from '../helpers/server.js';

const opus: TappedTrack = {
  kind: 'audio',
  producerId: 'mic',
  mimeType: 'audio/opus',
  payloadType: 100,
  clockRate: 48000,
  channels: 2,
  parameters: {},
  ssrc: 7,
};
const FRAME_TICKS = 960;
/** The relay's wait before it fills a mixed sound's gap (GAP_BEFORE_SILENCE_MS). */
const GAP_MS = 250;

interface Received {
  sequence: number;
  rtpTime: number;
  payload: Buffer;
}

/** Stands in for ffmpeg: an RTP and an RTCP socket, noting every RTP packet the relay sends. */
async function listener(): Promise<{ port: number; rtcpPort: number; packets: Received[]; sockets: Socket[] }> {
  const packets: Received[] = [];
  const bind = () =>
    new Promise<Socket>((resolve) => {
      const socket = createSocket('udp4');
      socket.bind(0, '127.0.0.1', () => resolve(socket));
    });
  const [rtp, rtcp] = [await bind(), await bind()];
  rtp.on('message', (packet) => packets.push({ sequence: packet.readUInt16BE(2), rtpTime: packet.readUInt32BE(4), payload: packet.subarray(12) }));
  return { port: rtp.address().port, rtcpPort: rtcp.address().port, packets, sockets: [rtp, rtcp] };
}

function rtpPacket(sequence: number, rtpTime: number): Buffer {
  const packet = Buffer.alloc(12 + 40, 1);
  packet[0] = 0x80;
  packet[1] = opus.payloadType;
  packet.writeUInt16BE(sequence, 2);
  packet.writeUInt32BE(rtpTime, 4);
  packet.writeUInt32BE(opus.ssrc, 8);
  return packet;
}

describe('the relay of a sound mixed with others', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  async function relayTo(mixed: boolean) {
    const ffmpeg = await listener();
    const relay = await TrackRelay.open(opus, ffmpeg, mixed);
    const sender = createSocket('udp4');
    cleanups.push(() => {
      relay.close();
      sender.close();
      ffmpeg.sockets.forEach((socket) => socket.close());
    });
    const send = (sequence: number, rtpTime: number) =>
      new Promise<void>((resolve) => sender.send(rtpPacket(sequence, rtpTime), relay.tapDestination.port, '127.0.0.1', () => resolve()));
    return { ffmpeg, send };
  }

  it('fills the time its packets do not come with Opus silence, numbered on, and drops those that come after their time was filled', async () => {
    const { ffmpeg, send } = await relayTo(true);
    await send(500, 10_000);
    await send(501, 10_000 + FRAME_TICKS);
    await waitFor(
      () => ffmpeg.packets.length >= 6,
      5_000,
      () => `no silence after the packets stopped: ${JSON.stringify(ffmpeg.packets.map((packet) => packet.rtpTime))}`,
    );
    const [first, second, ...silence] = ffmpeg.packets;
    expect([first!.sequence, second!.sequence]).toEqual([500, 501]);
    silence.forEach((packet, index) => {
      expect(packet.sequence).toBe(502 + index);
      expect(packet.rtpTime).toBe(10_000 + (2 + index) * FRAME_TICKS);
      expect(packet.payload).toEqual(Buffer.from([0xf8, 0xff, 0xfe]));
    });
    // The sender's packet for a frame already filled is too late; a later one follows the silence.
    const filled = ffmpeg.packets.length;
    await send(502, 10_000 + 2 * FRAME_TICKS);
    const next = ffmpeg.packets.at(-1)!.rtpTime + 10 * FRAME_TICKS;
    await send(503, next);
    await waitFor(
      () => ffmpeg.packets.some((packet) => packet.rtpTime === next),
      5_000,
      () => 'the packet after the gap was not relayed',
    );
    const after = ffmpeg.packets.slice(filled);
    expect(after.filter((packet) => packet.payload.length === 40).map((packet) => packet.rtpTime)).toEqual([next]);
    const sequences = ffmpeg.packets.map((packet) => packet.sequence);
    expect(sequences).toEqual(sequences.map((_, index) => 500 + index));
  });

  it('relays a sound that is not mixed as it comes, gaps and all', async () => {
    const { ffmpeg, send } = await relayTo(false);
    await send(500, 10_000);
    await send(501, 10_000 + FRAME_TICKS);
    await waitFor(
      () => ffmpeg.packets.length === 2,
      5_000,
      () => 'the packets were not relayed',
    );
    // Longer than the gap the mixed relay fills: still nothing else.
    await holdsFor(
      () => ffmpeg.packets.length === 2,
      2 * GAP_MS,
      () => `a sound that is not mixed got packets of the relay's own: ${ffmpeg.packets.length}`,
    );
    await send(530, 10_000 + 30 * FRAME_TICKS);
    await waitFor(
      () => ffmpeg.packets.length === 3,
      5_000,
      () => 'the packet after the gap was not relayed',
    );
    expect(ffmpeg.packets.map((packet) => packet.sequence)).toEqual([500, 501, 530]);
  });
});
