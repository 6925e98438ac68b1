import { describe, expect, it } from 'vitest';
import { FreezeCounter, isRtcp, parseRtpHeader, SequenceTracker } from '../../scripts/bench/rtpStats.js';

/** A 12-byte RTP header (version 2, no CSRC or extension). */
function rtpPacket(fields: { payloadType: number; sequenceNumber: number; timestamp: number; ssrc: number }): Uint8Array {
  const packet = new Uint8Array(20);
  const view = new DataView(packet.buffer);
  packet[0] = 0x80;
  packet[1] = fields.payloadType;
  view.setUint16(2, fields.sequenceNumber);
  view.setUint32(4, fields.timestamp);
  view.setUint32(8, fields.ssrc);
  return packet;
}

describe('RTP header parsing', () => {
  it('reads payload type, sequence number, timestamp and SSRC', () => {
    const fields = { payloadType: 101, sequenceNumber: 65_535, timestamp: 4_294_967_000, ssrc: 0xdeadbeef };
    expect(parseRtpHeader(rtpPacket(fields))).toEqual(fields);
  });

  it('takes RTCP for what it is, not media', () => {
    const senderReport = rtpPacket({ payloadType: 200 - 128, sequenceNumber: 6, timestamp: 0, ssrc: 1 });
    expect(isRtcp(senderReport)).toBe(true);
    expect(parseRtpHeader(senderReport)).toBeUndefined();
  });
});

describe('loss from sequence numbers', () => {
  it('counts the gaps across a wrap-around and forgives reordering', () => {
    const tracker = new SequenceTracker();
    for (const sequenceNumber of [65_533, 65_535, 65_534, 1, 2]) tracker.record(sequenceNumber);
    expect(tracker.expected).toBe(6);
    expect(tracker.lost).toBe(1); // 0 never came
  });
});

describe('freezes from frame arrival', () => {
  const VIDEO_CLOCK_PER_FRAME = 3600; // 90 kHz at 25 fps
  const FRAME_MS = 40;

  /** Frames at 25 fps, each in `packetsPerFrame` packets; `gapsMs` delays a frame by its index. */
  function playFrames(counter: FreezeCounter, frames: number, gapsMs: Record<number, number> = {}, start = { at: 0, timestamp: 0 }) {
    let at = start.at;
    for (let frame = 0; frame < frames; frame++) {
      at += (frame === 0 ? 0 : FRAME_MS) + (gapsMs[frame] ?? 0);
      const timestamp = (start.timestamp + frame * VIDEO_CLOCK_PER_FRAME) % 2 ** 32;
      for (let packet = 0; packet < 3; packet++) counter.record({ ssrc: 1, timestamp }, at + packet);
    }
    return at;
  }

  it('finds none in steady playback, however many packets a frame has', () => {
    const counter = new FreezeCounter();
    playFrames(counter, 300);
    expect(counter.stats()).toEqual({ frames: 300, freezes: 0, freezeMs: 0 });
  });

  it('counts a stall of 400 ms as one freeze of its whole interval', () => {
    const counter = new FreezeCounter();
    playFrames(counter, 100, { 60: 400 - FRAME_MS });
    expect(counter.stats()).toEqual({ frames: 100, freezes: 1, freezeMs: 400 });
  });

  it('lets a late frame pass when it stays under average + 150 ms', () => {
    // At 25 fps 3 × average is about 130 ms; the + 150 ms floor is what keeps 160 ms from counting.
    const counter = new FreezeCounter();
    playFrames(counter, 100, { 50: 160 - FRAME_MS });
    expect(counter.stats().freezes).toBe(0);
  });

  it('uses 3 × the average when frames are sparse', () => {
    // At 2 fps a 1 s interval is well over average + 150 ms, yet under 3 × average: no freeze.
    const counter = new FreezeCounter();
    const at = [0, 500, 1000, 1500, 2000, 2500, 3500, 4000, 4500, 7500];
    at.forEach((ms, frame) => counter.record({ ssrc: 1, timestamp: frame * 45_000 }, ms));
    expect(counter.stats()).toEqual({ frames: 10, freezes: 1, freezeMs: 3000 });
  });

  it('judges nothing before five intervals, as WebRTC does', () => {
    const counter = new FreezeCounter();
    playFrames(counter, 5, { 3: 1000 });
    expect(counter.stats().freezes).toBe(0);
  });

  it('ignores late packets of older frames and follows the timestamp across its wrap-around', () => {
    const counter = new FreezeCounter();
    const nearWrap = 2 ** 32 - 10 * VIDEO_CLOCK_PER_FRAME;
    const end = playFrames(counter, 40, {}, { at: 0, timestamp: nearWrap });
    counter.record({ ssrc: 1, timestamp: nearWrap }, end + 5); // a retransmission of the first frame
    expect(counter.stats()).toEqual({ frames: 40, freezes: 0, freezeMs: 0 });
  });

  it('counts the wait for a new SSRC after a rejoin, whatever its timestamps', () => {
    const counter = new FreezeCounter();
    const end = playFrames(counter, 60);
    counter.record({ ssrc: 2, timestamp: 5 }, end + 900);
    expect(counter.stats()).toEqual({ frames: 61, freezes: 1, freezeMs: 900 });
  });
});
