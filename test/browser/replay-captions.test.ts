import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptionsResponse } from '../../shared/protocol.js';
import { recordingDirectory } from '../../server/recording/layout.js';
import { LAPTOP } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { prepareRecordedReplays, type RecordedReplay } from '../helpers/recordedReplay.js';
import { waitFor } from '../helpers/server.js';

/** Two talks share a 12 s stage recording, 6 s each; the captions are timed on the whole recording. */
const RECORDED_SECONDS = 12;
const CAPTIONS = `WEBVTT

NOTE Timed on the whole recording, as its own playlist plays it.

opening
00:00:01.000 --> 00:00:03.000
Välkomna till dagen.

questions
00:00:07.000 --> 00:00:09.500
Nu tar vi frågor från publiken.
`;

interface TrackState {
  label: string;
  language: string;
  cues: { start: number; end: number; text: string }[];
  active: string[];
  currentTime: number;
}

describe('the replay player shows the recording’s captions, timed on what it plays', () => {
  let recorded: RecordedReplay;
  const fixture = useBrowserFixture({
    env: () => {
      const folders = prepareRecordedReplays([
        {
          eventId: 'dag-ett',
          stageId: 'stora',
          visibility: 'public',
          seconds: RECORDED_SECONDS,
          talk: { title: 'Öppning' },
          laterTalks: [{ title: 'Frågor från publiken' }],
        },
      ]);
      recorded = folders.replays[0]!;
      writeFileSync(join(recordingDirectory(folders.recordingsDir, recorded.stageId, recorded.recordingId), 'captions.sv.vtt'), CAPTIONS);
      return { DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir };
    },
    context: { viewport: LAPTOP },
  });

  const get = (path: string) => fetch(`${fixture.server.url}${path}`);

  it('lists the captions of a replay and of its recording, and re-times them onto the later talk’s replay', async () => {
    const questionsReplay = recorded.replayIds[1]!;
    const listed = (await (await get(`/api/replays/${questionsReplay}/captions`)).json()) as CaptionsResponse;
    expect(listed.captions).toEqual([{ language: 'sv', url: `/api/replays/${questionsReplay}/captions/sv` }]);
    const track = await get(listed.captions[0]!.url);
    expect(track.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    const text = await track.text();
    // The second talk plays from the recording's 6th second: its cue moves 6 s earlier, the opening's is not in it.
    expect(text).toContain('questions\n00:00:01.000 --> 00:00:03.500\nNu tar vi frågor från publiken.');
    expect(text).not.toContain('Välkomna');
    expect(text.startsWith('WEBVTT')).toBe(true);

    const whole = await get(`/api/recordings/${recorded.recordingId}/captions/sv`);
    expect(await whole.text()).toBe(CAPTIONS);
    const missing = await get(`/api/recordings/${recorded.recordingId}/captions/en`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const badTag = await get(`/api/replays/${questionsReplay}/captions/not_a_language`);
    expect(badTag.status).toBe(400);
    expect(((await badTag.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
  });

  it('offers the track in the player, named in the page’s language, and shows its cue while the replay plays there', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive/${recorded.replayIds[1]}`);
    await page.locator('#replay-video track[kind="captions"]').waitFor({ state: 'attached' });
    // What choosing the captions in the player's menu does.
    await page.evaluate(() => (document.querySelector<HTMLVideoElement>('#replay-video')!.textTracks[0]!.mode = 'showing'));
    const trackState = () =>
      page.evaluate((): TrackState => {
        const video = document.querySelector<HTMLVideoElement>('#replay-video')!;
        const track = video.textTracks[0]!;
        const cueText = (cue: TextTrackCue) => (cue as VTTCue).text;
        return {
          label: track.label,
          language: track.language,
          cues: Array.from(track.cues ?? [], (cue) => ({ start: cue.startTime, end: cue.endTime, text: cueText(cue) })),
          active: Array.from(track.activeCues ?? [], cueText),
          currentTime: video.currentTime,
        };
      });
    let state: TrackState | undefined;
    await waitFor(
      async () => (state = await trackState()).cues.length > 0,
      10_000,
      () => `the captions did not load: ${JSON.stringify(state)}`,
    );
    expect(state).toMatchObject({ label: 'svenska', language: 'sv', cues: [{ start: 1, end: 3.5, text: 'Nu tar vi frågor från publiken.' }] });

    await page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('#replay-video')!;
      video.muted = true;
      video.currentTime = 1.5;
      void video.play();
    });
    await waitFor(
      async () => (state = await trackState()).active.includes('Nu tar vi frågor från publiken.'),
      15_000,
      () => `the cue did not show while playing: ${JSON.stringify(state)}`,
    );
    expect(state!.currentTime).toBeGreaterThanOrEqual(1);
    expect(state!.currentTime).toBeLessThan(3.5);
  });
});
