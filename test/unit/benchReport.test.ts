import { describe, expect, it } from 'vitest';
import type { PlayerStats } from '../../shared/playerStats.js';
import { type BenchInput, markdownReport, summarize } from '../../scripts/bench/benchReport.js';
import type { NodeViewerStats } from '../../scripts/bench/nodeViewer.js';

function nodeViewer(frames: number, freezes: number, freezeMs: number): NodeViewerStats {
  const kind = { packets: frames * 3, bytes: frames * 3000, lost: 0 };
  return { connected: true, joinMs: 500, video: kind, audio: kind, videoFrames: { frames, freezes, freezeMs }, lastPacketAt: 10_000, rejoins: 0 };
}

function player(framesDecoded: number, freezeCount: number, totalFreezesDuration: number, packets: { video: number; lost: number }): PlayerStats {
  return {
    video: {
      framesDecoded,
      frameWidth: 1280,
      frameHeight: 720,
      framesDropped: 1,
      freezeCount,
      totalFreezesDuration,
      packetsReceived: packets.video,
      packetsLost: packets.lost,
      bytesReceived: 1e6,
    },
    audio: { packetsReceived: 2 * framesDecoded, packetsLost: 0, bytesReceived: 5e4 },
  };
}

const input: BenchInput = {
  viewersRequested: 3,
  connectFailures: [],
  // Over 10 s: 250, 240 and 100 frames; 0, 1 and 4 freezes.
  windowStart: [nodeViewer(1000, 0, 0), nodeViewer(1000, 2, 400), nodeViewer(1000, 1, 300)],
  windowEnd: [nodeViewer(1250, 0, 0), nodeViewer(1240, 3, 700), nodeViewer(1100, 5, 2300)],
  windowSeconds: 10,
  endedAt: 10_500,
  server: undefined,
  generatorCpuShare: 0.1,
  browsers: [
    {
      name: 'chromium-1',
      joinMs: 1234.4,
      // Over 10 s by the page's clock: 250 frames, 2 freezes, 1495 packets received and 5 lost.
      start: { stats: player(100, 1, 0.5, { video: 1000, lost: 2 }), pageTimeMs: 5_000 },
      end: { stats: player(350, 3, 1.25, { video: 1995, lost: 7 }), pageTimeMs: 15_000 },
      problem: undefined,
    },
    { name: 'chromium-2', joinMs: undefined, start: undefined, end: undefined, problem: 'decoded no video frame' },
  ],
  browserCpuShare: 0.2,
  workers: {
    before: [
      { worker: '0', pid: 11, up: true, consumers: 4, cpuSeconds: 10 },
      { worker: '1', pid: 12, up: true, consumers: 0, cpuSeconds: 3 },
    ],
    // Worker 1 died and came back as pid 13: its CPU time started again from zero.
    after: [
      { worker: '0', pid: 11, up: true, consumers: 8, cpuSeconds: 12.5 },
      { worker: '1', pid: 13, up: true, consumers: 2, cpuSeconds: 0.1 },
    ],
    seconds: 10,
  },
  recording: { id: 'r1', durationSeconds: 61.27, sizeBytes: 5_000_000 },
};

describe('viewer benchmark figures', () => {
  const summary = summarize(input);

  it('gives frame rate and freezes per node viewer over the window only', () => {
    expect(summary).toMatchObject({
      viewerFpsP50: 24,
      viewerFpsWorst: 10,
      freezesPerViewerP50: 1,
      freezesPerViewerP95: 4,
      freezesPerViewerWorst: 4,
      freezeMsPerViewerP95: 2000,
      freezeMsPerViewerWorst: 2000,
    });
  });

  it("reads each browser's picture from the difference of its player's stats, timed by the page", () => {
    expect(summary.browserViewers).toEqual([
      {
        name: 'chromium-1',
        joinMs: 1234,
        framesPerSecond: 25,
        resolution: '1280x720',
        freezes: 2,
        freezeMs: 750,
        framesDropped: 0,
        lossPct: 0.333,
        problem: null,
      },
      {
        name: 'chromium-2',
        joinMs: null,
        framesPerSecond: null,
        resolution: null,
        freezes: null,
        freezeMs: null,
        framesDropped: null,
        lossPct: null,
        problem: 'decoded no video frame',
      },
    ]);
    expect(summary).toMatchObject({ browserFpsP50: 25, browserFreezesWorst: 2, browserFreezeMsWorst: 750, browserCpuShare: 0.2 });
  });

  it('gives each worker its consumers and CPU share, none for a worker replaced meanwhile', () => {
    expect(summary.workers).toEqual([
      { worker: '0', pid: 11, consumers: 8, cpuShare: 0.25 },
      { worker: '1', pid: 13, consumers: 2, cpuShare: null },
    ]);
  });

  it('tells a running recording from none and from unknown', () => {
    expect(summary).toMatchObject({ recordingActive: true, recordingSeconds: 61.3, recordingBytes: 5_000_000 });
    expect(summarize({ ...input, recording: null })).toMatchObject({ recordingActive: false, recordingSeconds: null });
    expect(summarize({ ...input, recording: undefined }).recordingActive).toBeNull();
  });

  it('puts browsers and workers in the Markdown report', () => {
    const markdown = markdownReport(summary, {
      startedAt: new Date(0),
      url: 'http://x',
      stageId: 'demo',
      source: 's',
      rampPerSecond: 20,
      serverPid: 1,
      udpReceiveBufferBytes: 212992,
    });
    expect(markdown).toContain('net.core.rmem_default): 212992 bytes');
    expect(markdown).toContain('| chromium-1 | 1234 ms | 25 | 1280x720 | 2 (750 ms) | 0 | 0.333 % |  |');
    expect(markdown).toContain('| 0 | 11 | 8 | 25 % |');
    expect(markdown).toContain('recording: 61.3 s, 4.8 MB');
  });
});
