import { describe, expect, it } from 'vitest';
import { LAPTOP, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { prepareRecordedReplays, type RecordedReplay } from '../helpers/recordedReplay.js';
import { waitFor } from '../helpers/server.js';

describe('the archive lists replays by talk, finds one by its speaker and opens it', () => {
  let youth: RecordedReplay;
  let elderly: RecordedReplay;
  const fixture = useBrowserFixture({
    env: () => {
      const folders = prepareRecordedReplays([
        { eventId: 'dag-ett', stageId: 'stora', visibility: 'public', talk: { title: 'Barns och ungas psykiska hälsa', speakers: ['Ahmed Karimi'] } },
        { eventId: 'dag-tva', stageId: 'lilla', visibility: 'public', talk: { title: 'Ensamhet bland äldre', speakers: ['Eva Sundberg'] } },
      ]);
      [youth, elderly] = folders.replays as [RecordedReplay, RecordedReplay];
      return { DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir };
    },
    context: { viewport: LAPTOP },
  });

  const entries = () => fixture.page.locator('li.archive-entry');

  it('lists every replay in Swedish, with speakers, stage and length', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive`);
    await page.getByRole('heading', { level: 2, name: '2 inspelningar' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
    const youthEntry = page.locator(`li[data-replay="${youth.replayId}"]`);
    expect(await youthEntry.innerText()).toContain('Medverkande: Ahmed Karimi');
    expect(await youthEntry.innerText()).toContain('Stora salen');
    expect(await youthEntry.innerText()).toContain('4 sekunder');
    expect(await textsOfOtherLanguage(page, 'sv'), 'English text on the Swedish page').toEqual([]);
  });

  it('shows each replay’s poster frame, a JPEG from the server that loads', async () => {
    const { page, server } = fixture;
    const poster = page.locator(`li[data-replay="${youth.replayId}"] img.archive-poster`);
    const src = await poster.getAttribute('src');
    expect(src).toBe(`/api/replays/${youth.replayId}/poster.jpg`);
    await waitFor(
      () => poster.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0),
      20_000,
      () => 'the poster frame did not load',
    );
    const answer = await page.request.get(`${server.url}${src}`);
    expect({ status: answer.status(), type: answer.headers()['content-type'] }).toEqual({ status: 200, type: 'image/jpeg' });
  });

  it('finds the talk by its speaker’s name, keeps the search in the address, and opens the replay, whose video loads', async () => {
    const { page, server } = fixture;
    await page.getByLabel('Sök i arkivet').fill('karimi');
    await page.getByRole('button', { name: 'Sök' }).click();
    await page.getByRole('heading', { level: 2, name: '1 inspelning' }).waitFor();
    expect(await entries().count()).toBe(1);
    expect(new URL(page.url()).search).toBe('?q=karimi');
    await page.reload();
    await page.getByRole('heading', { level: 2, name: '1 inspelning' }).waitFor();
    expect(await page.getByLabel('Sök i arkivet').inputValue()).toBe('karimi');

    await page.getByRole('link', { name: 'Barns och ungas psykiska hälsa' }).click();
    await page.waitForURL(`${server.url}/archive/${youth.replayId}`);
    await waitFor(
      async () =>
        page.evaluate(() => {
          const video = document.querySelector<HTMLVideoElement>('#replay-video');
          return video !== null && Number.isFinite(video.duration) && video.duration > 3;
        }),
      20_000,
      () => 'the replay opened from the archive did not load its video',
    );
  });

  it('filters by event and by stage', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive`);
    await page.getByRole('heading', { level: 2, name: '2 inspelningar' }).waitFor();
    await page.getByLabel('Evenemang').selectOption('dag-tva');
    await page.getByRole('button', { name: 'Sök' }).click();
    await page.getByRole('heading', { level: 2, name: '1 inspelning' }).waitFor();
    expect(await entries().first().getAttribute('data-replay')).toBe(elderly.replayId);
    expect(new URL(page.url()).search).toBe('?event=dag-tva');
    await page.goto(`${server.url}/archive?stage=stora`);
    await page.getByRole('heading', { level: 2, name: '1 inspelning' }).waitFor();
    expect(await entries().first().getAttribute('data-replay')).toBe(youth.replayId);
    expect(await page.getByLabel('Scen').inputValue()).toBe('stora');
  });

  it('turns English with the language switch, and keeps English after a reload', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive`);
    await page.getByRole('heading', { level: 2, name: '2 inspelningar' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 2, name: '2 recordings' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await page.getByRole('heading', { level: 2, name: '2 recordings' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByLabel('Search the archive').count()).toBe(1);
    expect(await page.locator(`li[data-replay="${youth.replayId}"]`).innerText()).toContain('4 seconds');
    expect(await textsOfOtherLanguage(page, 'en'), 'Swedish text on the English page').toEqual([]);
  });

  it('has no serious or critical accessibility violations in Swedish or English, on a phone and a desktop', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/archive`);
    expect(await violationsInEveryLanguageAndSize(page, 'archive', () => page.locator('li.archive-entry').first().waitFor())).toEqual({});
    expect(await page.getByRole('heading', { level: 2, name: '2 recordings' }).count()).toBe(1);
  });

  it('makes every request to its own origin', () => {
    expect(fixture.foreignRequests()).toEqual([]);
  });
});
