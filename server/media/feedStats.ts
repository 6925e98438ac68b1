import type { types } from 'mediasoup';
import type { MediaKind } from '../../shared/protocol.js';

/** What the media layer measures of one feed (a producer), from mediasoup's getStats and its RTP. */
export interface FeedStats {
  producerId: string;
  kind: MediaKind;
  /** The codec's name in lower case ('h264', 'vp8', 'opus'…): how to read the size from its keyframes. */
  codec: string;
  /** Streams (simulcast layers) receiving media: a change may be a resized source or a layer gone or back. */
  activeLayers: number;
  /** Bits a second arriving, all streams (simulcast layers) together. */
  bitrate: number;
  /** Frames a second of the stream with the highest bitrate; null for audio, or before a second was counted. */
  frameRate: number | null;
  packetsLost: number;
  /** Share lost in the last receiver report of the best stream, 0 to 1. */
  fractionLost: number;
  /** null when the sender gives mediasoup no way to measure it. */
  roundTripMs: number | null;
  jitterMs: number | null;
  /** mediasoup's score of the best stream, 0 to 10. */
  score: number;
}

/** A count shorter than this gives a frame rate too noisy to show; the previous one is kept. */
const MIN_COUNT_MS = 500;

/**
 * Counts a video producer's frames from the RTP it receives: mediasoup does not decode video, but
 * every packet of one frame carries the same RTP timestamp, so a new timestamp is a new frame.
 * Fed from the producer's 'rtp' trace events (one per packet, which costs the worker a message
 * per packet: a few hundred a second for a 720p feed).
 */
export class FrameCounter {
  private readonly streams = new Map<number, { lastTimestamp: number | undefined; frames: number; rate: number | null }>();
  private countedSince = performance.now();

  constructor(producer: types.Producer) {
    producer.on('trace', (trace) => {
      if (trace.type !== 'rtp' || trace.direction !== 'in') return;
      const info = trace.info as { isRtx?: boolean; rtpPacket?: { ssrc?: number; timestamp?: number } } | undefined;
      const packet = info?.rtpPacket;
      if (info?.isRtx || packet?.ssrc === undefined || packet.timestamp === undefined) return;
      this.note(packet.ssrc, packet.timestamp);
    });
    void producer.enableTraceEvent(['rtp']).catch(() => undefined);
  }

  private note(ssrc: number, timestamp: number): void {
    let stream = this.streams.get(ssrc);
    if (!stream) {
      stream = { lastTimestamp: undefined, frames: 0, rate: null };
      this.streams.set(ssrc, stream);
    }
    if (stream.lastTimestamp !== timestamp) stream.frames++;
    stream.lastTimestamp = timestamp;
  }

  /** Frames a second of the stream since the last call (at least MIN_COUNT_MS ago). */
  frameRate(ssrc: number): number | null {
    const now = performance.now();
    const elapsedMs = now - this.countedSince;
    if (elapsedMs >= MIN_COUNT_MS) {
      this.countedSince = now;
      for (const stream of this.streams.values()) {
        stream.rate = Math.round((stream.frames * 10_000) / elapsedMs) / 10;
        stream.frames = 0;
      }
    }
    return this.streams.get(ssrc)?.rate ?? null;
  }
}

export async function measureFeed(producer: types.Producer, frames: FrameCounter | undefined): Promise<FeedStats> {
  const streams = await producer.getStats();
  const best = streams.reduce<(typeof streams)[number] | undefined>(
    (chosen, stream) => (!chosen || stream.bitrate > chosen.bitrate ? stream : chosen),
    undefined,
  );
  return {
    producerId: producer.id,
    kind: producer.kind,
    codec: producer.rtpParameters.codecs[0]?.mimeType.split('/')[1]?.toLowerCase() ?? '',
    activeLayers: streams.filter((stream) => stream.bitrate > 0).length,
    bitrate: streams.reduce((sum, stream) => sum + stream.bitrate, 0),
    frameRate: best && frames ? frames.frameRate(best.ssrc) : null,
    packetsLost: streams.reduce((sum, stream) => sum + stream.packetsLost, 0),
    // RTCP's fraction lost: a share of 256.
    fractionLost: best ? best.fractionLost / 256 : 0,
    roundTripMs: best?.roundTripTime ? best.roundTripTime : null,
    jitterMs: best ? best.jitter : null,
    score: best?.score ?? 0,
  };
}
