/**
 * A small UDP relay between a tap and ffmpeg, one per track, for what ffmpeg's RTP input gets
 * wrong when fed by mediasoup directly:
 *
 * - Timestamps. ffmpeg stamps each stream relative to its own first packet until that stream's
 *   first RTCP sender report arrives, then switches to the report's clock. mediasoup holds video
 *   until a keyframe while audio flows at once, and its reports come every 1 to 5 s, so the
 *   streams started out of sync and one of them jumped (by up to a second) when its report came,
 *   which broke the first segments. The relay drops mediasoup's RTCP and sends ffmpeg its own
 *   sender report just before each stream's first packet, mapping that packet's RTP time to its
 *   arrival time: both streams are then in sync from their first packet and never jump. Later
 *   reports derive their wall-clock time from RTP time, so they never move the timeline either
 *   (they only keep ffmpeg's 32-bit timestamp arithmetic from wrapping on long recordings).
 * - Foreign packets. mediasoup also sends bandwidth probes (SSRC 1234) to a tap; ffmpeg takes
 *   every packet on a port for its stream. Only the track's own SSRC is passed on.
 * - Gaps in a mixed sound. ffmpeg's amix waits for every sound it mixes: one microphone whose
 *   packets stop (a speaker's network drops, a microphone leaves the air before the next run
 *   starts) would hold every other voice back. A relay of a mixed sound sends Opus silence for
 *   the time its packets do not come, and drops those that come after their time was filled.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { TapDestination, TappedTrack } from '../media/index.js';

const LOOPBACK = '127.0.0.1';
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Seconds from 1900 (NTP's epoch) to 1970 (Unix's). */
const NTP_EPOCH_OFFSET_SECONDS = 2_208_988_800;
const REPORT_INTERVAL_MS = 5_000;
const RTP_HEADER_BYTES = 12;
/** 20 ms of Opus silence: one CELT frame whose only content is the silence flag. */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const OPUS_FRAME_MS = 20;
/** A mixed sound without a packet for this long gets silence instead: longer than network jitter, short enough not to hold the mix back. */
const GAP_BEFORE_SILENCE_MS = 250;

/** What a relay that fills gaps last sent: its own sequence numbers, so silence and media follow each other. */
interface SentAudio {
  nextSequence: number;
  rtpTime: number;
  atMs: number;
  /** Sending silence now, a frame each tick, until a packet comes. */
  filling: boolean;
}

interface TrackClock {
  /** Unwrapped RTP time of the first packet, and when it arrived (ms since 1970). */
  firstRtpTime: number;
  firstArrivalMs: number;
  lastRtpTime: number;
  unwrappedRtpTime: number;
  lastReportAtMs: number;
}

