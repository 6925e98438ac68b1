import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { offerCanvasSlide, SLIDE_LAYER_WIDTHS } from '../helpers/canvasSlide.js';
import { liveRecording, probeSegmentVideo, segmentUrls } from '../helpers/liveRecording.js';
import { waitUntilPlaying } from '../helpers/player.js';
import { demoEventDataDir, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

function shownSource(viewer: Page): Promise<string | null> {
  return viewer.evaluate(() => (window as unknown as { estradPlayer: { shownSource(): string | null } }).estradPlayer.shownSource());
}

/** Whether the inset shows a running picture over the main one. */
function insetPlaying(viewer: Page): Promise<boolean> {
  return viewer.locator('#player-inset').evaluate((video: HTMLVideoElement) => !video.hidden && video.videoWidth > 0 && !video.paused);
}

describe('a screen share is seen by viewers and recorded', () => {
  const fixture = useBrowserFixture({ env: () => ({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() }) });
  let speaker: Page;
  let viewer: Page;

  beforeAll(async () => {
    const { server } = fixture;
    const technician = await technicianClient(server);
    await technician.createStage(DEMO_EVENT_ID, 'keynote', 'Keynote');
    const { speakUrl } = await technician.createOnAirInvite('keynote');
    speaker = fixture.page;
    await offerCanvasSlide(speaker);
    await speaker.goto(`${server.url}${speakUrl}`);
    await speaker.click('#go-live');
    await waitFor(
      async () => (await speaker.evaluate(() => document.body.dataset.state)) === 'live',
      20_000,
      () => 'speaker not live',
    );
    viewer = await (await fixture.newContext()).newPage();
    await viewer.goto(`${server.url}/watch/keynote`);
    await waitUntilPlaying(viewer, 20_000);
  });

  /** The viewer shows the share and decodes frames of it; the recording's newest segment has its video. */
  async function expectShareSeenAndRecorded(): Promise<{ width: number; height: number }> {
    await waitFor(
      async () => (await shownSource(viewer)) === 'screen',
      15_000,
      () => 'the viewer does not show the screen share',
    );
    const stats = await waitUntilPlaying(viewer, 15_000);
    expect(stats.video!.frameWidth).toBeGreaterThan(0);
    expect(stats.video!.frameHeight).toBeGreaterThan(0);
    // Without a Take, the speaker's camera is the inset over their share.
    await waitFor(
      () => insetPlaying(viewer),
      15_000,
      () => 'the viewer shows no camera inset over the share',
    );

    const recording = (await liveRecording(fixture.server, 'keynote'))!;
    expect(recording).toBeDefined();
    const before = (await segmentUrls(fixture.server, recording)).length;
    // Two more: the newest is then complete and from the run that records the share.
    await waitFor(
      async () => (await segmentUrls(fixture.server, recording)).length >= before + 2,
      20_000,
      () => 'no new segments during the share',
    );
    const newest = (await segmentUrls(fixture.server, recording)).at(-1)!;
    const recorded = await probeSegmentVideo(newest);
    expect(recorded.width).toBeGreaterThan(0);
    return recorded;
  }

  async function stopSharing(): Promise<void> {
    await speaker.click('#share-screen');
    await waitFor(
      async () => (await shownSource(viewer)) === 'camera',
      15_000,
      () => 'the viewer still shows the share',
    );
    await waitFor(
      async () => !(await insetPlaying(viewer)),
      15_000,
      () => 'the camera is still shown as an inset over itself',
    );
  }

  it('shows and records a screen picked in the browser', async () => {
    await speaker.click('#share-screen');
    await expectShareSeenAndRecorded();
    await stopSharing();
  });

  it('shows and records a still slide drawn on a canvas', async () => {
    await speaker.evaluate(() => ((window as unknown as { shareCanvasSlide: boolean }).shareCanvasSlide = true));
    await speaker.click('#share-screen');
    const recorded = await expectShareSeenAndRecorded();
    expect(SLIDE_LAYER_WIDTHS).toContain(recorded.width);
    await stopSharing();
  });
});
