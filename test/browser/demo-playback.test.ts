import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/bench/chromium.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { type RunningServer, startServer } from '../helpers/server.js';

describe('the demo stage plays in /watch/demo', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ DEMO: '1' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  it('decodes video frames and receives audio over WebRTC', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/watch/demo`);
    await waitUntilPlaying(page, 20_000);
    const stats = await playerStats(page);
    expect(stats.video!.framesDecoded).toBeGreaterThan(0);
    expect(stats.video!.frameWidth).toBeGreaterThan(0);
    expect(stats.audio!.packetsReceived).toBeGreaterThan(0);
    expect(stats.video!.bytesReceived).toBeGreaterThan(stats.video!.packetsReceived);
    expect(stats.audio!.bytesReceived).toBeGreaterThan(stats.audio!.packetsReceived);
    // What the viewer benchmark reports as the picture's quality.
    expect(stats.video).toMatchObject({ freezeCount: expect.any(Number), totalFreezesDuration: expect.any(Number), framesDropped: expect.any(Number) });
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('playing');
  });

  it('lists the demo stage as live with its viewer', async () => {
    const response = await fetch(`${server.url}/api/stages`);
    const { stages } = (await response.json()) as { stages: { id: string; live: boolean; viewers: number }[] };
    expect(stages.find((stage) => stage.id === 'demo')).toMatchObject({ live: true, viewers: 1 });
  });
});
