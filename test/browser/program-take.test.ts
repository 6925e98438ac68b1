import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sv } from '../helpers/catalogue.js';
import { translate } from '../../client/src/i18n/translate.js';
import type { Program, RecordingInfo } from '../../shared/protocol.js';
import { LAPTOP, seriousAccessibilityViolations } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { offerCanvasSlide, SLIDE_LAYER_WIDTHS } from '../helpers/canvasSlide.js';
import { liveRecording, probeSegmentVideo, segmentUrls } from '../helpers/liveRecording.js';
import { waitUntilPlaying } from '../helpers/player.js';
import { waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

/** The fake camera's widths in its simulcast layers, unlike the slide's: recorded segments tell them apart. */
const CAMERA_LAYER_WIDTHS = [1280, 640, 320];

/** The switching test: the technician takes a new main video; the viewer and the recording follow. */
describe('the technician prepares a program in the preview and switches to it with Take', () => {
  // The control room is the fixture's page; the viewer and the speaker have contexts of their own, without a technician session.
  const fixture = useBrowserFixture({ env: { ...TECHNICIAN_ENV, DEMO: '0' }, context: { viewport: LAPTOP } });
  let speaker: Page;
  let viewer: Page;
  let control: Page;
  let recording: RecordingInfo;
  /** How the program panel names a feed of the invite labelled "test speaker" (the test helper's label). */
  const feedOf = (source: 'camera' | 'screen') => translate('sv', 'program.feedOf', { name: 'test speaker', source: sv[`program.source.${source}`] });

  beforeAll(async () => {
    const { server } = fixture;
    const technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('programdagen', 'public', ['aula', 'lilla']));
    const { speakUrl } = await technician.createOnAirInvite('aula');
    speaker = await (await fixture.newContext()).newPage();
    viewer = await (await fixture.newContext()).newPage();
    control = fixture.page;
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

  const shownProgram = () => viewer.evaluate(() => (window as unknown as { estradPlayer: { shownProgram(): Program } }).estradPlayer.shownProgram());
  const shownSource = () => viewer.evaluate(() => (window as unknown as { estradPlayer: { shownSource(): string | null } }).estradPlayer.shownSource());
  const programPanel = () => control.locator('li[data-stage="aula"] section[data-program="aula"]');

  it('shows the viewer Estrad’s own choice first: the screen share, recorded', async () => {
    const { server } = fixture;
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
    await control.goto(`${fixture.server.url}/control`);
    await control.getByLabel(sv['control.username']).fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await control.getByLabel(sv['control.password']).fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await control.getByRole('button', { name: sv['control.signIn'] }).click();
    const panel = programPanel();
    const main = panel.getByRole('group', { name: sv['program.main'] });
    const inset = panel.getByRole('group', { name: sv['program.inset'] });
    await main.getByLabel(feedOf('camera')).waitFor({ timeout: 20_000 });
    // Keyboard only: Tab to the choices, Space to pick, Enter on Take.
    await main.getByLabel(feedOf('camera')).focus();
    await control.keyboard.press('Space');
    await inset.getByLabel(feedOf('screen')).focus();
    await control.keyboard.press('Space');
    const preview = panel.locator('figure[data-screen="aula-preview"]');
    const cameraId = await preview.getAttribute('data-main');
    const shareId = await preview.getAttribute('data-inset');
    expect(cameraId).toBeTruthy();
    expect(shareId).toBeTruthy();
    expect(await seriousAccessibilityViolations(control)).toEqual([]);
    const discontinuitiesBefore = await discontinuities();

    await panel.getByRole('button', { name: sv['program.take'] }).focus();
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
    const playlist = await (await fetch(`${fixture.server.url}${recording.playlistUrl}`)).text();
    return playlist.split('\n').filter((line) => line === '#EXT-X-DISCONTINUITY').length;
  }

  async function newestSegmentVideo(): Promise<{ width: number; height: number }> {
    const newest = (await segmentUrls(fixture.server, recording)).at(-1);
    return newest ? probeSegmentVideo(newest) : { width: 0, height: 0 };
  }
});
