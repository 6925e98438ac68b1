/**
 * The speak page's capture errors, in a Chromium that really cannot capture: one launched without
 * its fake camera and microphone (this machine has none), and one that may not use them.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { en, sv } from '../helpers/catalogue.js';
import { LAPTOP, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { type BrowserFixture, type BrowserFixtureOptions, useBrowserFixture } from '../helpers/browserFixture.js';
import { insertExpiredInvite } from '../helpers/database.js';
import { stageOnAir } from '../helpers/liveRecording.js';
import { textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { demoEventDataDir, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

/** The demo event with a stage of its own and a valid invite to it. */
function speakPageFixture(capture: BrowserFixtureOptions['capture']): { fixture: BrowserFixture; speakUrl: () => string } {
  const fixture = useBrowserFixture({ env: () => ({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() }), context: { viewport: LAPTOP }, capture });
  let speakUrl: string | undefined;
  beforeAll(async () => {
    const technician = await technicianClient(fixture.server);
    await technician.createStage(DEMO_EVENT_ID, 'panel', 'Panelsamtal');
    speakUrl = (await technician.createInvite('panel')).speakUrl;
  });
  const invited = () => {
    if (speakUrl === undefined) throw new Error('the invite is used before its beforeAll ran (or after it failed)');
    return speakUrl;
  };
  return { fixture, speakUrl: invited };
}

/** How a getUserMedia call in the page ends: "captured", or the DOMException's name. */
const captureOutcome = (page: Page) =>
  page.evaluate(() =>
    navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(
      (stream) => {
        for (const track of stream.getTracks()) track.stop();
        return 'captured';
      },
      (error: DOMException) => error.name,
    ),
  );

/** The speak page's problems these tests bring about; their texts are plain, without parameters. */
type Problem = 'captureNoDevice' | 'captureBlocked' | 'inviteExpired';

/** The alert (an assertive live region) says the problem in Swedish, then, after the switch, in English, with nothing of the other language left. */
async function problemInBothLanguages(page: Page, problem: Problem): Promise<void> {
  const alert = page.getByRole('alert');
  for (const [language, catalogue, code] of [
    ['Svenska', sv, 'sv'],
    ['English', en, 'en'],
  ] as const) {
    const text = catalogue[`speak.problem.${problem}`] as string;
    await page.getByRole('button', { name: language }).click();
    let said = '';
    await waitFor(
      async () => (said = (await alert.count()) > 0 ? await alert.innerText() : '') === text,
      10_000,
      () => `the alert in ${code} said "${said}", not "${text}"`,
    );
    expect(await textsOfOtherLanguage(page, code)).toEqual([]);
  }
  await page.getByRole('button', { name: 'Svenska' }).click();
}

describe('the speak page in a browser without a camera or microphone', () => {
  const { fixture, speakUrl } = speakPageFixture({ fakeDevices: false });

  it('says that no camera or microphone was found and to connect one, in Swedish and English, and stays off air', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}${speakUrl()}`);
    await page.getByRole('heading', { level: 1, name: 'Tala på Panelsamtal' }).waitFor();
    await page.getByRole('button', { name: 'Gå i sändning' }).click();
    await problemInBothLanguages(page, 'captureNoDevice');
    expect(await captureOutcome(page)).toBe('NotFoundError');
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
    expect(await page.locator('#preview-box').getAttribute('data-camera')).toBe('none');
    // Trying again after connecting a device is one click away.
    expect(await page.getByRole('button', { name: 'Gå i sändning' }).isEnabled()).toBe(true);
    expect(await stageOnAir(server, 'panel')).toBe(false);
  });

  it('has no serious or critical accessibility violations while it says so, in Swedish or English, on a phone and a desktop', async () => {
    const { page } = fixture;
    expect(await violationsInEveryLanguageAndSize(page, 'speak-no-camera', () => page.getByRole('alert').waitFor())).toEqual({});
  });

  it('says an expired invite has expired, in Swedish and English, with no accessibility violations', async () => {
    const { server } = fixture;
    const page = await (await fixture.newContext({ viewport: LAPTOP })).newPage();
    await page.goto(`${server.url}${insertExpiredInvite(server.dataDir, 'panel')}`);
    await page.getByRole('button', { name: 'Gå i sändning' }).click();
    await problemInBothLanguages(page, 'inviteExpired');
    expect(await violationsInEveryLanguageAndSize(page, 'speak-invite-expired', () => page.getByRole('alert').waitFor())).toEqual({});
  });
});

describe('the speak page in a browser that refuses the camera and microphone', () => {
  const { fixture, speakUrl } = speakPageFixture({ allowCapture: false });

  it('says the browser refused them and how to allow them, in Swedish and English', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}${speakUrl()}`);
    await page.getByRole('button', { name: 'Testa kamera och mikrofon' }).click();
    await problemInBothLanguages(page, 'captureBlocked');
    expect(await captureOutcome(page)).toBe('NotAllowedError');
    expect(await page.evaluate(() => navigator.permissions.query({ name: 'camera' }).then((status) => status.state))).toBe('denied');
    expect(await page.locator('#preview-box').getAttribute('data-camera')).toBe('none');
  });

  it('has no serious or critical accessibility violations while it says so, in Swedish or English, on a phone and a desktop', async () => {
    const { page } = fixture;
    expect(await violationsInEveryLanguageAndSize(page, 'speak-capture-refused', () => page.getByRole('alert').waitFor())).toEqual({});
  });

  it('shows the preview and drops the error once the speaker allows them and tries again', async () => {
    const { context, page, server } = fixture;
    await context.grantPermissions(['camera', 'microphone'], { origin: server.url });
    // The accessibility check left the page in English.
    await page.getByRole('button', { name: 'Test camera and microphone' }).click();
    await waitFor(
      () => page.locator('#preview').evaluate((video: HTMLVideoElement) => video.videoWidth > 0),
      10_000,
      () => 'no camera preview after the camera was allowed',
    );
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
