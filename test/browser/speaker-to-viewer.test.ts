import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { stageOnAir } from '../helpers/liveRecording.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { demoEventDataDir, holdsFor, waitFor } from '../helpers/server.js';
import { sv } from '../helpers/catalogue.js';
import { insertExpiredInvite } from '../helpers/database.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

/** The (Swedish) page's own words for each of the server's refusals of an invite (a code for each fault). */
const refusal = (key: 'inviteMissing' | 'inviteExpired' | 'inviteWithdrawn' | 'inviteInvalid' | 'inviteWrongStage') => sv[`speak.problem.${key}`] as string;

describe('a speaker on the speak page is seen and heard by a viewer with a browser context of their own', () => {
  const fixture = useBrowserFixture({ env: () => ({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() }) });
  let viewerContext: BrowserContext;
  let speaker: Page;
  let viewer: Page;
  let speakUrl: string;

  beforeAll(async () => {
    const technician = await technicianClient(fixture.server);
    await technician.createStage(DEMO_EVENT_ID, 'panel', 'Panelsamtal');
    speakUrl = (await technician.createOnAirInvite('panel')).speakUrl;
    viewerContext = await fixture.newContext();
  });

  const speakerState = () => speaker.evaluate(() => document.body.dataset.state);

  /** Opens the speak page counting getUserMedia calls, presses Go live and waits for the refusal. */
  async function refusedWithoutCapture(path: string, refusal: string): Promise<void> {
    const page = await fixture.context.newPage();
    await page.addInitScript(() => {
      const counted = window as unknown as { captureCalls: number };
      counted.captureCalls = 0;
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) => {
        counted.captureCalls++;
        return original(constraints);
      };
    });
    await page.goto(`${fixture.server.url}${path}`);
    await page.click('#go-live');
    await waitFor(
      async () => (await page.textContent('#speaker-problem'))?.includes(refusal) ?? false,
      10_000,
      () => `no refusal mentioning "${refusal}" shown for ${path}`,
    );
    expect(await page.evaluate(() => (window as unknown as { captureCalls: number }).captureCalls)).toBe(0);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
    await page.close();
  }

  it('refuses the speaker page without an invite before asking for the camera', async () => {
    await refusedWithoutCapture('/speak/panel', refusal('inviteMissing'));
  });

  it('says what is wrong with a revoked, an expired, a made-up, a damaged and another stage’s invite, before asking for the camera', async () => {
    const { server } = fixture;
    const technician = await technicianClient(server);
    const revoked = await technician.createInvite('panel');
    await technician.call('DELETE', `/api/invites/${revoked.id}`);
    await refusedWithoutCapture(revoked.speakUrl, refusal('inviteWithdrawn'));
    await refusedWithoutCapture(insertExpiredInvite(server.dataDir, 'panel'), refusal('inviteExpired'));
    await refusedWithoutCapture(`/speak/panel?invite=${'x'.repeat(43)}`, refusal('inviteInvalid'));
    await refusedWithoutCapture('/speak/panel?invite=cut%20short', refusal('inviteInvalid'));
    const forDemo = await technician.createInvite('demo');
    await refusedWithoutCapture(forDemo.speakUrl.replace('/speak/demo', '/speak/panel'), refusal('inviteWrongStage'));
  });

  it('goes live from the speaker page with camera and microphone', async () => {
    speaker = fixture.page;
    await speaker.goto(`${fixture.server.url}${speakUrl}`);
    await speaker.click('#go-live');
    await waitFor(
      async () => (await speakerState()) === 'live',
      20_000,
      () => 'speaker did not go live',
    );
    const producers = await speaker.evaluate(() => (window as unknown as { estradSpeaker: { producers(): { source: string }[] } }).estradSpeaker.producers());
    expect(producers.map((producer) => producer.source).sort()).toEqual(['camera', 'microphone']);
  });

  it('plays the speaker for a viewer in another browser', async () => {
    const { server } = fixture;
    viewer = await viewerContext.newPage();
    await viewer.goto(`${server.url}/watch/panel`);
    const stats = await waitUntilPlaying(viewer, 20_000);
    expect(stats.video!.frameWidth).toBeGreaterThan(0);
    expect(stats.audio!.packetsReceived).toBeGreaterThan(0);
  });

  it('lets the viewer pick the lowest simulcast layer in the quality choice, and automatic again', async () => {
    let height = 0;
    const frameHeight = async () => (height = (await playerStats(viewer)).video?.frameHeight ?? 0);
    // The fake camera sends 720p in three layers; auto picks a sharp one for this player's size.
    await waitFor(
      async () => (await frameHeight()) > 200,
      20_000,
      () => `auto never got above the lowest layer: ${height} px`,
    );
    expect(await viewer.locator('#player-quality option').count()).toBe(4);
    await viewer.selectOption('#player-quality', '0');
    await waitFor(
      async () => (await frameHeight()) <= 200,
      20_000,
      () => `still ${height} px high after choosing the lowest layer`,
    );
    await viewer.selectOption('#player-quality', 'auto');
    await waitFor(
      async () => (await frameHeight()) > 200,
      20_000,
      () => `still ${height} px high after choosing automatic`,
    );
  });

  it('stops the viewer\u2019s audio while the speaker is muted', async () => {
    await speaker.click('#toggle-mic');
    // The mute has reached the viewer once a poll sees no new audio packet (opus sends 50 a
    // second) while video frames still arrive.
    let last = await playerStats(viewer);
    await waitFor(
      async () => {
        const now = await playerStats(viewer);
        const muted = now.audio!.packetsReceived === last.audio!.packetsReceived && now.video!.framesDecoded > last.video!.framesDecoded;
        last = now;
        return muted;
      },
      10_000,
      () => `the viewer still receives audio after the speaker muted (or no video any more): ${JSON.stringify(last)}`,
    );
    const mutedAt = last.audio!.packetsReceived;
    await holdsFor(
      async () => (await playerStats(viewer)).audio!.packetsReceived - mutedAt < 5,
      1500,
      () => 'audio came back to the viewer while the speaker was still muted',
    );
    await speaker.click('#toggle-mic');
    await waitUntilPlaying(viewer, 10_000);
  });

  it('takes the speaker off air when they stop', async () => {
    const { server } = fixture;
    await speaker.click('#stop');
    await waitFor(
      async () => !(await stageOnAir(server, 'panel')),
      10_000,
      () => 'stage still live after the speaker stopped',
    );
  });
});
