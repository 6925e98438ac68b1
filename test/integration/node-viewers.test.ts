import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StagesResponse } from '../../shared/protocol.js';
import { NodeViewer, type NodeViewerStats } from '../../scripts/bench/nodeViewer.js';
import { lossPercent } from '../../scripts/bench/rtpStats.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';

const VIEWERS = 20;
/**
 * What every viewer must receive after all have joined: about two seconds of what the demo sends
 * (25 fps at 1 Mbit/s is about 110 video packets a second; Opus sends 50 a second).
 */
const VIDEO_PACKETS = 200;
const AUDIO_PACKETS = 100;
const RECEIVE_TIMEOUT_MS = 20_000;
/**
 * Well above what a working server loses on loopback, far below a broken fan-out. Loss and rate
 * under load are the viewer benchmark's to measure (npm run bench:viewers), not a test's on a
 * shared CPU.
 */
const MAX_LOSS_PERCENT = 10;

/** Real WebRTC viewers (node-datachannel) on the demo stage, through the browser's signalling. */
describe('a crowd of Node WebRTC viewers', () => {
  let server: RunningServer;
  const viewers: NodeViewer[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServer({ DEMO: '1' });
    await waitFor(
      async () => (await demoStage(server.url))?.live === true,
      20_000,
      () => `the demo never went on air:\n${server.logs()}`,
    );
  });

  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    // libdatachannel keeps threads alive until told to let go; without this the worker hangs.
    cleanupDataChannels();
    expect(await server?.stop()).toBe(0);
  });

  it(`receives audio and video on ${VIEWERS} viewers, and counts them`, async () => {
    for (let index = 0; index < VIEWERS; index++) viewers.push(new NodeViewer({ onProblem: (message) => problems.push(message) }));
    await Promise.all(viewers.map((viewer) => viewer.connect(server.url, 'demo')));

    await waitFor(
      () => viewers.every((viewer) => receives(viewer.stats())),
      20_000,
      () => `not every viewer received audio and video:\n${describeViewers(viewers)}\n${problems.join('\n')}`,
    );
    expect((await demoStage(server.url))?.viewers).toBe(VIEWERS);

    const before = viewers.map((viewer) => viewer.stats());
    const gained = (index: number) => {
      const stats = viewers[index]!.stats();
      const start = before[index]!;
      return { video: stats.video.packets - start.video.packets, audio: stats.audio.packets - start.audio.packets };
    };
    await waitFor(
      () => viewers.every((_, index) => gained(index).video >= VIDEO_PACKETS && gained(index).audio >= AUDIO_PACKETS),
      RECEIVE_TIMEOUT_MS,
      () => `not every viewer received ${VIDEO_PACKETS} video and ${AUDIO_PACKETS} audio packets more:\n${describeViewers(viewers)}`,
    );
    const after = viewers.map((viewer) => viewer.stats());

    after.forEach((stats, index) => {
      const start = before[index]!;
      const label = `viewer ${index}: ${JSON.stringify(stats)}`;
      expect(stats.connected, label).toBe(true);
      // Real VP8 frames, not keep-alives: video packets average hundreds of bytes.
      expect(stats.video.bytes - start.video.bytes, label).toBeGreaterThan(300 * (stats.video.packets - start.video.packets));
      expect(lossPercent(stats.video), label).toBeLessThan(MAX_LOSS_PERCENT);
      expect(lossPercent(stats.audio), label).toBeLessThan(MAX_LOSS_PERCENT);
      expect(stats.joinMs, label).toBeGreaterThan(0);
    });
    expect((await demoStage(server.url))?.viewers).toBe(VIEWERS);
    expect(problems).toEqual([]);

    for (const viewer of viewers.splice(0)) viewer.close();
    await waitFor(
      async () => (await demoStage(server.url))?.viewers === 0,
      10_000,
      () => 'closed viewers still counted',
    );
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
