/**
 * How well a speaker's media gets to the server, from the send transport's WebRTC statistics: the
 * server's receiver reports (remote-inbound-rtp: round-trip time, share of packets lost) and the
 * active candidate pair's round-trip time. Pure, for test/client.
 */

export type NetworkLevel = 'good' | 'fair' | 'poor';

export interface NetworkQuality {
  level: NetworkLevel;
  /** Milliseconds, or undefined before the first report. */
  roundTripMs: number | undefined;
  /** 0–100 across the streams sent. */
  lossPercent: number;
}

/** Beyond these, speech starts to break up or lag noticeably (ITU-T G.114 puts one-way delay at 150 ms). */
const FAIR = { roundTripMs: 150, lossPercent: 2 };
const POOR = { roundTripMs: 400, lossPercent: 8 };

interface StatsEntry {
  type: string;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  fractionLost?: number;
  state?: string;
  nominated?: boolean;
}

/** Undefined while there is nothing to judge yet (no report from the server has come back). */
export function networkQuality(stats: Iterable<StatsEntry>): NetworkQuality | undefined {
  const roundTrips: number[] = [];
  const losses: number[] = [];
  for (const entry of stats) {
    if (entry.type === 'remote-inbound-rtp') {
      if (typeof entry.roundTripTime === 'number') roundTrips.push(entry.roundTripTime * 1000);
      if (typeof entry.fractionLost === 'number') losses.push(entry.fractionLost * 100);
    } else if (entry.type === 'candidate-pair' && entry.state === 'succeeded' && entry.nominated && typeof entry.currentRoundTripTime === 'number') {
      roundTrips.push(entry.currentRoundTripTime * 1000);
    }
  }
  if (roundTrips.length === 0 && losses.length === 0) return undefined;
  const roundTripMs = roundTrips.length > 0 ? Math.max(...roundTrips) : undefined;
  const lossPercent = losses.length > 0 ? Math.max(...losses) : 0;
  const beyond = (limit: typeof FAIR) => (roundTripMs ?? 0) > limit.roundTripMs || lossPercent > limit.lossPercent;
  return { level: beyond(POOR) ? 'poor' : beyond(FAIR) ? 'fair' : 'good', roundTripMs, lossPercent };
}
