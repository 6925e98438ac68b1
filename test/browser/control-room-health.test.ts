import { cleanup as cleanupDataChannels } from 'node-datachannel';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/bench/chromium.js';
import { NodeViewer } from '../../scripts/bench/nodeViewer.js';
import { defaultTestPattern } from '../../server/ingest/testPattern.js';
import type { AlertsResponse, HealthSnapshot } from '../../shared/health.js';
import { seriousAccessibilityViolations } from '../helpers/axe.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

/** How many Tab presses may lie between the sign-out button and an alert's button. */
const MAX_TABS = 60;
/** Real WebRTC viewers (node-datachannel), as the "N node viewers". */
const VIEWERS = 3;

describe('the control room shows the health of the broadcast and its alerts at /control', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1' });
    technician = await technicianClient(server);
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-GB' });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const demoHealth = () => page.locator('article[data-health-stage="demo"]');

  it('signs in and shows the demo stage on air with its feeds, lights and recording, accessible', async () => {
    await page.goto(`${server.url}/control`);
    await page.getByLabel('Username').fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await page.getByLabel('Password').fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 2, name: 'Broadcast health' }).waitFor();
    await demoHealth()
      .getByRole('heading', { name: /On air/ })
      .waitFor({ timeout: 30_000 });
    const feeds = demoHealth().getByRole('table', { name: /Feeds on air/ });
    await feeds.getByRole('rowheader', { name: 'Camera' }).waitFor({ timeout: 15_000 });
    await feeds.getByRole('rowheader', { name: 'Microphone' }).waitFor();
    // The demo source's test pattern, read from a keyframe of the camera; the microphone has none.
    const { width, height } = defaultTestPattern;
    await feeds
      .getByRole('row', { name: /Camera/ })
      .getByRole('cell', { name: `${width}×${height}` })
      .waitFor({ timeout: 15_000 });
    expect(
      await feeds
        .getByRole('row', { name: /Microphone/ })
        .locator('[data-health="resolution"]')
        .textContent(),
    ).toBe('–unknown');
    await demoHealth().locator('[data-health="recording"]').getByText('Recording:').waitFor({ timeout: 15_000 });
    expect(await demoHealth().locator('[data-health="viewers"]').innerText()).toBe('Viewers: 0 over WebRTC, 0 over HLS');
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it(`shows ${VIEWERS} node viewers of the demo as ${VIEWERS}, and none once they leave`, async () => {
    const viewers = Array.from({ length: VIEWERS }, () => new NodeViewer());
    try {
      await Promise.all(viewers.map((viewer) => viewer.connect(server.url, 'demo')));
      await demoHealth().locator('[data-health="viewers"]').getByText(`Viewers: ${VIEWERS} over WebRTC, 0 over HLS`).waitFor({ timeout: 15_000 });
    } finally {
      for (const viewer of viewers) viewer.close();
      cleanupDataChannels();
    }
    await demoHealth().locator('[data-health="viewers"]').getByText('Viewers: 0 over WebRTC, 0 over HLS').waitFor({ timeout: 15_000 });
  });

  it('announces the alert of a killed mediasoup worker, which a technician acknowledges with the keyboard', async () => {
    const snapshot = await technician.call<HealthSnapshot>('GET', '/api/health');
    process.kill(snapshot.workers[0]!.pid, 'SIGKILL');
    const item = page.locator('li[data-alert="worker_restarted"]');
    await item.waitFor({ timeout: 15_000 });
    expect(await item.innerText()).toContain('Media worker 0 died and was replaced');
    const announcement = page.locator('[aria-live="assertive"]');
    await waitFor(
      async () => (await announcement.innerText()).startsWith('New alert: '),
      5_000,
      () => 'no new alert was announced',
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).focus();
    let tabs = 0;
    const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    while (!(await focusedLabel()).includes('Media worker 0') && tabs < MAX_TABS) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await focusedLabel()).toMatch(/^Acknowledge the alert: Media worker 0/);
    await page.keyboard.press('Enter');
    await item.waitFor({ state: 'detached', timeout: 5_000 });
    await page
      .getByRole('status')
      .getByText(/^Acknowledged: Media worker 0/)
      .waitFor();
    const open = await technician.call<AlertsResponse>('GET', '/api/alerts');
    expect(open.alerts.map((alert) => alert.kind)).not.toContain('worker_restarted');
    expect(pageErrors).toEqual([]);
  });
});
