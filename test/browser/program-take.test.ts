import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/bench/chromium.js';
import type { Program, RecordingInfo } from '../../shared/protocol.js';
import { seriousAccessibilityViolations } from '../helpers/axe.js';
import { offerCanvasSlide, SLIDE_LAYER_WIDTHS } from '../helpers/canvasSlide.js';
import { liveRecording, probeSegmentVideo, segmentUrls } from '../helpers/liveRecording.js';
import { waitUntilPlaying } from '../helpers/player.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

/** The fake camera's widths in its simulcast layers, unlike the slide's: recorded segments tell them apart. */
const CAMERA_LAYER_WIDTHS = [1280, 640, 320];

/** The switching test: the technician takes a new main video; the viewer and the recording follow. */
describe('the technician prepares a program in the preview and switches to it with Take', () => {
  let server: RunningServer;
  let browser: Browser;
  let speaker: Page;
  let viewer: Page;
  let control: Page;
  let recording: RecordingInfo;

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0' });
    const technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('programdagen', 'public', ['aula', 'lilla']));
    const { speakUrl } = await technician.createOnAirInvite('aula');
    browser = await launchChromium();
    // Contexts of their own: the viewer and the speaker carry no technician session.
    const newPage = async () => (await browser.newContext({ locale: 'sv-SE' })).newPage();
    speaker = await newPage();
    viewer = await newPage();
    control = await newPage();
    await offerCanvasSlide(speaker);
    await speaker.goto(`${server.url}${speakUrl}`);
    await speaker.click('#go-live');
    await waitFor(
      async () => (await speaker.evaluate(() => document.body.dataset.placement)) === 'on-air',
      20_000,
      () => 'the speaker did not go on air',
    );
    await speaker.evaluate(() => ((window as unknown as { shareCanvasSlide: boolean }).shareCanvasSlide = true));
    await speaker.click('#share-screen');
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const shownProgram = () => viewer.evaluate(() => (window as unknown as { estradPlayer: { shownProgram(): Program } }).estradPlayer.shownProgram());
  const shownSource = () => viewer.evaluate(() => (window as unknown as { estradPlayer: { shownSource(): string | null } }).estradPlayer.shownSource());
  const programPanel = () => control.locator('li[data-stage="aula"] section[data-program="aula"]');

  it('shows the viewer Estrad’s own choice first: the screen share, recorded', async () => {
    await viewer.goto(`${server.url}/watch/aula`);
    await waitUntilPlaying(viewer, 20_000);
    await waitFor(
      async () => (await shownSource()) === 'screen',
      15_000,
      () => 'the viewer does not show the share',
    );
    await waitFor(
      async () => (recording = (await liveRecording(server, 'aula'))!) !== undefined,
      15_000,
      () => 'the stage is not recorded',
    );
    await waitFor(
      async () => SLIDE_LAYER_WIDTHS.includes((await newestSegmentVideo()).width),
      20_000,
      () => 'the recording does not show the share',
    );
  });

  it('takes the camera as main and the share as inset: the viewer follows within 1 s, the recording after a discontinuity', async () => {
    await control.goto(`${server.url}/control`);
    await control.getByLabel('Användarnamn').fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await control.getByLabel('Lösenord').fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await control.getByRole('button', { name: 'Logga in' }).click();
    const panel = programPanel();
    const main = panel.getByRole('group', { name: 'Huvudbild' });
    const inset = panel.getByRole('group', { name: 'Infälld bild' });
    await main.getByLabel('test speaker – kamera').waitFor({ timeout: 20_000 });
    // Keyboard only: Tab to the choices, Space to pick, Enter on Take.
    await main.getByLabel('test speaker – kamera').focus();
    await control.keyboard.press('Space');
    await inset.getByLabel('test speaker – skärmdelning').focus();
    await control.keyboard.press('Space');
    const preview = panel.locator('figure[data-screen="aula-preview"]');
    const cameraId = await preview.getAttribute('data-main');
    const shareId = await preview.getAttribute('data-inset');
    expect(cameraId).toBeTruthy();
    expect(shareId).toBeTruthy();
    expect(await seriousAccessibilityViolations(control)).toEqual([]);
    const discontinuitiesBefore = await discontinuities();

    await panel.getByRole('button', { name: 'Take' }).focus();
    const tookAt = Date.now();
    await control.keyboard.press('Enter');
    let shown: Program = { main: null, inset: null };
    await waitFor(
      async () => {
        shown = await shownProgram();
        return shown.main === cameraId && shown.inset === shareId;
      },
      10_000,
      () => `the viewer shows ${JSON.stringify(shown)}, not the camera with the share inset`,
    );
    const switchedAfterMs = Date.now() - tookAt;
    console.log(`Take → the viewer shows the new main and inset after ${switchedAfterMs} ms (polled every 200 ms)`);
    expect(switchedAfterMs).toBeLessThan(1_000 + 200);
    await waitFor(
      () => viewer.locator('#player-inset').evaluate((video: HTMLVideoElement) => !video.hidden && video.videoWidth > 0),
      10_000,
      () => 'the viewer shows no inset picture',
    );
    await panel.locator(`figure[data-screen="aula-program"][data-main="${cameraId}"]`).waitFor();

    await waitFor(
      async () => CAMERA_LAYER_WIDTHS.includes((await newestSegmentVideo()).width),
      20_000,
      () => 'the recording does not show the camera after the Take',
    );
    expect(await discontinuities()).toBeGreaterThan(discontinuitiesBefore);
  });

  async function discontinuities(): Promise<number> {
    const playlist = await (await fetch(`${server.url}${recording.playlistUrl}`)).text();
    return playlist.split('\n').filter((line) => line === '#EXT-X-DISCONTINUITY').length;
  }

  async function newestSegmentVideo(): Promise<{ width: number; height: number }> {
    const newest = (await segmentUrls(server, recording)).at(-1);
    return newest ? probeSegmentVideo(newest) : { width: 0, height: 0 };
  }
});