export class TrackRelay {
  private clock: TrackClock | undefined;
  /** Packets that came while the first report was being sent, to follow it in order. */
  private held: Buffer[] | undefined;
  private packets = 0;
  private octets = 0;
  private closed = false;
  /** Set for a sound that is mixed with others, once its first packet was sent. */
  private sent: SentAudio | undefined;
  private readonly fillTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly track: TappedTrack,
    /** Where ffmpeg listens for this track. */
    private readonly ffmpeg: TapDestination,
    /** Whether gaps are filled with silence (a sound mixed with others). */
    private readonly fillsGaps: boolean,
  ) {
    socket.on('message', (packet) => this.received(packet));
    socket.on('error', () => undefined);
    if (fillsGaps) this.fillTimer = setInterval(() => this.fillGap(), OPUS_FRAME_MS);
  }

  /** `mixed`: the track is one of several sounds ffmpeg mixes (Opus); its gaps are filled with silence. */
  static async open(track: TappedTrack, ffmpeg: TapDestination, mixed = false): Promise<TrackRelay> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: 0, address: LOOPBACK }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const fillsGaps = mixed && track.kind === 'audio' && track.mimeType.toLowerCase() === 'audio/opus';
    return new TrackRelay(socket, track, ffmpeg, fillsGaps);
  }

  /** When this track's first packet arrived (ms since 1970), undefined before it has. */
  get firstPacketAtMs(): number | undefined {
    return this.clock?.firstArrivalMs;
  }

  /** Where the tap sends this track's RTP and RTCP. */
  get tapDestination(): TapDestination {
    const { port } = this.socket.address();
    return { port, rtcpPort: port };
  }

  /** Idempotent: a run's failed start and its ffmpeg's exit may both let the relay go. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.fillTimer);
    this.socket.close();
  }

  private received(packet: Buffer): void {
    if (!isRtpOfTrack(packet, this.track.ssrc)) return;
    const rtpTime = packet.readUInt32BE(4);
    if (this.held) {
      this.held.push(packet);
      return;
    }
    if (!this.clock) {
      this.clock = startClock(rtpTime);
      // The report first: ffmpeg must have it before the stream's first packet (see above).
      this.held = [packet];
      this.sendReport(() => this.releaseHeld());
      return;
    }
    advanceClock(this.clock, rtpTime);
    this.forward(packet);
    if (Date.now() - this.clock.lastReportAtMs >= REPORT_INTERVAL_MS) this.sendReport();
  }

  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const packet of held) {
      advanceClock(this.clock!, packet.readUInt32BE(4));
      this.forward(packet);
    }
  }

  /** Sending on a closed socket throws: a report's callback may come after close(). */
  private forward(packet: Buffer): void {
    if (this.closed) return;
    if (this.fillsGaps) {
      const rtpTime = packet.readUInt32BE(4);
      // Its time was filled with silence already (or it came out of order): too late to mix.
      if (this.sent && ((rtpTime - this.sent.rtpTime) | 0) <= 0) return;
      packet = this.renumbered(packet, rtpTime, false);
    }
    this.send(packet);
  }

  private send(packet: Buffer): void {
    this.packets++;
    this.octets += packet.length - RTP_HEADER_BYTES;
    this.socket.send(packet, this.ffmpeg.port, LOOPBACK);
  }

  /** A copy of the packet with the relay's next sequence number; notes it as the last sent. */
  private renumbered(packet: Buffer, rtpTime: number, silence: boolean): Buffer {
    const copy = Buffer.from(packet);
    const nextSequence = this.sent?.nextSequence ?? packet.readUInt16BE(2);
    copy.writeUInt16BE(nextSequence, 2);
    const atMs = silence ? this.sent!.atMs + OPUS_FRAME_MS : Date.now();
    this.sent = { nextSequence: (nextSequence + 1) & 0xffff, rtpTime, atMs, filling: silence };
    return copy;
  }

  /** Silence for the frames whose packets have not come, once a gap is long enough to matter. */
  private fillGap(): void {
    const sent = this.sent;
    if (this.closed || !sent || !this.clock) return;
    const now = Date.now();
    if (now - sent.atMs < (sent.filling ? OPUS_FRAME_MS : GAP_BEFORE_SILENCE_MS)) return;
    const frameTicks = (this.track.clockRate * OPUS_FRAME_MS) / 1000;
    while (this.sent!.atMs + OPUS_FRAME_MS <= now) {
      const rtpTime = (this.sent!.rtpTime + frameTicks) >>> 0;
      advanceClock(this.clock, rtpTime);
      this.send(this.renumbered(silencePacket(this.track, rtpTime), rtpTime, true));
    }
  }

  private sendReport(then?: () => void): void {
    if (this.closed) return;
    const clock = this.clock!;
    clock.lastReportAtMs = Date.now();
    const wallClockMs = clock.firstArrivalMs + ((clock.unwrappedRtpTime - clock.firstRtpTime) * 1000) / this.track.clockRate;
    const report = senderReport(this.track.ssrc, wallClockMs, clock.lastRtpTime, this.packets, this.octets);
    this.socket.send(report, this.ffmpeg.rtcpPort, LOOPBACK, () => then?.());
  }
}

/** An RTP packet of 20 ms of Opus silence (its sequence number is set when sent). */
function silencePacket(track: TappedTrack, rtpTime: number): Buffer {
  const header = Buffer.alloc(RTP_HEADER_BYTES);
  header[0] = 0x80; // version 2, no padding, extension or CSRC
  header[1] = track.payloadType & 0x7f;
  header.writeUInt32BE(rtpTime >>> 0, 4);
  header.writeUInt32BE(track.ssrc >>> 0, 8);
  return Buffer.concat([header, OPUS_SILENCE]);
}

/** RTP (not RTCP) from the track's own SSRC. */
function isRtpOfTrack(packet: Buffer, ssrc: number): boolean {
  if (packet.length < RTP_HEADER_BYTES || packet[0]! >> 6 !== 2) return false;
  const payloadType = packet[1]! & 0x7f;
  // RTCP packet types 192–223 read as payload types 64–95 with the marker bit set.
  if (payloadType >= 64 && payloadType <= 95) return false;
  return packet.readUInt32BE(8) === ssrc;
}

function startClock(rtpTime: number): TrackClock {
  const now = Date.now();
  return { firstRtpTime: rtpTime, firstArrivalMs: now, lastRtpTime: rtpTime, unwrappedRtpTime: rtpTime, lastReportAtMs: now };
}

/** RTP time is 32 bits and wraps; packets may come slightly out of order, so steps are signed. */
function advanceClock(clock: TrackClock, rtpTime: number): void {
  const step = (rtpTime - clock.lastRtpTime) | 0;
  if (step <= 0) return;
  clock.unwrappedRtpTime += step;
  clock.lastRtpTime = rtpTime;
}

/** An RTCP sender report (RFC 3550 §6.4.1) without report blocks. */
function senderReport(ssrc: number, wallClockMs: number, rtpTime: number, packets: number, octets: number): Buffer {
  const report = Buffer.alloc(28);
  report[0] = 0x80; // version 2, no padding, no report blocks
  report[1] = 200; // SR
  report.writeUInt16BE(6, 2); // length in 32-bit words, minus one
  report.writeUInt32BE(ssrc, 4);
  const seconds = Math.floor(wallClockMs / 1000);
  report.writeUInt32BE((seconds + NTP_EPOCH_OFFSET_SECONDS) >>> 0, 8);
  report.writeUInt32BE(Math.floor(((wallClockMs - seconds * 1000) / 1000) * 2 ** 32) >>> 0, 12);
  report.writeUInt32BE(rtpTime >>> 0, 16);
  report.writeUInt32BE(packets >>> 0, 20);
  report.writeUInt32BE(octets >>> 0, 24);
  return report;
}
