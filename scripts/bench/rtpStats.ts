/**
 * Counting of received RTP without decoding it: packets, bytes, loss from sequence numbers, and
 * video freezes from frame arrival times. Kept free of WebRTC so the arithmetic (wrap-around,
 * reordering, the freeze rule) is easy to check on its own.
 */

export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  /** Media clock of the packet's content: every packet of one video frame carries the same. */
  timestamp: number;
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
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
  };
}

/**
 * A 16-bit RTP sequence number extended to the value nearest the highest extended one seen, so
 * both wrap-arounds and reordered packets land where they belong.
 */
export function extendSequenceNumber(sequenceNumber: number, highestExtended: number): number {
  const highestCycle = highestExtended - (highestExtended % SEQUENCE_MODULO);
  const candidates = [highestCycle - SEQUENCE_MODULO, highestCycle, highestCycle + SEQUENCE_MODULO].map((cycle) => cycle + sequenceNumber);
  return candidates.reduce((best, candidate) => (Math.abs(candidate - highestExtended) < Math.abs(best - highestExtended) ? candidate : best));
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
    const extended = extendSequenceNumber(sequenceNumber, this.highestExtended);
    if (extended > this.highestExtended) this.highestExtended = extended;
  }

  get expected(): number {
    return this.firstExtended === undefined ? 0 : this.highestExtended - this.firstExtended + 1;
  }

  get lost(): number {
    return Math.max(0, this.expected - this.received);
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

export interface FreezeStats {
  /** Video frames seen: a frame starts with the first packet of a newer RTP timestamp. */
  frames: number;
  freezes: number;
  /** The frame intervals that were freezes, added up. */
  freezeMs: number;
}

const FREEZE_RULE = { averageOverIntervals: 30, minIntervals: 5, timesAverage: 3, minIncreaseMs: 150 } as const;
const TIMESTAMP_MODULO = 2 ** 32;

/**
 * Freezes as WebRTC counts them for getStats() freezeCount (video_quality_observer2.cc): an
 * interval between consecutive frames is a freeze when it is at least
 * max(3 × average, average + 150 ms), the average being over the last 30 intervals including this
 * one, once there are at least 5. WebRTC times rendered frames; without decoding, the arrival of
 * a frame's first packet stands in for it, so jitter-buffer smoothing is not reflected.
 */
export class FreezeCounter {
  private latest: { ssrc: number; timestamp: number } | undefined;
  private lastFrameAt: number | undefined;
  private readonly recentIntervals: number[] = [];
  private frames = 0;
  private freezes = 0;
  private freezeMs = 0;

  /** One packet of the video stream (not RTX), received at `arrivalMs`. */
  record(header: Pick<RtpHeader, 'ssrc' | 'timestamp'>, arrivalMs: number): void {
    // A new SSRC (a rejoin) starts its own clock; the wait for it still counts as an interval.
    const sameStream = this.latest?.ssrc === header.ssrc;
    if (sameStream && !isNewerTimestamp(header.timestamp, this.latest!.timestamp)) return;
    this.latest = { ssrc: header.ssrc, timestamp: header.timestamp };
    this.frames++;
    if (this.lastFrameAt !== undefined) this.addInterval(arrivalMs - this.lastFrameAt);
    this.lastFrameAt = arrivalMs;
  }

  stats(): FreezeStats {
    return { frames: this.frames, freezes: this.freezes, freezeMs: this.freezeMs };
  }

  private addInterval(intervalMs: number): void {
    this.recentIntervals.push(intervalMs);
    if (this.recentIntervals.length > FREEZE_RULE.averageOverIntervals) this.recentIntervals.shift();
    if (this.recentIntervals.length < FREEZE_RULE.minIntervals) return;
    const average = this.recentIntervals.reduce((sum, interval) => sum + interval, 0) / this.recentIntervals.length;
    if (intervalMs >= Math.max(FREEZE_RULE.timesAverage * average, average + FREEZE_RULE.minIncreaseMs)) {
      this.freezes++;
      this.freezeMs += intervalMs;
    }
  }
}

/** RTP timestamps wrap at 2^32: "newer" means less than half the range ahead (RFC 1982 style). */
function isNewerTimestamp(timestamp: number, than: number): boolean {
  const ahead = (timestamp - than + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
  return ahead !== 0 && ahead < TIMESTAMP_MODULO / 2;
}
