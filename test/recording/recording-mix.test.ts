import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEGMENT_SECONDS } from '../../server/recording/layout.js';
import type { Recording } from '../../server/storage/recordings.js';
import type { RecordingSegment } from '../../server/storage/recordingSegments.js';
import { TONE_ABSENT_SHARE, TONE_PRESENT_SHARE, toneShares } from '../helpers/audioTones.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { PlainRtpSpeaker } from './plainRtpSpeaker.js';
import { decodeProblems, ffprobe, readRecordings, readSegments, recordingFolder, waitForSegments } from './recordingHelpers.js';

/** The demo source's tone (server/ingest/testPattern.ts), and the second microphone's. */
const DEMO_TONE_HZ = 440;
const SECOND_TONE_HZ = 1000;
const SWITCH_TIMEOUT_MS = 20_000;
/** A microphone opening or closing costs the recording one ffmpeg start at most (as a killed recorder does). */
const MAX_HOLE_SECONDS = SEGMENT_SECONDS + 1;

type Tones = { demo: number; second: number };
/**
 * Tones are measured over this many segments at once, as a player plays them one after the other:
 * a mixed sound held back a moment (one microphone's packets late) is written into the next
 * segment, beside later video.
 */
const WINDOW_SEGMENTS = 3;

/** The tones of the window of segments that begins at each sequence number, decoded once. */
function toneReader(server: RunningServer, recording: Recording): (segments: RecordingSegment[]) => Tones {
  const folder = recordingFolder(server, recording);
  const known = new Map<string, Tones>();
  return (segments) => {
    const input = `concat:${segments.map((segment) => join(folder, segment.file)).join('|')}`;
    let tones = known.get(input);
    if (!tones) {
      const [demo, second] = toneShares(input, [DEMO_TONE_HZ, SECOND_TONE_HZ]);
      tones = { demo: demo!, second: second! };
      known.set(input, tones);
    }
    return tones;
  };
}

/** Every window of consecutive segments from `fromSequence` on. */
function windowsFrom(server: RunningServer, recording: Recording, fromSequence: number): RecordingSegment[][] {
  const later = readSegments(server.dataDir, recording.id).filter((segment) => segment.sequence >= fromSequence);
  return later.slice(0, Math.max(0, later.length - WINDOW_SEGMENTS + 1)).map((_, index) => later.slice(index, index + WINDOW_SEGMENTS));
}

/** The first window from `fromSequence` on whose sound passes the check. */
async function waitForWindowSounding(
  server: RunningServer,
  recording: Recording,
  fromSequence: number,
  tonesOf: (segments: RecordingSegment[]) => Tones,
  sounds: (tones: Tones) => boolean,
  what: string,
): Promise<RecordingSegment[]> {
  let found: RecordingSegment[] | undefined;
  const measured = () => windowsFrom(server, recording, fromSequence).map((segments) => ({ from: segments[0]!.file, ...tonesOf(segments) }));
  await waitFor(
    () => {
      found = windowsFrom(server, recording, fromSequence).find((segments) => sounds(tonesOf(segments)));
      return found !== undefined;
    },
    SWITCH_TIMEOUT_MS,
    () => {
      let tones: string;
      try {
        tones = JSON.stringify(measured());
      } catch (error) {
        tones = `(not decodable: ${(error as Error).message})`;
      }
      return `no ${WINDOW_SEGMENTS} segments ${what} within ${SWITCH_TIMEOUT_MS} ms; from segment ${fromSequence} on: ${tones}\n${server.logs().slice(-3000)}`;
    },
  );
  return found!;
}

/** Seconds missing between each discontinuity's segment and the one before it. */
function holesAtDiscontinuities(segments: RecordingSegment[]): number[] {
  return segments.flatMap((segment, index) => {
    const before = segments[index - 1];
    if (!segment.discontinuity || !before) return [];
    return [(Date.parse(segment.programDateTime) - Date.parse(before.programDateTime)) / 1000 - before.durationSeconds];
  });
}

const heard = (share: number) => share > TONE_PRESENT_SHARE;
const silent = (share: number) => share < TONE_ABSENT_SHARE;

/** Two microphones on air at once are both in the recording, mixed into its one audio track. */
describe('recording every open microphone', () => {
  let server: RunningServer | undefined;
  const speakers: PlainRtpSpeaker[] = [];

  afterEach(async () => {
    for (const speaker of speakers.splice(0)) speaker.stop();
    await server?.stop();
    server = undefined;
  });

  it('mixes a second microphone into the recording beside the demo’s, goes on with the demo’s while the second sends nothing, and with the demo’s alone when it closes', async () => {
    server = await startServer({ DEMO: '1', DEMO_CODEC: 'H264' });
    const recording = await waitForSegments(server, 2);
    const tonesOf = toneReader(server, recording);
    const demoAlone = (tones: Tones) => heard(tones.demo) && silent(tones.second);
    const first = await waitForWindowSounding(server, recording, 0, tonesOf, demoAlone, 'with only the demo’s tone');

    const speaker = await PlainRtpSpeaker.publishTone(server.url, server.dataDir, 'demo', SECOND_TONE_HZ);
    speakers.push(speaker);
    const both = (tones: Tones) => heard(tones.demo) && heard(tones.second);
    const mixed = await waitForWindowSounding(server, recording, first[0]!.sequence + 1, tonesOf, both, 'with both tones');
    // One audio track, the mix; the video stored as it came.
    const probe = ffprobe(join(recordingFolder(server, recording), mixed[0]!.file));
    expect(probe.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);

    // Its packets stop while it stays on air (its network dropped): the demo goes on being
    // recorded meanwhile, and both again once its packets come back.
    const pausedAt = readSegments(server.dataDir, recording.id).length;
    speaker.pause();
    const paused = await waitForWindowSounding(server, recording, pausedAt, tonesOf, demoAlone, 'with the demo’s tone alone while the second sends nothing');
    speaker.resume();
    await waitForWindowSounding(server, recording, paused.at(-1)!.sequence + 1, tonesOf, both, 'with both tones once the second sends again');

    speaker.stop();
    const closedAt = readSegments(server.dataDir, recording.id).length;
    const demoAgain = await waitForWindowSounding(server, recording, closedAt, tonesOf, demoAlone, 'with the demo’s tone alone again');
    // It goes on: the segments after those sound the same.
    const next = demoAgain.at(-1)!.sequence + 1;
    await waitForWindowSounding(server, recording, next, tonesOf, () => true, 'recorded after the second microphone closed');
    expect(tonesOf(windowsFrom(server, recording, next)[0]!)).toSatisfy(demoAlone);

    expect(await server.stop()).toBe(0);
    const [only, ...others] = readRecordings(server.dataDir);
    expect(others).toEqual([]);
    expect(only).toMatchObject({ id: recording.id, status: 'complete', failureReason: null });
    const segments = readSegments(server.dataDir, recording.id);
    // The microphone opening and closing each began a new run, which continued the same recording.
    const holes = holesAtDiscontinuities(segments);
    expect(holes.length, JSON.stringify(holes)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...holes), JSON.stringify(holes)).toBeLessThanOrEqual(MAX_HOLE_SECONDS);
    // What a player plays, from start to end, decodes cleanly.
    expect(decodeProblems(join(recordingFolder(server, recording), 'index.m3u8'))).toBeUndefined();
  });
});
