import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEGMENT_SECONDS } from '../../server/recording/layout.js';
import type { Recording } from '../../server/storage/recordings.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import {
  ffprobe,
  readPlaylist,
  readRecordings,
  readSegments,
  recordingFolder,
  undecodableSegments,
  videoPacketTimes,
  waitForSegments,
  wallSeconds,
} from './recordingHelpers.js';

const RECORD_SECONDS = 6;
const DURATION_TOLERANCE_SECONDS = 1;
/** The static build of @ffmpeg-installer/linux-x64, the fallback when no ffmpeg is installed (from 2018). */
const BUNDLED_FFMPEG = createRequire(import.meta.url).resolve('@ffmpeg-installer/linux-x64/ffmpeg');

/** The recorder against the real server, mediasoup and ffmpeg, on the demo stage. */
describe('recording the demo stage', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** One H.264 recording of several segments, closed by a graceful stop, which the first two tests read. */
  describe('an H.264 recording closed by a graceful stop', () => {
    let stopped: RunningServer;
    let recording: Recording;

    beforeAll(async () => {
      stopped = await startServer({ DEMO: '1', DEMO_CODEC: 'H264' });
      // Long enough for the duration check to mean something: several segments, then stop.
      let exitCode: number | null;
      try {
        await waitForSegments(stopped, Math.ceil(RECORD_SECONDS / SEGMENT_SECONDS));
      } finally {
        exitCode = await stopped.stop();
      }
      expect(exitCode).toBe(0);
      const [only, ...others] = readRecordings(stopped.dataDir);
      expect(others).toEqual([]);
      recording = only!;
    });

    it('records what is on air as HLS, closed as VOD when the server stops', () => {
      expect(recording).toMatchObject({ stageId: 'demo', status: 'complete', failureReason: null });
      const folder = recordingFolder(stopped, recording);
      const { text, playlist } = readPlaylist(folder);
      expect(playlist.playlistType).toBe('VOD');
      expect(playlist.endlist).toBe(true);
      expect(text.trim().split('\n').at(-1)).toBe('#EXT-X-ENDLIST');
      expect(playlist.segments.map((segment) => segment.uri)).toEqual(readSegments(stopped.dataDir, recording.id).map((segment) => segment.file));

      const probe = ffprobe(join(folder, 'index.m3u8'));
      expect(probe.streams.filter((stream) => stream.codec_type === 'video')).toHaveLength(1);
      expect(probe.streams.filter((stream) => stream.codec_type === 'audio')).toHaveLength(1);
      expect(probe.streams.find((stream) => stream.codec_type === 'video')?.codec_name).toBe('h264');
      const wall = wallSeconds(recording);
      expect(Math.abs(Number(probe.format.duration) - wall), `ffprobe ${probe.format.duration} s, wall ${wall} s`).toBeLessThanOrEqual(
        DURATION_TOLERANCE_SECONDS,
      );
      expect(recording.durationSeconds).toBeCloseTo(Number(probe.format.duration), 0);
      expect(undecodableSegments(folder, playlist)).toEqual([]);
    });

    it("never puts a run's second video frame at or before its first, whichever track began first", () => {
      const firstSegment = join(recordingFolder(stopped, recording), readSegments(stopped.dataDir, recording.id)[0]!.file);
      const [first, second, third] = videoPacketTimes(firstSegment);
      const times = `video times ${first}, ${second}, ${third}`;
      expect([first, second, third].every(Number.isInteger), times).toBe(true);
      // The demo source sends evenly spaced frames: the first step is at least one frame (longer
      // when the first picture is shown while the audio's head start plays).
      expect(second! - first!, times).toBeGreaterThanOrEqual(third! - second!);
    });
  });

  it('records H.264 with an ffmpeg older than 4.4 (the bundled 2018 build: no setts, no listen_timeout), and says so at start-up', async () => {
    server = await startServer({ DEMO: '1', DEMO_CODEC: 'H264', FFMPEG_PATH: BUNDLED_FFMPEG });
    await waitForSegments(server, 2);
    expect(await server.stop()).toBe(0);

    const warning = server
      .logs()
      .split('\n')
      .find((line) => line.includes('this ffmpeg is older than 4.4'));
    expect(warning && (JSON.parse(warning) as { missing: string[] }).missing).toEqual([
      expect.stringContaining('setts'),
      expect.stringContaining('listen_timeout'),
    ]);
    const [recording, ...others] = readRecordings(server.dataDir);
    expect(others).toEqual([]);
    expect(recording).toMatchObject({ status: 'complete', failureReason: null });
    const folder = recordingFolder(server, recording!);
    expect(ffprobe(join(folder, 'index.m3u8')).streams.map((stream) => stream.codec_name)).toEqual(expect.arrayContaining(['h264', 'aac']));
  });

  it('encodes VP8 video to H.264 (the transcode path)', async () => {
    server = await startServer({ DEMO: '1', DEMO_CODEC: 'VP8' });
    await waitForSegments(server, 2);
    expect(await server.stop()).toBe(0);

    const [recording] = readRecordings(server.dataDir);
    expect(recording?.status).toBe('complete');
    const folder = recordingFolder(server, recording!);
    const probe = ffprobe(join(folder, 'index.m3u8'));
    expect(probe.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    const { playlist } = readPlaylist(folder);
    expect(playlist.endlist).toBe(true);
    expect(undecodableSegments(folder, playlist)).toEqual([]);
    // Keyframes forced every segment: segments are cut where -hls_time says, not only at the source's.
    for (const segment of playlist.segments.slice(0, -1)) expect(segment.duration).toBeLessThan(SEGMENT_SECONDS + 1);
  });
});
