import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEGMENT_SECONDS } from '../../server/recording/layout.js';
import type { Recording } from '../../server/storage/recordings.js';
import type { RecordingSegment } from '../../server/storage/recordingSegments.js';
import { TONE_ABSENT_SHARE, TONE_PRESENT_SHARE, toneShares } from '../helpers/audioTones.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { PlainRtpSpeaker } from './plainRtpSpeaker.js';
import { ffprobe, readPlaylist, readRecordings, readSegments, recordingFolder, undecodableSegments, waitForSegments } from './recordingHelpers.js';

/** The demo source's tone (server/ingest/testPattern.ts), and the second microphone's. */
const DEMO_TONE_HZ = 440;
const SECOND_TONE_HZ = 1000;
const SWITCH_TIMEOUT_MS = 20_000;
/** A microphone opening or closing costs the recording one ffmpeg start at most (as a killed recorder does). */
const MAX_HOLE_SECONDS = SEGMENT_SECONDS + 1;

type Tones = { demo: number; second: number };

/** Each segment's tones, decoded once. */
function toneReader(server: RunningServer, recording: Recording): (segment: RecordingSegment) => Tones {
  const folder = recordingFolder(server, recording);
  const known = new Map<string, Tones>();
  return (segment) => {
    let tones = known.get(segment.file);
    if (!tones) {
      const [demo, second] = toneShares(join(folder, segment.file), [DEMO_TONE_HZ, SECOND_TONE_HZ]);
      tones = { demo: demo!, second: second! };
      known.set(segment.file, tones);
    }
    return tones;
  };
}

/** The first segment from `fromSequence` on whose sound passes the check. */
async function waitForSegmentSounding(
  server: RunningServer,
  recording: Recording,
  fromSequence: number,
  tonesOf: (segment: RecordingSegment) => Tones,
  sounds: (tones: Tones) => boolean,
  what: string,
): Promise<RecordingSegment> {
  let found: RecordingSegment | undefined;
  const later = () => readSegments(server.dataDir, recording.id).filter((segment) => segment.sequence >= fromSequence);
  await waitFor(
    () => {
      found = later().find((segment) => sounds(tonesOf(segment)));
      return found !== undefined;
    },
    SWITCH_TIMEOUT_MS,
    () =>
      `no segment ${what} within ${SWITCH_TIMEOUT_MS} ms; tones from segment ${fromSequence} on: ${JSON.stringify(later().map(tonesOf))}\n${server.logs().slice(-3000)}`,
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

  it('mixes a second microphone into the recording beside the demo’s, and goes on recording the demo’s alone when it closes', async () => {
    server = await startServer({ DEMO: '1', DEMO_CODEC: 'H264' });
    const recording = await waitForSegments(server, 2);
    const tonesOf = toneReader(server, recording);
    const demoAlone = (tones: Tones) => heard(tones.demo) && silent(tones.second);
    const first = await waitForSegmentSounding(server, recording, 0, tonesOf, demoAlone, 'with only the demo’s tone');

    const speaker = await PlainRtpSpeaker.publishTone(server.url, server.dataDir, 'demo', SECOND_TONE_HZ);
    speakers.push(speaker);
    const both = (tones: Tones) => heard(tones.demo) && heard(tones.second);
    const mixed = await waitForSegmentSounding(server, recording, first.sequence + 1, tonesOf, both, 'with both tones');
    // One audio track, the mix; the video stored as it came.
    const probe = ffprobe(join(recordingFolder(server, recording), mixed.file));
    expect(probe.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);

    speaker.stop();
    const demoAgain = await waitForSegmentSounding(server, recording, mixed.sequence + 1, tonesOf, demoAlone, 'with the demo’s tone alone again');
    // It goes on: the segments after it sound the same.
    await waitFor(
      () => readSegments(server!.dataDir, recording.id).length > demoAgain.sequence + 2,
      SWITCH_TIMEOUT_MS,
      () => `the recording did not go on after the second microphone closed:\n${server!.logs().slice(-3000)}`,
    );
    const after = readSegments(server.dataDir, recording.id).slice(demoAgain.sequence + 1, demoAgain.sequence + 3);
    expect(after.map(tonesOf).every(demoAlone), JSON.stringify(after.map(tonesOf))).toBe(true);

    expect(await server.stop()).toBe(0);
    const [only, ...others] = readRecordings(server.dataDir);
    expect(others).toEqual([]);
    expect(only).toMatchObject({ id: recording.id, status: 'complete', failureReason: null });
    const segments = readSegments(server.dataDir, recording.id);
    // The microphone opening and closing each began a new run, which continued the same recording.
    const holes = holesAtDiscontinuities(segments);
    expect(holes.length, JSON.stringify(holes)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...holes), JSON.stringify(holes)).toBeLessThanOrEqual(MAX_HOLE_SECONDS);
    const folder = recordingFolder(server, recording);
    expect(undecodableSegments(folder, readPlaylist(folder).playlist)).toEqual([]);
  });
});
