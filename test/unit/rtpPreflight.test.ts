import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { PREFLIGHT_SECONDS } from '../../server/ingest/preflight.js';
import { RtpPreflightMeter } from '../../server/ingest/rtpPreflight.js';
import { readSps } from '../../server/ingest/videoBitstream.js';
import { TEST_FFMPEG } from '../helpers/mediaTools.js';
import { waitFor } from '../helpers/server.js';

const h264 = (options: string[]) => ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', ...options];

/**
 * Real ffmpeg sends an encode as RTP (its H.264 packetizer, or VP8's), which the meter reads as
 * the WHIP ingest does, until it has seen `seconds` of video (the whole check by default).
 */
async function measure(encoder: string[], codec: 'h264' | 'vp8', { negotiatedProfile = null as string | null, seconds = PREFLIGHT_SECONDS } = {}) {
  const source = ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', String(seconds + 1)];
  const meter = new RtpPreflightMeter(codec, negotiatedProfile, 90_000, 6000);
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  socket.on('message', (packet) => meter.packet(packet));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const ffmpeg = spawn(TEST_FFMPEG, ['-hide_banner', '-loglevel', 'error', ...source, ...encoder, '-f', 'rtp', `rtp://127.0.0.1:${socket.address().port}`], {
    stdio: 'ignore',
  });
  try {
    await waitFor(
      () => (meter.result()?.measuredSeconds ?? 0) >= seconds,
      20_000,
      () => `the meter never saw ${seconds} s of video: ${JSON.stringify(meter.result())}`,
    );
    return meter.result();
  } finally {
    ffmpeg.kill('SIGKILL');
    socket.close();
  }
}

describe('the pre-flight check of a WebRTC ingest, from its RTP', () => {
  it('measures an OBS-like encode: profile and size from its SPS, frame rate, keyframes, no B-frames, no warnings', async () => {
    const result = await measure(h264(['-profile:v', 'main', '-bf', '0', '-g', '25']), 'h264', { negotiatedProfile: 'Constrained Baseline' });
    expect(result).toMatchObject({ codec: 'h264', profile: 'Main', width: 320, height: 180, bFrames: false, keyframeIntervalSeconds: 1, warnings: [] });
    expect(result!.frameRate).toBeCloseTo(25, 0);
    expect(result!.bitrateKbps).toBeGreaterThan(0);
  });

  it('warns of B-frames and of a 5 s keyframe interval', async () => {
    const bFrames = await measure(h264(['-profile:v', 'high', '-bf', '2', '-g', '25']), 'h264');
    expect(bFrames).toMatchObject({ profile: 'High', bFrames: true });
    expect(bFrames!.warnings.map((warning) => warning.code)).toEqual(['b_frames']);
    const sparseKeyframes = await measure(h264(['-bf', '0', '-g', '125']), 'h264');
    expect(sparseKeyframes!.keyframeIntervalSeconds).toBe(5);
    expect(sparseKeyframes!.warnings.map((warning) => warning.code)).toEqual(['keyframe_interval']);
  });

  // libvpx encodes slower than real time on a loaded machine: 2 s of it are enough here.
  it('reads a VP8 keyframe for the size, and warns that the codec is not H.264', { timeout: 30_000 }, async () => {
    const result = await measure(['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '25', '-b:v', '500k'], 'vp8', { seconds: 2 });
    expect(result).toMatchObject({ codec: 'vp8', profile: null, width: 320, height: 180, bFrames: false, keyframeIntervalSeconds: 1 });
    expect(result!.warnings.map((warning) => warning.code)).toEqual(['video_codec']);
  });

  it('reads the size and profile of SPSs with cropping, high-profile fields and interlace off', () => {
    for (const [size, profile, name] of [
      ['640x360', 'baseline', 'Constrained Baseline'],
      ['1280x720', 'high', 'High'],
      ['854x480', 'main', 'Main'],
    ] as const) {
      const stream = execFileSync(TEST_FFMPEG, [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=${size}:rate=25`,
        '-frames:v',
        '1',
        ...h264(['-profile:v', profile]),
        '-f',
        'h264',
        '-',
      ]);
      const spsStart = stream.indexOf(Buffer.from([0, 0, 1, 0x67]));
      const sps = stream.subarray(spsStart + 3, stream.indexOf(Buffer.from([0, 0, 1]), spsStart + 3));
      const [width, height] = size.split('x').map(Number);
      expect(readSps(sps)).toEqual({ width, height, profile: name });
    }
  });
});
