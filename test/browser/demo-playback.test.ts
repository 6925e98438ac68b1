import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { defaultTestPattern } from '../../server/ingest/testPattern.js';
import { waitFor } from '../helpers/server.js';

const WINDOW_SECONDS = 2;

/** What the player decoded, dropped and spent frozen over the next `seconds`. */
async function framesOver(page: Page, seconds: number) {
  const before = (await playerStats(page)).video!;
  const startedAt = Date.now();
  let after = before;
  await waitFor(
    async () => {
      after = (await playerStats(page)).video!;
      return Date.now() - startedAt >= seconds * 1000;
    },
    seconds * 1000 + 5_000,
    () => `the player's stats did not come for ${seconds} s`,
  );
  return {
    framesDecoded: after.framesDecoded - before.framesDecoded,
    framesDropped: after.framesDropped - before.framesDropped,
    freezeSeconds: after.totalFreezesDuration - before.totalFreezesDuration,
  };
}

describe('the demo stage plays in /watch/demo', () => {
  const fixture = useBrowserFixture({ env: { DEMO: '1' } });

  it('decodes video frames and receives audio over WebRTC', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/watch/demo`);
    await waitUntilPlaying(page, 20_000);
    const stats = await playerStats(page);
    expect(stats.video!.framesDecoded).toBeGreaterThan(0);
    expect(stats.video!.frameWidth).toBeGreaterThan(0);
    expect(stats.audio!.packetsReceived).toBeGreaterThan(0);
    expect(stats.video!.bytesReceived).toBeGreaterThan(stats.video!.packetsReceived);
    expect(stats.audio!.bytesReceived).toBeGreaterThan(stats.audio!.packetsReceived);
    // The picture moves at the demo's frame rate, without long freezes (what the viewer
    // benchmark reports as its quality): over two seconds, at least half the frames it sends,
    // frozen at most half of that time. Generous bounds: the CPU is shared with the server.
    const window = await framesOver(page, WINDOW_SECONDS);
    expect(window.framesDecoded, JSON.stringify(window)).toBeGreaterThanOrEqual(defaultTestPattern.fps * WINDOW_SECONDS * 0.5);
    expect(window.freezeSeconds, JSON.stringify(window)).toBeLessThan(WINDOW_SECONDS * 0.5);
    expect(window.framesDropped, JSON.stringify(window)).toBeLessThan(window.framesDecoded * 0.2);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('playing');
  });

  it('lists the demo stage as live with its viewer', async () => {
    const { server } = fixture;
    const response = await fetch(`${server.url}/api/stages`);
    const { stages } = (await response.json()) as { stages: { id: string; live: boolean; viewers: number }[] };
    expect(stages.find((stage) => stage.id === 'demo')).toMatchObject({ live: true, viewers: 1 });
  });
});
