import { describe, expect, it } from 'vitest';
import { readTransportSequence, TransportFeedbackRecorder } from '../../scripts/bench/transportFeedback.js';

/** An RTP packet with one-byte header extensions (id, value bytes) and a small payload. */
function rtpWithExtensions(elements: [number, number[]][]): Buffer {
  const body = elements.flatMap(([id, value]) => [(id << 4) | (value.length - 1), ...value]);
  while (body.length % 4 !== 0) body.push(0);
  const header = [0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0xbe, 0xde, 0, body.length / 4];
  return Buffer.from([...header, ...body, 0xaa, 0xbb]);
}

describe('readTransportSequence', () => {
  it('finds the transport-wide sequence number among other extensions and padding', () => {
    const packet = rtpWithExtensions([
      [1, [0x12]],
      [3, [0xab, 0xcd]],
    ]);
    expect(readTransportSequence(packet, 3)).toBe(0xabcd);
    expect(readTransportSequence(packet, 5)).toBeUndefined();
  });

  it('gives up on packets without extensions or with a bad length', () => {
    const plain = Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 1, 2, 3]);
    expect(readTransportSequence(plain, 3)).toBeUndefined();
    const truncated = rtpWithExtensions([[3, [0, 9]]]).subarray(0, 14);
    expect(readTransportSequence(truncated, 3)).toBeUndefined();
  });
});

describe('TransportFeedbackRecorder', () => {
  it('encodes arrivals, a gap and a late packet the way the draft lays them out', () => {
    const recorder = new TransportFeedbackRecorder(0x01020304, 0x0a0b0c0d);
    // Reference time is 64 ms (1 unit); deltas in 250 µs units: 4, (lost), 8, then 400 (large).
    recorder.record(100, 65_000);
    recorder.record(102, 67_000);
    recorder.record(103, 167_000);
    const packet = recorder.takeFeedback()!;
    expect([...packet]).toEqual([
      0x80 | 0x20 | 15,
      205,
      0,
      6, // V=2, padding, FMT 15, PT 205, length 7 words - 1
      1,
      2,
      3,
      4,
      0x0a,
      0x0b,
      0x0c,
      0x0d, // sender and media SSRC
      0,
      100,
      0,
      4, // base sequence 100, 4 statuses
      0,
      0,
      1,
      0, // reference time 1 × 64 ms, feedback count 0
      0b11_01_00_01,
      0b10_00_00_00, // status vector: received small, lost, small, large, (padding)
      4,
      8,
      0x01,
      0x90, // deltas: 4, 8, then 400 as two bytes
      0,
      2, // padding to a whole word, its length in the last byte
    ]);
    expect(packet.length % 4).toBe(0);
    expect(packet.readUInt16BE(2)).toBe(packet.length / 4 - 1);
  });

  it('reports each packet once, continues where it left off, and counts feedback packets', () => {
    const recorder = new TransportFeedbackRecorder(1, 2);
    recorder.record(65_534, 1_000);
    recorder.record(65_535, 2_000);
    const first = recorder.takeFeedback()!;
    expect(recorder.takeFeedback()).toBeUndefined();
    recorder.record(65_535, 2_500); // a duplicate of a packet already reported is ignored
    recorder.record(1, 4_000); // the sequence wrapped; 0 was lost
    const second = recorder.takeFeedback()!;
    expect(first.readUInt16BE(12)).toBe(65_534);
    expect(second.readUInt16BE(12)).toBe(0);
    expect(second.readUInt16BE(14)).toBe(2);
    expect(second[19]).toBe(1);
  });
});
