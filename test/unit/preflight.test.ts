import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PreflightMeter } from '../../server/ingest/preflight.js';
import { TEST_FFMPEG } from '../helpers/mediaTools.js';

/** Runs real ffmpeg as the ingest does (framecrc of the copied video) over a short encode. */
function measure(encoder: string[], maxBitrateKbps = 6000) {
  const source = ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '3'];
  const framecrc = execFileSync(TEST_FFMPEG, ['-hide_banner', '-loglevel', 'error', ...source, ...encoder, '-f', 'framecrc', '-'], { encoding: 'utf8' });
  const meter = new PreflightMeter(maxBitrateKbps);
  for (const line of framecrc.split('\n')) meter.framecrcLine(line);
  meter.logLine('  Stream #0:0: Video: h264 (Main), yuv420p(progressive), 320x180 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 1k tbn');
  return meter.result();
}

const h264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-bf', '0', '-g', '25', '-pix_fmt', 'yuv420p'];

describe('the pre-flight check of an ingest', () => {
  it('measures good encoder settings without warnings', () => {
    expect(measure(h264)).toMatchObject({
      codec: 'h264',
      profile: 'Main',
      width: 320,
      height: 180,
      frameRate: 25,
      bFrames: false,
      keyframeIntervalSeconds: 1,
      warnings: [],
    });
  });

  it('warns of a bitrate over the ceiling and of a codec other than H.264', () => {
    const tooMuch = measure([...h264, '-b:v', '3000k', '-minrate', '3000k', '-maxrate', '3000k', '-bufsize', '1000k'], 1000);
    expect(tooMuch?.bitrateKbps).toBeGreaterThan(1000);
    expect(tooMuch?.warnings.map((warning) => warning.code)).toEqual(['bitrate']);
    expect(measure(['-c:v', 'mpeg4', '-g', '25'])?.warnings.map((warning) => warning.code)).toEqual(['video_codec']);
  });

  it('reports nothing before two packets arrived', () => {
    expect(new PreflightMeter(6000).result()).toBeNull();
  });
});
