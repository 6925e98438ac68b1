/**
 * The picture size of each video feed on air, read from a keyframe: mediasoup does not decode
 * video, but an H.264 sequence parameter set (sent with every IDR) or a VP8 keyframe header
 * says the size. A copy of the feed's RTP is opened, a keyframe asked for, and the copy stopped
 * as soon as one size is read, so no per-packet cost stays; it is read again every
 * REREAD_INTERVAL_MS and whenever the feed's active simulcast layers change (a resized source).
 */
import type { Logger } from 'pino';
import type { FeedStats } from '../media/index.js';
import { H264_SPS, h264Units, type PictureFacts, readRtp, readSps, readVp8Start } from '../ingest/videoBitstream.js';

export interface PictureSize {
  width: number;
  height: number;
}

/** Opens a copy of a feed's RTP (Stage.copyFeedRtp); the answered function stops it. */
export type CopyFeedRtp = (producerId: string, onPacket: (packet: Buffer) => void) => Promise<() => void>;

export const REREAD_INTERVAL_MS = 30_000;
/** A sender that ignores the keyframe request still sends one a GOP later; a copy open longer is given up and tried again. */
const READ_TIMEOUT_MS = 10_000;

interface Known {
  size: PictureSize | null;
  readAt: number;
  activeLayers: number;
  stopReading: (() => void) | undefined;
}

export class PictureSizes {
  private readonly known = new Map<string, Known>();

  constructor(private readonly logger: Logger) {}

  /** The feed's last size read (null before the first), starting a read when one is due. */
  sizeOf(stats: FeedStats, copy: CopyFeedRtp, now: number): PictureSize | null {
    if (stats.kind !== 'video') return null;
    let known = this.known.get(stats.producerId);
    if (!known) {
      known = { size: null, readAt: -Infinity, activeLayers: stats.activeLayers, stopReading: undefined };
      this.known.set(stats.producerId, known);
    }
    const layersChanged = known.activeLayers !== stats.activeLayers;
    known.activeLayers = stats.activeLayers;
    if (!known.stopReading && (layersChanged || now - known.readAt >= REREAD_INTERVAL_MS)) void this.read(stats, known, copy, now);
    return known.size;
  }

  /** Forgets the feeds no longer on air (stopping their reads). */
  keepOnly(producerIds: ReadonlySet<string>): void {
    for (const [producerId, known] of this.known) {
      if (producerIds.has(producerId)) continue;
      known.stopReading?.();
      this.known.delete(producerId);
    }
  }

  close(): void {
    this.keepOnly(new Set());
  }

  private async read(stats: FeedStats, known: Known, copy: CopyFeedRtp, now: number): Promise<void> {
    known.readAt = now;
    let stopCopy: (() => void) | undefined;
    let timeout: NodeJS.Timeout | undefined;
    const stop = () => {
      clearTimeout(timeout);
      stopCopy?.();
      if (known.stopReading === stop) known.stopReading = undefined;
    };
    known.stopReading = stop;
    try {
      const copied = await copy(stats.producerId, (packet) => {
        const picture = pictureIn(packet, stats.codec);
        if (!picture || known.stopReading !== stop) return;
        known.size = { width: picture.width, height: picture.height };
        stop();
      });
      // Stopped (the feed left the air, or a size came) while the copy was opening.
      if (known.stopReading !== stop) return copied();
      stopCopy = copied;
      timeout = setTimeout(stop, READ_TIMEOUT_MS);
      timeout.unref();
    } catch (error) {
      this.logger.warn({ err: error, producerId: stats.producerId }, "cannot read the feed's picture size");
      stop();
    }
  }
}

/** The picture size in an RTP packet of the codec, when it carries an H.264 SPS or a VP8 keyframe's start. */
function pictureIn(raw: Buffer, codec: string): PictureFacts | undefined {
  const packet = readRtp(raw);
  if (!packet) return undefined;
  if (codec === 'vp8') return readVp8Start(packet.payload)?.picture;
  if (codec !== 'h264') return undefined;
  for (const { type, unit } of h264Units(packet.payload)) {
    if (type === H264_SPS && unit) return readSps(unit);
  }
  return undefined;
}
