/**
 * Counting of received RTP without decoding it: packets, bytes, and loss from sequence numbers.
 * Kept free of WebRTC so the arithmetic (wrap-around, reordering) is easy to check on its own.
 */

export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  ssrc: number;
}

export interface KindStats {
  packets: number;
  bytes: number;
  /** Packets the sender numbered but that never arrived (expected - received), over all SSRCs. */
  lost: number;
}

const RTP_VERSION = 2;
const MIN_RTP_HEADER_BYTES = 12;
/** RTCP packet types 200-204 (SR, RR, SDES, BYE, APP) read as RTP "marker + payload type" 72-76. */
const RTCP_TYPE_RANGE = { first: 72, last: 76 } as const;
const SEQUENCE_MODULO = 0x1_0000;

/** RTCP shares the port (rtcp-mux) and reaches track.onMessage too; it must not count as media. */
export function isRtcp(packet: Uint8Array): boolean {
  const secondByte = packet[1];
  if (secondByte === undefined) return false;
  const type = secondByte & 0x7f;
  return type >= RTCP_TYPE_RANGE.first && type <= RTCP_TYPE_RANGE.last;
}

/** The fixed RTP header, or undefined for anything that is not an RTP version 2 packet. */
export function parseRtpHeader(packet: Uint8Array): RtpHeader | undefined {
  if (packet.length < MIN_RTP_HEADER_BYTES || packet[0]! >> 6 !== RTP_VERSION || isRtcp(packet)) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return {
    payloadType: packet[1]! & 0x7f,
    sequenceNumber: view.getUint16(2),
    ssrc: view.getUint32(8),
  };
}

/**
 * Loss on one SSRC, the way RFC 3550 (appendix A.1) counts it for receiver reports: extend the
 * 16-bit sequence number across wrap-arounds, and compare how many the sender numbered between
 * the first and the highest packet seen with how many arrived. Late or duplicated packets can make
 * the difference briefly negative; it is clamped at zero.
 */
export class SequenceTracker {
  private firstExtended: number | undefined;
  private highestExtended = 0;
  private received = 0;

  record(sequenceNumber: number): void {
    this.received++;
    if (this.firstExtended === undefined) {
      this.firstExtended = sequenceNumber;
      this.highestExtended = sequenceNumber;
      return;
    }
    const extended = this.extend(sequenceNumber);
    if (extended > this.highestExtended) this.highestExtended = extended;
  }

  get expected(): number {
    return this.firstExtended === undefined ? 0 : this.highestExtended - this.firstExtended + 1;
  }

  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }

  /** Picks the extended value nearest to the highest seen, so both wraps and reordering work. */
  private extend(sequenceNumber: number): number {
    const highestCycle = this.highestExtended - (this.highestExtended % SEQUENCE_MODULO);
    const candidates = [highestCycle - SEQUENCE_MODULO, highestCycle, highestCycle + SEQUENCE_MODULO].map(
      (cycle) => cycle + sequenceNumber,
    );
    return candidates.reduce((best, candidate) =>
      Math.abs(candidate - this.highestExtended) < Math.abs(best - this.highestExtended) ? candidate : best,
    );
  }
}

/** Everything received for one media kind, over any number of consumers (rejoins add SSRCs). */
export class KindCounter {
  private packets = 0;
  private bytes = 0;
  private readonly sequences = new Map<number, SequenceTracker>();

  /**
   * @param countsForLoss false for retransmissions (RTX) and other payload types whose sequence
   *   numbers are not those of the media stream.
   */
  record(header: RtpHeader, sizeBytes: number, countsForLoss: boolean): void {
    this.packets++;
    this.bytes += sizeBytes;
    if (!countsForLoss) return;
    let tracker = this.sequences.get(header.ssrc);
    if (!tracker) {
      tracker = new SequenceTracker();
      this.sequences.set(header.ssrc, tracker);
    }
    tracker.record(header.sequenceNumber);
  }

  stats(): KindStats {
    let lost = 0;
    for (const tracker of this.sequences.values()) lost += tracker.lost;
    return { packets: this.packets, bytes: this.bytes, lost };
  }
}

/** Loss as a percentage of what was expected; 0 when nothing was expected. */
export function lossPercent(stats: KindStats): number {
  const expected = stats.packets + stats.lost;
  return expected === 0 ? 0 : (100 * stats.lost) / expected;
}
