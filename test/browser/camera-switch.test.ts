import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlayerVideoStats } from '../../shared/playerStats.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { liveRecording, probeSegmentVideo, segmentUrls } from '../helpers/liveRecording.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { demoEventDataDir, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

const SECOND_CAMERA_ID = 'second-fake-camera';
/** How long the viewer is watched after the switch. */
const WATCHED_MS = 10_000;
/** Longer than a simulcast layer change takes (the SFU notices a layer gone after 1.5 s). */
const STALL_MS = 3000;

/**
 * Chromium's fake devices have one camera; this gives the speak page a second one, a still
 * picture of another size (a canvas, which sends a frame only when drawn on, as some virtual
 * cameras do), that getUserMedia returns when that device is asked for.
 */
async function addSecondCamera(page: Page): Promise<void> {
  await page.addInitScript((deviceId: string) => {
    const devices = navigator.mediaDevices;
    const enumerate = devices.enumerateDevices.bind(devices);
    const capture = devices.getUserMedia.bind(devices);
    devices.enumerateDevices = async () => [
      ...(await enumerate()),
      { deviceId, groupId: deviceId, kind: 'videoinput', label: 'Second camera', toJSON: () => ({}) },
    ];
    devices.getUserMedia = async (constraints) => {
      const video = constraints?.video;
      const wanted = typeof video === 'object' ? video.deviceId : undefined;
      if (typeof wanted !== 'object' || Array.isArray(wanted) || wanted.exact !== deviceId) return capture(constraints);
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 360;
      const stream = canvas.captureStream(30);
      // Drawn once: a still picture, which the canvas delivers as one frame.
      const context = canvas.getContext('2d')!;
      context.fillStyle = '#2a6';
      context.fillRect(0, 0, canvas.width, canvas.height);
      return stream;
    };
  }, SECOND_CAMERA_ID);
}

describe('viewers and the recording follow a speaker who switches camera', () => {
  const fixture = useBrowserFixture({ env: () => ({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() }) });
  let speaker: Page;
  let viewer: Page;
  let segmentsBeforeSwitch: number;

  beforeAll(async () => {
    const { server } = fixture;
    const technician = await technicianClient(server);
    await technician.createStage(DEMO_EVENT_ID, 'workshop', 'Workshop');
    const { speakUrl } = await technician.createOnAirInvite('workshop');
    speaker = fixture.page;
    await addSecondCamera(speaker);
    await speaker.goto(`${server.url}${speakUrl}`);
    await speaker.click('#go-live');
    await waitFor(
      async () => (await speaker.evaluate(() => document.body.dataset.state)) === 'live',
      20_000,
      () => 'speaker not live',
    );
    viewer = await (await fixture.newContext()).newPage();
    await viewer.goto(`${server.url}/watch/workshop`);
    await waitUntilPlaying(viewer, 20_000);
    await waitFor(
      async () => (await liveRecording(server, 'workshop')) !== undefined,
      10_000,
      () => 'not recording',
    );
  });

  it('keeps decoding frames at the viewer after the switch', async () => {
    const { server } = fixture;
    const recording = (await liveRecording(server, 'workshop'))!;
    await waitFor(
      async () => (await segmentUrls(server, recording)).length >= 2,
      15_000,
      () => 'no segments before the switch',
    );
    segmentsBeforeSwitch = (await segmentUrls(server, recording)).length;
    await waitFor(
      async () => (await speaker.locator(`#camera-select option[value="${SECOND_CAMERA_ID}"]`).count()) === 1,
      10_000,
      () => 'the second camera is not offered',
    );
    await speaker.selectOption('#camera-select', SECOND_CAMERA_ID);

    // Frames keep coming for WATCHED_MS, with no stall of STALL_MS or more.
    const atSwitch = (await playerStats(viewer)).video!;
    const switchedAt = Date.now();
    let latest: PlayerVideoStats = atSwitch;
    let grewAt = switchedAt;
    let longestStallMs = 0;
    await waitFor(
      async () => {
        const now = (await playerStats(viewer)).video!;
        if (now.framesDecoded > latest.framesDecoded) grewAt = Date.now();
        longestStallMs = Math.max(longestStallMs, Date.now() - grewAt);
        latest = now;
        return longestStallMs >= STALL_MS || Date.now() - switchedAt >= WATCHED_MS;
      },
      WATCHED_MS + 5_000,
      () => 'stats stopped answering',
    );
    const decoded = latest.framesDecoded - atSwitch.framesDecoded;
    expect(longestStallMs, `the viewer froze for ${longestStallMs} ms (${decoded} frames decoded after the switch)`).toBeLessThan(STALL_MS);
    // The second camera's picture (640 × 360 at most), not the first one's last frames.
    expect(latest.frameWidth).toBeGreaterThan(0);
    expect(latest.frameWidth).toBeLessThanOrEqual(640);
    expect(latest.frameHeight).toBeGreaterThan(0);
  });

  it('records new segments of the new camera after the switch', async () => {
    const { server } = fixture;
    const recording = (await liveRecording(server, 'workshop'))!;
    await waitFor(
      async () => (await segmentUrls(server, recording)).length >= segmentsBeforeSwitch + 3,
      20_000,
      () => `no new segments after the switch (${segmentsBeforeSwitch} before)`,
    );
    const latest = (await segmentUrls(server, recording)).at(-1)!;
    const recorded = await probeSegmentVideo(latest);
    // The second camera (640 wide at most), not the first one's 1280.
    expect(recorded.width).toBeGreaterThan(0);
    expect(recorded.width).toBeLessThanOrEqual(640);
  });
});
