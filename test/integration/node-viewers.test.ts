import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StagesResponse } from '../../shared/protocol.js';
import { NodeViewer, type NodeViewerStats } from '../../scripts/bench/nodeViewer.js';
import { lossPercent } from '../../scripts/bench/rtpStats.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';

const VIEWERS = 20;
const MEASURE_MS = 5_000;
/**
 * Floors well under what the demo sends (25 fps at 1 Mbit/s is about 110 video packets a second;
 * Opus sends 50 a second), but far above anything but a live stream: at least one video packet
 * per frame and one audio packet per 40 ms.
 */
const MIN_VIDEO_PACKETS_PER_SECOND = 25;
const MIN_AUDIO_PACKETS_PER_SECOND = 25;
const MAX_LOSS_PERCENT = 1;

/** Real WebRTC viewers (node-datachannel) on the demo stage, through the browser's signalling. */
describe('a crowd of Node WebRTC viewers', () => {
  let server: RunningServer;
  const viewers: NodeViewer[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServer({ DEMO: '1' });
    await waitFor(async () => (await demoStage(server.url))?.live === true, 20_000, () => `the demo never went on air:\n${server.logs()}`);
  });

  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    // libdatachannel keeps threads alive until told to let go; without this the worker hangs.
    cleanupDataChannels();
    expect(await server?.stop()).toBe(0);
  });

  it(`receives audio and video on ${VIEWERS} viewers without loss, and counts them`, async () => {
    for (let index = 0; index < VIEWERS; index++) viewers.push(new NodeViewer({ onProblem: (message) => problems.push(message) }));
    await Promise.all(viewers.map((viewer) => viewer.connect(server.url, 'demo')));

    await waitFor(
      () => viewers.every((viewer) => receives(viewer.stats())),
      20_000,
      () => `not every viewer received audio and video:\n${describeViewers(viewers)}\n${problems.join('\n')}`,
    );
    expect((await demoStage(server.url))?.viewers).toBe(VIEWERS);

    const before = viewers.map((viewer) => viewer.stats());
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const after = viewers.map((viewer) => viewer.stats());

    const seconds = MEASURE_MS / 1000;
    after.forEach((stats, index) => {
      const start = before[index]!;
      const label = `viewer ${index}: ${JSON.stringify(stats)}`;
      expect(stats.connected, label).toBe(true);
      expect(stats.video.packets - start.video.packets, label).toBeGreaterThan(MIN_VIDEO_PACKETS_PER_SECOND * seconds);
      expect(stats.audio.packets - start.audio.packets, label).toBeGreaterThan(MIN_AUDIO_PACKETS_PER_SECOND * seconds);
      // Real VP8 frames, not keep-alives: video packets average hundreds of bytes.
      expect(stats.video.bytes - start.video.bytes, label).toBeGreaterThan(300 * (stats.video.packets - start.video.packets));
      expect(lossPercent(stats.video), label).toBeLessThan(MAX_LOSS_PERCENT);
      expect(lossPercent(stats.audio), label).toBeLessThan(MAX_LOSS_PERCENT);
      expect(stats.joinMs, label).toBeGreaterThan(0);
    });
    expect((await demoStage(server.url))?.viewers).toBe(VIEWERS);
    expect(problems).toEqual([]);

    for (const viewer of viewers.splice(0)) viewer.close();
    await waitFor(async () => (await demoStage(server.url))?.viewers === 0, 10_000, () => 'closed viewers still counted');
  });
});

function receives(stats: NodeViewerStats): boolean {
  return stats.connected && stats.video.packets > 0 && stats.audio.packets > 0;
}

async function demoStage(url: string) {
  const response = await fetch(`${url}/api/stages`);
  const body = (await response.json()) as StagesResponse;
  return body.stages.find((stage) => stage.id === 'demo');
}

function describeViewers(viewers: NodeViewer[]): string {
  return viewers.map((viewer, index) => `  ${index}: ${JSON.stringify(viewer.stats())}`).join('\n');
}
