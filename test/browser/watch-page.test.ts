import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { liveRecording, stageOnAir } from '../helpers/liveRecording.js';
import { firstFrameTimeline, playerStats, waitUntilPlaying } from '../helpers/player.js';
import { saveScreenshot } from '../helpers/screenshots.js';
import { waitFor } from '../helpers/server.js';

const EVENT_TITLE = 'Folkhälsodagen 2026 – Psykisk hälsa i hela livet';
/** The rewind jumps 30 s back: the recording must hold more than that first. */
const RECORDED_BEFORE_REWIND_SECONDS = 40;

const mode = (page: Page) => page.evaluate(() => (window as unknown as { estradPlayer: { mode(): string } }).estradPlayer.mode());
const bodyState = (page: Page) => page.evaluate(() => document.body.dataset.state);

/** Frames the recording's video element has shown so far, and where it plays against its live edge. */
function recordingPlayback(page: Page) {
  return page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('#player-recording')!;
    const { seekable } = video;
    return {
      frames: video.getVideoPlaybackQuality().totalVideoFrames,
      currentTime: video.currentTime,
      edge: seekable.length ? seekable.end(seekable.length - 1) : 0,
      visible: !video.hidden,
      // hls.js attaches a MediaSource through src; closed, the element has nothing to load.
      hasSource: video.hasAttribute('src') || video.networkState !== HTMLMediaElement.NETWORK_EMPTY,
    };
  });
}

