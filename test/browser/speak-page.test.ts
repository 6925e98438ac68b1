import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { en, sv } from '../helpers/catalogue.js';
import { LAPTOP, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { insertExpiredInvite } from '../helpers/database.js';
import { stageOnAir } from '../helpers/liveRecording.js';
import { textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { waitUntilPlaying } from '../helpers/player.js';
import { demoEventDataDir, holdsFor, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

/** What the level meter shows now (0–1). */
const level = (page: Page) => page.locator('#mic-level').evaluate((meter: HTMLMeterElement) => meter.value);

/** Chromium's fake microphone beeps once a second: the meter must rise above silence within a few beeps. */
async function waitForSound(page: Page, what: string): Promise<void> {
  let loudest = 0;
  await waitFor(
    async () => (loudest = Math.max(loudest, await level(page))) > 0.02,
    10_000,
    () => `${what}: the level meter stayed at ${loudest}`,
  );
}

describe('the speak page: preview, level meter, mute, on air, network quality, in Swedish and English', () => {
  const fixture = useBrowserFixture({ env: () => ({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() }), context: { viewport: LAPTOP } });
  let speakUrl: string;

  beforeAll(async () => {
    const technician = await technicianClient(fixture.server);
    await technician.createStage(DEMO_EVENT_ID, 'panel', 'Panelsamtal');
    speakUrl = (await technician.createOnAirInvite('panel')).speakUrl;
  });

  const stageLive = () => stageOnAir(fixture.server, 'panel');

  it('shows the camera preview and a moving microphone level before going on air, waiting and not on air', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}${speakUrl}`);
    await page.getByRole('heading', { level: 1, name: 'Tala på Panelsamtal' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
    await page.getByRole('button', { name: 'Testa kamera och mikrofon' }).click();
    await waitFor(
      () => page.locator('#preview').evaluate((video: HTMLVideoElement) => video.videoWidth > 0),
      10_000,
      () => 'no camera preview',
    );
    expect(await page.locator('#preview-box').getAttribute('data-camera')).toBe('on');
    await waitForSound(page, 'before going on air');
    expect(await page.locator('#speaker-state').innerText()).toContain(sv['speak.state.idle']);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
    expect(await page.getByLabel('Kamera', { exact: true }).locator('option').count()).toBeGreaterThan(0);
    expect(await stageLive()).toBe(false);
    expect(await textsOfOtherLanguage(page, 'sv')).toEqual([]);
  });

  it('silences the level meter while the microphone is muted, and brings it back', async () => {
    const { page } = fixture;
    await page.getByRole('button', { name: 'Stäng av mikrofonen' }).click();
    await page.getByText('Mikrofonnivå (avstängd)').waitFor();
    await waitFor(
      async () => (await level(page)) === 0,
      5_000,
      () => 'the meter did not fall silent',
    );
    await holdsFor(
      async () => (await level(page)) === 0,
      1_500,
      () => 'the meter moved while muted',
    );
    await page.getByRole('button', { name: 'Slå på mikrofonen' }).click();
    await waitForSound(page, 'after unmuting');
  });

  it('goes on air with the previewed devices; a viewer sees it; the network indicator reports the send transport', async () => {
    const { page, server } = fixture;
    await page.getByRole('button', { name: 'Gå i sändning' }).click();
    await waitFor(
      async () => (await page.evaluate(() => document.body.dataset.state)) === 'live',
      20_000,
      () => 'the speaker did not go on air',
    );
    expect(await page.locator('#speaker-state').innerText()).toContain(sv['speak.state.live']);
    await waitFor(stageLive, 10_000, () => 'the stage is not live');
    const viewer = await (await fixture.newContext()).newPage();
    await viewer.goto(`${server.url}/watch/panel`);
    const stats = await waitUntilPlaying(viewer, 20_000);
    expect(stats.video!.frameWidth).toBeGreaterThan(0);
    await viewer.close();
    const indicator = page.locator('#network-quality');
    // Loopback: no loss, a round trip of a few milliseconds, once the first reports are in (a
    // report from the first moments on air, while the layers start up, may still read "fair").
    let reading = '';
    await waitFor(
      async () => {
        reading = `${await indicator.getAttribute('data-level')}: "${await indicator.innerText()}"`;
        return (await indicator.getAttribute('data-level')) === 'good';
      },
      15_000,
      () => `the network quality from the send transport never read good (last ${reading})`,
    );
    expect(await indicator.innerText()).toMatch(/^Nätverk: bra \(\d+ ms, 0 % förlust\)$/);
  });

  it('has no serious or critical accessibility violations in Swedish or English, on a phone and a desktop, on air', async () => {
    const { page } = fixture;
    expect(await violationsInEveryLanguageAndSize(page, 'speak', () => page.locator('#mic-level').waitFor())).toEqual({});
  });

  it('keeps English after a reload', async () => {
    const { page } = fixture;
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Stop and leave' }).click();
    await waitFor(
      async () => !(await stageLive()),
      10_000,
      () => 'the speaker is still on air after leaving',
    );
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Speak on Panelsamtal' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.locator('#speaker-state').innerText()).toBe(en['speak.state.idle']);
    expect(await textsOfOtherLanguage(page, 'en')).toEqual([]);
  });

  it('tells a speaker whose invite was revoked or has expired which it is, in their language, before asking for the camera', async () => {
    const { server } = fixture;
    const technician = await technicianClient(server);
    const revoked = await technician.createInvite('panel');
    await technician.call('DELETE', `/api/invites/${revoked.id}`);
    const swedish = await fixture.newContext();
    const refused = await swedish.newPage();
    for (const [link, key] of [
      [revoked.speakUrl, 'speak.problem.inviteWithdrawn'],
      [insertExpiredInvite(server.dataDir, 'panel'), 'speak.problem.inviteExpired'],
    ] as const) {
      await refused.goto(`${server.url}${link}`);
      await refused.getByRole('button', { name: 'Gå i sändning' }).click();
      await refused.getByRole('alert').filter({ hasText: sv[key] }).waitFor();
      expect(await refused.locator('#preview-box').getAttribute('data-camera')).toBe('none');
    }
    await swedish.close();
  });

  it('makes every request to its own origin', () => {
    expect(fixture.requested.length).toBeGreaterThan(5);
    expect(fixture.foreignRequests()).toEqual([]);
  });
});
