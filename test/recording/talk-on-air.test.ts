import { afterEach, describe, expect, it } from 'vitest';
import type { ControlTalk, RecordingControl, StageOnAir } from '../../shared/programmeControl.js';
import type { ChaptersResponse, ReplayInfo, StagesResponse } from '../../shared/protocol.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { readPlaylist, readRecordings, readSegments, recordingFolder, stagesOnAirUnrecorded, waitForSegments } from './recordingHelpers.js';

const MINUTE = 60_000;
/** Segments are about a second long: this many more means the talk was on air for a few seconds. */
const SEGMENTS_PER_TALK = 3;

describe('running a recorded stage’s programme from the control room', () => {
  let server: RunningServer | undefined;
  let viewer: RawSocket | undefined;

  afterEach(async () => {
    viewer?.disconnect();
    await server?.stop();
    server = undefined;
  });

  it('"next talk" gives each talk its own replay of its time on air; a chapter marker becomes a chapter; recording stops and starts while the stage stays live', async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1' });
    const running = server;
    const recording = await waitForSegments(running, 1);
    const technician = await technicianClient(running);
    // Planned for another day: the control room's times on air are what count.
    const planned = Date.now() + 2 * 24 * 60 * MINUTE;
    const addTalk = (title: string, startMs: number) =>
      technician.call<ControlTalk>('POST', '/api/stages/demo/talks', {
        title,
        plannedStart: new Date(startMs).toISOString(),
        plannedEnd: new Date(startMs + 30 * MINUTE).toISOString(),
      });
    const first = await addTalk('Första talet', planned);
    const second = await addTalk('Andra talet', planned + 30 * MINUTE);

    // A viewer on the watch page is told what is on air, on joining and on each change.
    viewer = await connect(running.url);
    const pushed: StageOnAir[] = [];
    viewer.on('programme:onAir', (onAir: StageOnAir) => pushed.push(onAir));
    expect((await request(viewer, 'stage:join', { stageId: 'demo', role: 'viewer' })).ok).toBe(true);
    await waitFor(
      () => pushed.length === 1,
      5_000,
      () => 'no programme:onAir on joining',
    );

    const segmentsNow = () => readSegments(running.dataDir, recording.id).length;
    const onAirFor = async (segments: number) => {
      const target = segmentsNow() + segments;
      await waitFor(
        () => segmentsNow() >= target,
        30_000,
        () => `the recording did not grow by ${segments} segments:\n${running.logs().slice(-3000)}`,
      );
    };

    const firstOnAir = await technician.call<StageOnAir>('PUT', '/api/stages/demo/on-air', { talkId: first.id });
    await onAirFor(SEGMENTS_PER_TALK);
    const secondOnAir = await technician.call<StageOnAir>('POST', '/api/stages/demo/on-air/next');
    expect(secondOnAir).toMatchObject({ talk: { id: second.id }, next: null });
    await onAirFor(1);
    await technician.call('POST', '/api/stages/demo/chapter-markers', { title: 'Frågestund' });
    await onAirFor(SEGMENTS_PER_TALK);
    await waitFor(
      () => pushed.at(-1)?.talk?.id === second.id,
      5_000,
      () => `the viewer was not told: ${JSON.stringify(pushed)}`,
    );
    expect(pushed.map((onAir) => onAir.talk?.id ?? null).slice(-2)).toEqual([first.id, second.id]);

    // Recording stops; the broadcast goes on.
    const stopped = await technician.call<RecordingControl>('PUT', '/api/stages/demo/recording', { recorded: false });
    expect(stopped.recorded).toBe(false);
    await waitFor(
      () => readRecordings(running.dataDir).find((found) => found.id === recording.id)?.status === 'complete',
      15_000,
      () => `the recording did not stop:\n${running.logs().slice(-3000)}`,
    );
    const ended = readRecordings(running.dataDir).find((found) => found.id === recording.id)!;
    const stages = (await (await fetch(`${running.url}/api/stages`)).json()) as StagesResponse;
    expect(stages.stages.find((stage) => stage.id === 'demo')?.live).toBe(true);
    // Not recorded on purpose: not a stage missing its recording.
    expect(await stagesOnAirUnrecorded(running)).toBe(0);
    expect(readPlaylist(recordingFolder(running, recording)).text).toContain('#EXT-X-ENDLIST');

    const { replays } = (await (await fetch(`${running.url}/api/replays?stage=demo`)).json()) as { replays: ReplayInfo[] };
    const ofTalk = (talkId: string) => replays.find((replay) => replay.talkId === talkId && replay.recordingId === recording.id);
    expect(ofTalk(first.id)).toMatchObject({ inAt: firstOnAir.since, outAt: secondOnAir.since });
    expect(ofTalk(second.id)).toMatchObject({ inAt: secondOnAir.since, outAt: ended.endedAt });
    for (const replay of [ofTalk(first.id)!, ofTalk(second.id)!]) {
      // Whole segments around the window, no more than one segment each side beyond it.
      const playlist = await (await fetch(`${running.url}${replay.playlistUrl}`)).text();
      const seconds = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((total, match) => total + Number(match[1]), 0);
      expect(playlist).toContain('#EXT-X-ENDLIST');
      expect(seconds).toBeGreaterThanOrEqual(replay.durationSeconds - 0.5);
      expect(seconds).toBeLessThanOrEqual(replay.durationSeconds + 3);
    }
    const chapters = (await (await fetch(`${running.url}/api/replays/${ofTalk(second.id)!.id}/chapters`)).json()) as ChaptersResponse;
    const marker = chapters.chapters.find((chapter) => chapter.kind === 'marker');
    expect(marker?.title).toBe('Frågestund');
    expect(marker!.startSeconds).toBeGreaterThan(0);
    expect(marker!.startSeconds).toBeLessThan(ofTalk(second.id)!.durationSeconds + 1);

    // Started again while live: a new recording at once.
    expect((await technician.call<RecordingControl>('PUT', '/api/stages/demo/recording', { recorded: true })).recorded).toBe(true);
    await waitFor(
      () => readRecordings(running.dataDir).some((found) => found.id !== recording.id && found.status === 'recording'),
      15_000,
      () => `no new recording after starting again:\n${running.logs().slice(-3000)}`,
    );
    const state = await technician.call<RecordingControl>('GET', '/api/stages/demo/recording');
    expect(state.current?.id).not.toBe(recording.id);
    expect(state.disk?.freeBytes).toBeGreaterThan(0);
  });
});
