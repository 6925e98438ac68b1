import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplayInfo } from '../../shared/protocol.js';
import { LAPTOP, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { createQuestion, pinQuestion, setQuestionStatus } from '../../server/storage/questions.js';
import { openDatabase } from '../../server/storage/database.js';
import { listSegments } from '../../server/storage/recordingSegments.js';
import { prepareRecordedReplays, type RecordedReplay } from '../helpers/recordedReplay.js';
import { waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

/** Two talks share a 12 s stage recording, 6 s each; the first one's replay was widened over both. */
const RECORDED_SECONDS = 12;
const SECOND_TALK_AT = 6;

interface VideoState {
  currentTime: number;
  duration: number;
  paused: boolean;
  muted: boolean;
}

const videoState = (page: Page): Promise<VideoState> =>
  page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('#replay-video')!;
    return { currentTime: video.currentTime, duration: video.duration, paused: video.paused, muted: video.muted };
  });

async function waitForVideo(page: Page, condition: (state: VideoState) => boolean, what: string): Promise<VideoState> {
  let last: VideoState | undefined;
  await waitFor(
    async () => condition((last = await videoState(page))),
    20_000,
    () => `${what}: ${JSON.stringify(last)}`,
  );
  return last!;
}

/** A question a moderator had on screen from 2 s to 4 s into the recording. */
const PINNED = { text: 'Hur når vi unga som mår dåligt?', authorName: 'Karin', fromSeconds: 2, toSeconds: 4 };

function pinQuestionWhileRecorded(dataDir: string, replay: RecordedReplay, pinned: typeof PINNED): void {
  const db = openDatabase(dataDir);
  try {
    const startedAt = Date.parse(listSegments(db, replay.recordingId)[0]!.programDateTime);
    const question = createQuestion(db, { stageId: replay.stageId, text: pinned.text, authorName: pinned.authorName }, new Date(startedAt));
    setQuestionStatus(db, question.id, 'approved');
    pinQuestion(db, replay.stageId, question.id, new Date(startedAt + pinned.fromSeconds * 1000));
    pinQuestion(db, replay.stageId, null, new Date(startedAt + pinned.toSeconds * 1000));
  } finally {
    db.close();
  }
}

