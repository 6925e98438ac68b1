import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/bench/chromium.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { holdsFor, type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

describe('a speaker in one browser is seen and heard by a viewer in another', () => {
  let server: RunningServer;
  let speakerBrowser: Browser;
  let viewerBrowser: Browser;
  let speaker: Page;
  let viewer: Page;
  let speakUrl: string;

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1' });
    const technician = await technicianClient(server);
    await technician.createStage(DEMO_EVENT_ID, 'panel', 'Panelsamtal');
    speakUrl = (await technician.createInvite('panel')).speakUrl;
    [speakerBrowser, viewerBrowser] = await Promise.all([launchChromium(), launchChromium()]);
  });

  afterAll(async () => {
    await Promise.all([speakerBrowser?.close(), viewerBrowser?.close()]);
    expect(await server?.stop()).toBe(0);
  });

  const speakerState = () => speaker.evaluate(() => document.body.dataset.state);

  it('refuses the speaker page without an invite', async () => {
    const uninvited = await speakerBrowser.newPage();
    await uninvited.goto(`${server.url}/speak/panel`);
    await uninvited.click('#go-live');
    await waitFor(async () => (await uninvited.textContent('#speaker-problem'))?.includes('invite') ?? false, 10_000, () => 'no refusal shown');
    await uninvited.close();
  });

  it('goes live from the speaker page with camera and microphone', async () => {
    speaker = await speakerBrowser.newPage();
    await speaker.goto(`${server.url}${speakUrl}`);
    await speaker.click('#go-live');
    await waitFor(async () => (await speakerState()) === 'live', 20_000, () => 'speaker did not go live');
    const producers = await speaker.evaluate(() =>
      (window as unknown as { estradSpeaker: { producers(): { source: string }[] } }).estradSpeaker.producers(),
    );
    expect(producers.map((producer) => producer.source).sort()).toEqual(['camera', 'microphone']);
  });

  it('plays the speaker for a viewer in another browser', async () => {
    viewer = await viewerBrowser.newPage();
    await viewer.goto(`${server.url}/watch/panel`);
    const stats = await waitUntilPlaying(viewer, 20_000);
    expect(stats.video!.frameWidth).toBeGreaterThan(0);
    expect(stats.audio!.packetsReceived).toBeGreaterThan(0);
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
    await speaker.click('#stop');
    await waitFor(
      async () => {
        const { stages } = (await (await fetch(`${server.url}/api/stages`)).json()) as { stages: { id: string; live: boolean }[] };
        return stages.find((stage) => stage.id === 'panel')?.live === false;
      },
      10_000,
      () => 'stage still live after the speaker stopped',
    );
  });
});