/** Presses Tab until the element matching `selector` has the focus (bounded, so a trap fails). */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 40; presses++) {
    if (await page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('the watch page plays a stage live with controls, in Swedish or English', () => {
  const fixture = useBrowserFixture({ env: { DEMO: '1' } });

  it('with a Swedish browser plays the demo over WebRTC under the stage and event titles, all in Swedish', async () => {
    const { page, server } = fixture;
    // On air before the page opens: the time to the first frame is the page's, not the demo's start.
    await waitFor(
      () => stageOnAir(server, 'demo'),
      30_000,
      () => `the demo never went on air:\n${server.logs()}`,
    );
    await page.goto(`${server.url}/watch/demo`);
    await waitUntilPlaying(page, 20_000);
    const { firstFrameMs, line } = await firstFrameTimeline(page);
    console.log(`watch page: navigation to first decoded frame ${firstFrameMs?.toFixed(0)} ms (${line})`);
    expect(firstFrameMs).toBeGreaterThan(0);

    expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
    await page.getByRole('heading', { level: 1, name: 'Stora scenen' }).waitFor();
    await page.getByRole('link', { name: EVENT_TITLE }).waitFor();
    expect(await mode(page)).toBe('webrtc');
    expect(await bodyState(page)).toBe('playing');
    expect(await page.locator('#connection-state').innerText()).toBe('Sänds live.');
    expect(await page.locator('#live-badge').textContent()).toBe('Live');
    await page.getByRole('heading', { name: 'Program' }).waitFor();
    for (const name of ['Pausa', 'Stäng av ljudet', 'Spola tillbaka 30 s', 'Helskärm']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(1);
    }
    expect(await page.getByRole('slider', { name: 'Volym' }).count()).toBe(1);
    expect(await page.getByRole('combobox', { name: 'Kvalitet' }).count()).toBe(1);
    expect(await textsOfOtherLanguage(page, 'sv'), 'English text on the Swedish page').toEqual([]);
  });

  it('is operated with the keyboard alone: pause and play, mute, volume and full screen', async () => {
    const { page } = fixture;
    await page.keyboard.press('Escape');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, '#player-play');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Spela', exact: true }).waitFor();
    expect(await page.evaluate(() => document.querySelector<HTMLVideoElement>('#player-video')!.paused)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Pausa' }).waitFor();
    await waitFor(
      () => page.evaluate(() => !document.querySelector<HTMLVideoElement>('#player-video')!.paused),
      5_000,
      () => 'the picture did not play again',
    );
    // The focused control shows it: the stylesheet's focus ring.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');

    await tabTo(page, '#player-mute');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Slå på ljudet', pressed: true }).waitFor();
    const audioMuted = () => page.evaluate(() => Array.from(document.querySelectorAll('audio')).map((audio) => audio.muted));
    expect(await audioMuted()).not.toContain(false);
    await page.keyboard.press('Enter');
    expect(await audioMuted()).not.toContain(true);

    await tabTo(page, '#player-volume');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await waitFor(
      async () =>
        (await page.evaluate(() => Array.from(document.querySelectorAll('audio')).map((audio) => audio.volume))).every(
          (volume) => Math.abs(volume - 0.8) < 0.01,
        ),
      5_000,
      () => 'the volume did not reach the sound',
    );

    await tabTo(page, '#player-fullscreen');
    await page.keyboard.press('Enter');
    await waitFor(
      () => page.evaluate(() => document.fullscreenElement?.classList.contains('live-player') ?? false),
      5_000,
      () => 'the player did not go full screen',
    );
    await page.getByRole('button', { name: 'Lämna helskärm' }).waitFor();
    await page.keyboard.press('Enter');
    await waitFor(
      () => page.evaluate(() => document.fullscreenElement === null),
      5_000,
      () => 'the player stayed full screen',
    );

    // The documented shortcuts, with the focus on the page: K pauses, M mutes.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('k');
    await page.getByRole('button', { name: 'Spela', exact: true }).waitFor();
    await page.keyboard.press('k');
    await page.getByRole('button', { name: 'Pausa' }).waitFor();
    await waitUntilPlaying(page, 10_000);
  });

  it('rewinds 30 s into the live recording, shows those earlier frames, and goes back to live over WebRTC', async () => {
    const { page, server } = fixture;
    await waitFor(
      async () => ((await liveRecording(server, 'demo'))?.durationSeconds ?? 0) >= RECORDED_BEFORE_REWIND_SECONDS,
      90_000,
      () => `the demo's recording did not reach ${RECORDED_BEFORE_REWIND_SECONDS} s`,
    );
    await page.getByRole('button', { name: 'Spola tillbaka 30 s' }).click();
    let playback = await recordingPlayback(page);
    await waitFor(
      async () => {
        playback = await recordingPlayback(page);
        return playback.visible && playback.frames > 10 && playback.edge > 0;
      },
      20_000,
      () => `the recording did not play: ${JSON.stringify(playback)}`,
    );
    expect(await mode(page)).toBe('rewind');
    expect(await page.locator('#connection-state').innerText()).toBe('Du ser en tidigare del av sändningen.');
    // About 30 s behind the newest recorded second, and playing on from there.
    const behind = playback.edge - playback.currentTime;
    expect(behind, JSON.stringify(playback)).toBeGreaterThan(20);
    expect(behind, JSON.stringify(playback)).toBeLessThan(40);
    const startedAt = playback.currentTime;
    await waitFor(
      async () => (await recordingPlayback(page)).currentTime > startedAt + 2,
      15_000,
      () => 'the rewound recording did not play on',
    );
    expect(await page.evaluate(() => document.querySelector<HTMLVideoElement>('#player-video')!.hidden)).toBe(true);
    await saveScreenshot(page, 'watch-rewound-sv');

    await page.getByRole('button', { name: 'Tillbaka till live' }).click();
    await waitUntilPlaying(page, 20_000);
    expect(await mode(page)).toBe('webrtc');
    playback = await recordingPlayback(page);
    expect(playback, 'the recording is closed').toMatchObject({ visible: false, hasSource: false });
    expect(await page.locator('#connection-state').innerText()).toBe('Sänds live.');
  }, 150_000);

  it('turns English with the language switch, and keeps English after a reload', async () => {
    const { page } = fixture;
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Back 30 s' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await waitUntilPlaying(page, 20_000);
    const { firstFrameMs, line } = await firstFrameTimeline(page);
    console.log(`watch page, reloaded: navigation to first decoded frame ${firstFrameMs?.toFixed(0)} ms (${line})`);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.locator('#connection-state').innerText()).toBe('Playing live.');
    expect(await textsOfOtherLanguage(page, 'en'), 'Swedish text on the English page').toEqual([]);
  });

  it('has no serious or critical accessibility violations in either language, on a phone and a desktop', async () => {
    const { page } = fixture;
    expect(await violationsInEveryLanguageAndSize(page, 'watch', () => page.locator('#player-play').waitFor())).toEqual({});
  });

  it('makes every request to its own origin', async () => {
    expect((await playerStats(fixture.page)).video!.framesDecoded).toBeGreaterThan(0);
    expect(fixture.requested.length).toBeGreaterThan(3);
    expect(fixture.foreignRequests()).toEqual([]);
  });
});
