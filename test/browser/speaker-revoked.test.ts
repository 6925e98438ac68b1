import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StagesResponse } from '../../shared/protocol.js';
import { launchChromium } from '../../scripts/bench/chromium.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

describe('a speaker whose invite is revoked mid-talk', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  it('is taken off air at once, and their page says why', async () => {
    const technician = await technicianClient(server);
    await technician.createStage(DEMO_EVENT_ID, 'podium', 'Talarstolen');
    const invite = await technician.createOnAirInvite('podium');
    const page = await browser.newPage();
    await page.goto(`${server.url}${invite.speakUrl}`);
    await page.click('#go-live');
    await waitFor(
      async () => (await page.evaluate(() => document.body.dataset.state)) === 'live',
      20_000,
      () => 'the speaker did not go live',
    );
    const podiumLive = async () => {
      const { stages } = (await (await fetch(`${server.url}/api/stages`)).json()) as StagesResponse;
      return stages.find((stage) => stage.id === 'podium')?.live === true;
    };
    expect(await podiumLive()).toBe(true);

    await technician.call('DELETE', `/api/invites/${invite.id}`);
    await waitFor(
      async () => !(await podiumLive()),
      5_000,
      () => 'the stage stayed live after the invite was revoked',
    );
    await waitFor(
      async () => (await page.textContent('#speaker-problem'))?.includes('revoked') ?? false,
      5_000,
      () => 'the page did not say why the speaker went off air',
    );
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
  });
});