describe('the replay page: found in the archive by a speaker, played, sought, by chapter and from a shared time', () => {
  let recorded: RecordedReplay;
  const fixture = useBrowserFixture({
    env: () => {
      const folders = prepareRecordedReplays([
        {
          eventId: 'dag-ett',
          stageId: 'stora',
          visibility: 'public',
          seconds: RECORDED_SECONDS,
          talk: { title: 'Barns och ungas psykiska hälsa', speakers: ['Ahmed Karimi'] },
          laterTalks: [{ title: 'Frågor från publiken' }],
        },
      ]);
      recorded = folders.replays[0]!;
      pinQuestionWhileRecorded(folders.dataDir, recorded, PINNED);
      return { ...TECHNICIAN_ENV, DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir };
    },
    context: { viewport: LAPTOP },
  });

  beforeAll(async () => {
    // The technician moves the talk's out point over the questions that followed it.
    const technician = await technicianClient(fixture.server);
    const questions = await technician.call<ReplayInfo>('GET', `/api/replays/${recorded.replayIds[1]}`);
    await technician.call('PATCH', `/api/replays/${recorded.replayId}`, { outAt: questions.outAt });
  });

  it('opens from an archive search by the speaker’s name, in Swedish, with title, speakers, stage, date, poster and chapters', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive`);
    await page.getByLabel('Sök i arkivet').fill('Karimi');
    await page.getByRole('button', { name: 'Sök' }).click();
    await page.getByRole('heading', { level: 2, name: '1 inspelning' }).waitFor();
    await page.getByRole('link', { name: 'Barns och ungas psykiska hälsa' }).click();
    await page.waitForURL(`${server.url}/archive/${recorded.replayId}`);
    await page.getByRole('heading', { level: 1, name: 'Barns och ungas psykiska hälsa' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
    await waitFor(
      async () => (await page.locator('#replay-meta').innerText()).includes('Stora salen'),
      10_000,
      () => 'the stage is not named',
    );
    const meta = await page.locator('#replay-meta').innerText();
    expect(meta).toContain('Medverkande: Ahmed Karimi');
    expect(meta).toMatch(/\d{4}/);
    expect(await page.locator('#replay-video').getAttribute('poster')).toBe(`/api/replays/${recorded.replayId}/poster.jpg`);
    const chapters = page.getByRole('navigation', { name: 'Kapitel' }).getByRole('button');
    await waitFor(
      async () => (await chapters.count()) === 2,
      10_000,
      () => 'the two chapters are not listed',
    );
    expect((await chapters.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
      '0:00 Barns och ungas psykiska hälsa',
      `0:0${SECOND_TALK_AT} Frågor från publiken`,
    ]);
    expect(await page.getByRole('heading', { name: 'Kortkommandon' }).count()).toBe(1);
    expect(await textsOfOtherLanguage(page, 'sv')).toEqual([]);
  });

  it('plays and pauses, mutes, and jumps 10 s either way with the keyboard shortcuts', async () => {
    const { page } = fixture;
    await waitForVideo(page, (state) => state.duration >= RECORDED_SECONDS - 1, 'the replay did not load');
    await page.keyboard.press('m');
    await waitForVideo(page, (state) => state.muted, 'm did not mute');
    await page.keyboard.press('k');
    await waitForVideo(page, (state) => !state.paused && state.currentTime > 0.5, 'k did not start playback');
    await page.keyboard.press('Space');
    const paused = await waitForVideo(page, (state) => state.paused, 'space did not pause');
    await page.keyboard.press('l');
    await waitForVideo(page, (state) => Math.abs(state.currentTime - (paused.currentTime + 10)) < 0.5, 'l did not jump 10 s forward');
    await page.keyboard.press('ArrowLeft');
    await waitForVideo(page, (state) => Math.abs(state.currentTime - paused.currentTime) < 0.5, 'the left arrow did not jump 10 s back');
    await page.keyboard.press('m');
    await waitForVideo(page, (state) => !state.muted, 'm did not unmute');
  });

  it('plays faster when asked, marks the chapter being played as current after a seek, and a chapter button jumps to its talk', async () => {
    const { page } = fixture;
    await page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('#replay-video')!;
      video.muted = true;
      video.currentTime = 1;
    });
    const current = page.locator('.chapter[aria-current="true"]');
    await waitFor(
      async () => (await current.innerText()).includes('Barns och ungas'),
      10_000,
      () => 'the first chapter is not marked current',
    );
    expect(await page.getByLabel('Hastighet').inputValue()).toBe('1');
    await page.getByLabel('Hastighet').selectOption('1.5');
    expect(await page.evaluate(() => document.querySelector<HTMLVideoElement>('#replay-video')!.playbackRate)).toBe(1.5);
    await page.getByRole('button', { name: /Frågor från publiken/ }).click();
    await waitForVideo(
      page,
      (state) => state.currentTime >= SECOND_TALK_AT && state.currentTime < SECOND_TALK_AT + 3 && !state.paused,
      'the chapter did not play from its start',
    );
    await waitFor(
      async () => (await current.innerText()).includes('Frågor från publiken'),
      10_000,
      () => 'the second chapter is not marked current',
    );
  });

  it('shows the question a moderator had on screen over the picture, at the moment it was on screen live', async () => {
    const { page } = fixture;
    const onScreen = page.locator('#player-on-screen');
    const seekTo = (seconds: number) =>
      page.evaluate((to) => {
        const video = document.querySelector<HTMLVideoElement>('#replay-video')!;
        video.pause();
        video.currentTime = to;
      }, seconds);
    await seekTo(1);
    await waitForVideo(page, (state) => Math.abs(state.currentTime - 1) < 0.1, 'the seek to 1 s did not land');
    expect(await onScreen.innerText()).toBe('');
    await seekTo(3);
    await onScreen.getByText(PINNED.text).waitFor();
    expect(await onScreen.getByText('Fråga på skärmen').isVisible()).toBe(true);
    expect(await onScreen.getByText(PINNED.authorName).isVisible()).toBe(true);
    await seekTo(5);
    await onScreen.getByText(PINNED.text).waitFor({ state: 'detached' });
  });

  it('shares a link at the current time, without more, which opens the replay there; ?t= typed by hand does too', async () => {
    const { page, server } = fixture;
    await page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('#replay-video')!;
      video.pause();
      video.currentTime = 4.6;
    });
    await waitForVideo(page, (state) => Math.abs(state.currentTime - 4.6) < 0.1, 'the seek to 4.6 s did not land');
    await page.getByRole('button', { name: 'Dela länk från 0:04' }).click();
    const link = await page.getByLabel('Länk som öppnar inspelningen vid den tiden').inputValue();
    expect(link).toBe(`${server.url}/archive/${recorded.replayId}?t=4`);
    await page.goto(link);
    await waitForVideo(page, (state) => state.duration > 0 && state.currentTime >= 4 && state.currentTime < 6, 'the shared link did not open at 4 s');
    await page.goto(`${server.url}/replay/${recorded.replayId}?t=9`);
    await waitForVideo(page, (state) => state.duration > 0 && state.currentTime >= 9 && state.currentTime < 11, '?t=9 did not open at 9 s');
  });

  it('plays the whole stage recording with every talk as a chapter', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/replay/${recorded.recordingId}`);
    await page.getByRole('heading', { level: 1, name: 'Inspelning från Stora salen' }).waitFor();
    const chapters = page.getByRole('navigation', { name: 'Kapitel' }).getByRole('button');
    await waitFor(
      async () => (await chapters.count()) === 2,
      10_000,
      () => 'the recording’s talks are not listed as chapters',
    );
    await waitForVideo(page, (state) => state.duration >= RECORDED_SECONDS - 1, 'the recording did not load');
  });

  it('switches to English, and the choice survives a reload', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive/${recorded.replayId}`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Chapters' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('link', { name: 'Download as MP4' }).count()).toBe(1);
    expect(await textsOfOtherLanguage(page, 'en')).toEqual([]);
    await page.getByRole('button', { name: 'Svenska' }).click();
    await page.getByRole('heading', { name: 'Kortkommandon' }).waitFor();
  });

  it('is operable by keyboard alone: Tab reaches a chapter and Enter jumps to it', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive/${recorded.replayId}`);
    await page.locator('.chapter').first().waitFor();
    await waitForVideo(page, (state) => state.duration >= RECORDED_SECONDS - 1, 'the replay did not load');
    const focusedText = () => page.evaluate(() => (document.activeElement?.matches('button.chapter') ? document.activeElement.textContent : '') ?? '');
    for (let presses = 0; presses < 40 && !(await focusedText()).includes('Frågor från publiken'); presses++) await page.keyboard.press('Tab');
    expect(await focusedText()).toContain('Frågor från publiken');
    await page.keyboard.press('Enter');
    await waitForVideo(page, (state) => state.currentTime >= SECOND_TALK_AT, 'Enter on the chapter did not jump to it');
  });

  it('answers an address without a replay with a page that says so, not an error', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/replay/no-such-replay`);
    await page.getByRole('heading', { level: 1, name: 'Inspelningen finns inte' }).waitFor();
    expect(await page.getByRole('link', { name: 'Till arkivet' }).count()).toBe(1);
  });

  it('has no serious or critical accessibility violations in Swedish or English, on a phone and a desktop', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive/${recorded.replayId}`);
    expect(await violationsInEveryLanguageAndSize(page, 'replay', () => page.locator('.chapter').first().waitFor())).toEqual({});
  });

  it('makes every request to its own origin', () => {
    expect(fixture.requested.length).toBeGreaterThan(10);
    expect(fixture.foreignRequests()).toEqual([]);
  });
});
