import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { playerStats } from '../helpers/player.js';
import { saveScreenshot } from '../helpers/screenshots.js';
import { waitFor } from '../helpers/server.js';

/** Frames the recording's video element has shown, and whether it is the one on view. */
function recordingFrames(page: Page) {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('#player-recording')!;
    return { frames: video.getVideoPlaybackQuality().totalVideoFrames, visible: !video.hidden, paused: video.paused };
  });
}

/**
 * Media blocked as a firewall blocks it: the server's WebRTC ports listen on 127.0.0.1, but the
 * ICE candidates it hands out name 127.0.0.254, where nothing listens, so the browser's UDP and
 * TCP media packets go nowhere while the page itself and its signalling load as usual.
 */
describe('a viewer whose network blocks WebRTC media watches the live recording over HLS instead', () => {
  const fixture = useBrowserFixture({ env: { DEMO: '1', RTC_LISTEN_IP: '127.0.0.1', RTC_ANNOUNCED_IP: '127.0.0.254' }, context: { locale: 'en-GB' } });

  it('falls back to the live HLS by itself, plays it and says so, with WebRTC still not connected', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/watch/demo`);
    let last = await recordingFrames(page);
    await waitFor(
      async () => {
        last = await recordingFrames(page);
        return last.visible && last.frames > 10 && !last.paused;
      },
      60_000,
      () => `the live recording did not play: ${JSON.stringify(last)}`,
    );
    expect(await page.evaluate(() => (window as unknown as { estradPlayer: { mode(): string } }).estradPlayer.mode())).toBe('fallback');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('playing');
    expect(await page.locator('#connection-state').innerText()).toBe('Playing over a backup route, a few seconds behind.');
    await page.getByText('Your network does not let the live stream through').waitFor();
    // hls.js came in on demand, from this server, for the recording's playlist and segments.
    expect(fixture.requested.some((url) => url.endsWith('/index.m3u8'))).toBe(true);
    expect(fixture.foreignRequests()).toEqual([]);
    // The picture is the recording's: no WebRTC frame got through.
    expect((await playerStats(page)).video?.framesDecoded ?? 0).toBe(0);
    expect(await page.evaluate(() => document.querySelector<HTMLVideoElement>('#player-video')!.hidden)).toBe(true);
    const framesBefore = (await recordingFrames(page)).frames;
    await waitFor(
      async () => (await recordingFrames(page)).frames > framesBefore + 10,
      15_000,
      () => 'the fallback picture stopped',
    );
    await saveScreenshot(page, 'watch-fallback-en');
  }, 90_000);
});
