/**
 * The pre-flight check of a WebRTC (WHIP) ingest, from what the server sees of its video: every
 * RTP packet of the first seconds (a copy the media layer hands over), read as frames (one RTP
 * timestamp each) with their bytes, keyframes and timestamps. The picture size and profile come
 * from the first H.264 sequence parameter set (or VP8 keyframe); until one arrives the profile is
 * the one negotiated in the SDP, which OBS always offers as Constrained Baseline whatever it encodes.
 */
import type { IngestPreflight } from '../../shared/protocol.js';
import { type MeasuredFrame, PREFLIGHT_SECONDS, preflightOf } from './preflight.js';
import { H264_IDR, H264_SPS, h264Units, type PictureFacts, readRtp, readSps, readVp8Start, type RtpPacket } from './videoBitstream.js';

interface Frame extends MeasuredFrame {
  rtpTime: number;
}

export class RtpPreflightMeter {
  private readonly frames: Frame[] = [];
  private picture: PictureFacts | undefined;
  private bFrames = false;
  private last: { sequenceNumber: number; timestamp: number; rtpTime: number } | undefined;

  constructor(
    /** The negotiated codec: 'h264', 'vp8'… */
    private readonly codec: string,
    private readonly negotiatedProfile: string | null,
    private readonly clockRate: number,
    private readonly maxBitrateKbps: number,
  ) {}

  /** One RTP packet of the video, as it arrived. */
  packet(raw: Buffer): void {
    const packet = readRtp(raw);
    if (!packet) return;
    const frame = this.frameOf(packet);
    if (!frame) return;
    frame.bytes += packet.payload.length;
    if (this.codec === 'h264') this.readH264(packet.payload, frame);
    else if (this.codec === 'vp8') this.readVp8(packet.payload, frame);
  }

  /** Whether the first seconds have been seen: the check needs no more packets. */
  get complete(): boolean {
    const [first, last] = [this.frames[0], this.frames.at(-1)];
    return first !== undefined && last !== undefined && last.seconds - first.seconds >= PREFLIGHT_SECONDS;
  }

  result(): IngestPreflight | null {
    const facts = {
      codec: this.codec,
      profile: this.picture?.profile ?? this.negotiatedProfile,
      width: this.picture?.width ?? 0,
      height: this.picture?.height ?? 0,
      bFrames: this.bFrames,
    };
    return preflightOf(this.frames, facts, this.maxBitrateKbps);
  }

  /**
   * The frame a packet belongs to. A packet newer than any before (by sequence number) with a new
   * timestamp starts one: a timestamp earlier than the frame before is a frame shown before one
   * decoded earlier, a B-frame. An older packet (a retransmission) belongs to a frame already counted.
   */
  private frameOf({ sequenceNumber, timestamp }: RtpPacket): Frame | undefined {
    const last = this.last;
    if (!last) {
      this.last = { sequenceNumber, timestamp, rtpTime: 0 };
      return this.addFrame(0);
    }
    if (((sequenceNumber - last.sequenceNumber) << 16) >> 16 <= 0)
      return this.frames.find((frame) => frame.rtpTime === last.rtpTime + ((timestamp - last.timestamp) | 0));
    const rtpTime = last.rtpTime + ((timestamp - last.timestamp) | 0);
    this.last = { sequenceNumber, timestamp, rtpTime };
    if (rtpTime === last.rtpTime) return this.frames.at(-1);
    if (rtpTime < last.rtpTime) this.bFrames = true;
    return this.addFrame(rtpTime);
  }

  private addFrame(rtpTime: number): Frame {
    // Frames are counted in decoding order; a B-frame's time is when it is shown, close enough for rates and intervals.
    const frame = { rtpTime, seconds: rtpTime / this.clockRate, bytes: 0, key: false };
    this.frames.push(frame);
    return frame;
  }

  private readH264(payload: Buffer, frame: Frame): void {
    for (const { type, unit } of h264Units(payload)) {
      if (type === H264_IDR) frame.key = true;
      if (type === H264_SPS && unit && !this.picture) this.picture = readSps(unit);
    }
  }

  private readVp8(payload: Buffer, frame: Frame): void {
    const start = readVp8Start(payload);
    if (!start?.key) return;
    frame.key = true;
    this.picture ??= start.picture;
  }
}
