/**
 * What every abuse test checks while (and after) it attacks: the server still answers /healthz,
 * a real WebRTC viewer (node-datachannel) still receives the demo's audio and video, and the
 * live recording's playlist still loads quickly.
 */
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { expect } from 'vitest';
import type { RecordingInfo, StagesResponse } from '../../shared/protocol.js';
import { NodeViewer } from '../../scripts/bench/nodeViewer.js';
import { type RunningServer, startServer, waitFor } from './server.js';

/** Generous for two shared cores under attack, yet far below the 45 s a stalled playlist took. */
export const HEALTHY_RESPONSE_MS = 3_000;

/** A server with the demo on air and being recorded. */
export async function startDemoServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer({ DEMO: '1', ...env });
  await waitFor(
    async () => (await demoStage(server.url))?.live === true,
    30_000,
    () => `the demo never went on air:\n${server.logs()}`,
  );
  return server;
}

export async function demoStage(url: string) {
  const body = (await (await fetch(`${url}/api/stages`)).json()) as StagesResponse;
  return body.stages.find((stage) => stage.id === 'demo');
}

/** Fetches a URL and says how long the whole body took. */
export async function timedFetch(url: string, init?: RequestInit): Promise<{ status: number; ms: number; body: string }> {
  const startedAt = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000), ...init });
  const body = await response.text();
  return { status: response.status, ms: performance.now() - startedAt, body };
}

export async function expectHealthz(server: RunningServer): Promise<void> {
  const health = await timedFetch(`${server.url}/healthz`);
  expect(health.status, health.body).toBe(200);
  expect(health.ms).toBeLessThan(HEALTHY_RESPONSE_MS);
}

/** The playlist of the demo's recording in progress, once it has a segment. */
export async function livePlaylistUrl(server: RunningServer): Promise<string> {
  let found: RecordingInfo | undefined;
  await waitFor(
    async () => {
      const { recordings } = (await (await fetch(`${server.url}/api/recordings?stage=demo`)).json()) as { recordings: RecordingInfo[] };
      found = recordings.find((recording) => recording.status === 'recording' && recording.durationSeconds > 0);
      return found !== undefined;
    },
    30_000,
    () => 'the demo is not being recorded',
  );
  return `${server.url}${found!.playlistUrl}`;
}

export async function expectPlaylistLoads(playlistUrl: string): Promise<number> {
  const playlist = await timedFetch(playlistUrl);
  expect(playlist.status).toBe(200);
  expect(playlist.body).toContain('#EXTM3U');
  expect(playlist.ms).toBeLessThan(HEALTHY_RESPONSE_MS);
  return playlist.ms;
}

/** A real viewer joins the demo and receives audio and video packets; closed afterwards. */
export async function expectViewerReceivesMedia(server: RunningServer): Promise<void> {
  const problems: string[] = [];
  const viewer = new NodeViewer({ onProblem: (message) => problems.push(message) });
  try {
    await viewer.connect(server.url, 'demo');
    await waitFor(
      () => {
        const stats = viewer.stats();
        return stats.connected && stats.video.packets > 20 && stats.audio.packets > 20;
      },
      15_000,
      () => `the viewer received no media: ${JSON.stringify(viewer.stats())} ${problems.join('; ')}`,
    );
  } finally {
    viewer.close();
  }
}

/** libdatachannel keeps threads alive until told to let go; without this the test worker hangs. */
export function releaseViewers(): void {
  cleanupDataChannels();
}
