import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { type Relay, openMediaRoute } from '../helpers/mediaRoute.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { saveScreenshot } from '../helpers/screenshots.js';
import { freeRtcPorts, waitFor } from '../helpers/server.js';

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
  const ANNOUNCED_IP = '127.0.0.254';
  let rtcPort: number;
  let route: Relay | undefined;
  const fixture = useBrowserFixture({
    env: async () => {
      rtcPort = await freeRtcPorts(1);
      return { DEMO: '1', RTC_LISTEN_IP: '127.0.0.1', RTC_ANNOUNCED_IP: ANNOUNCED_IP, RTC_PORT: String(rtcPort) };
    },
    context: { locale: 'en-GB' },
  });

  // Registered after the fixture's hooks, so it runs before the fixture closes the server.
  afterAll(async () => {
    await route?.close();
  });

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

  it('goes back to WebRTC by itself once the network lets media through again, and closes the recording', async () => {
    const { page } = fixture;
    route = await openMediaRoute(ANNOUNCED_IP, '127.0.0.1', rtcPort);
    // The player keeps trying WebRTC while it shows the recording (every few seconds, each try
    // given up after the connect timeout): the next try finds the way open.
    await waitFor(
      async () => (await page.evaluate(() => (window as unknown as { estradPlayer: { mode(): string } }).estradPlayer.mode())) === 'webrtc',
      60_000,
      () => 'the player stayed on the recording after WebRTC became reachable',
    );
    const stats = await waitUntilPlaying(page, 20_000);
    // Through the opened route, the only way to the server's media ports.
    expect(route.carried()).toBeGreaterThan(0);
    expect(stats.video!.frameWidth).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.querySelector<HTMLVideoElement>('#player-video')!.hidden)).toBe(false);
    expect(await recordingFrames(page)).toMatchObject({ visible: false });
    // The recording's player is closed, not just hidden: nothing more is loaded for it.
    expect(await page.evaluate(() => document.querySelector<HTMLVideoElement>('#player-recording')!.networkState === HTMLMediaElement.NETWORK_EMPTY)).toBe(
      true,
    );
    expect(await page.locator('#connection-state').innerText()).toBe('Playing live.');
    expect(await page.locator('.player-fallback').count()).toBe(0);
  }, 90_000);
});
