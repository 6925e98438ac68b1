import { describe, expect, it } from 'vitest';
import type { FeedHealth, HealthSnapshot, RecordingHealth, StageHealth } from '../../shared/health.js';
import { AlertRules, feedSwitched } from '../../server/health/alertRules.js';
import { DISK_NEARLY_FULL_BYTES, feedLight } from '../../server/health/lights.js';

const GOOD_DISK = { freeBytes: 100 * 1024 ** 3, totalBytes: 200 * 1024 ** 3, light: 'green' } as const;

function feed(changes: Partial<FeedHealth> = {}): FeedHealth {
  return {
    producerId: 'camera-1',
    peerId: 'speaker-1',
    kind: 'video',
    source: 'camera',
    paused: false,
    bitrateKbps: 1200,
    frameRate: 25,
    resolution: { width: 1280, height: 720 },
    packetLossPercent: 0,
    packetsLost: 0,
    roundTripMs: null,
    jitterMs: 4,
    score: 10,
    light: 'green',
    problems: [],
    ...changes,
  };
}

function stage(changes: Partial<StageHealth> = {}): StageHealth {
  return { stageId: 'main', live: true, viewers: { webrtc: 0, hls: 0 }, speakers: 1, feeds: [feed()], recording: null, ...changes };
}

function recording(changes: Partial<RecordingHealth> = {}): RecordingHealth {
  return {
    id: 'rec-1',
    status: 'recording',
    startedAt: '2026-12-02T08:00:00.000Z',
    durationSeconds: 60,
    sizeBytes: 1000,
    lastSegmentAgeSeconds: 1,
    failureReason: null,
    light: 'green',
    ...changes,
  };
}

let clock = Date.parse('2026-12-02T08:00:00.000Z');
function snapshot(stages: StageHealth[], changes: Partial<HealthSnapshot> = {}): HealthSnapshot {
  clock += 1000;
  return {
    takenAt: new Date(clock).toISOString(),
    stages,
    workers: [{ id: 0, pid: 100, alive: true, cpuPercent: 10, consumers: 4 }],
    disk: GOOD_DISK,
    ...changes,
  };
}

/** The kinds raised and cleared by each of the snapshots, in order. */
function run(rules: AlertRules, snapshots: HealthSnapshot[], endedDeliberately?: (producerId: string) => boolean) {
  return snapshots.map((each) => {
    const { raise, clear } = rules.evaluate(each, endedDeliberately);
    return { raised: raise.map((alert) => alert.kind), cleared: clear.map((alert) => alert.kind) };
  });
}

const quiet = { raised: [], cleared: [] };

describe('the alert rules', () => {
  it('raise one alert when a worker dies and is replaced, named by the pid that died', () => {
    const rules = new AlertRules();
    rules.evaluate(snapshot([]));
    const replaced = rules.evaluate(snapshot([], { workers: [{ id: 0, pid: 200, alive: true, cpuPercent: 0, consumers: 0 }] }));
    expect(replaced.raise).toEqual([
      expect.objectContaining({ kind: 'worker_restarted', severity: 'critical', subject: 'worker:0:100', details: { worker: 0, pid: 100 } }),
    ]);
    expect(rules.evaluate(snapshot([], { workers: [{ id: 0, pid: 200, alive: true, cpuPercent: 0, consumers: 0 }] })).raise).toEqual([]);
  });

  it('call a feed lost after three silent snapshots, and the loss over once media flows again', () => {
    const rules = new AlertRules();
    const silent = stage({ feeds: [feed({ bitrateKbps: 0 })] });
    expect(run(rules, [snapshot([stage()]), snapshot([silent]), snapshot([silent]), snapshot([silent]), snapshot([silent]), snapshot([stage()])])).toEqual([
      quiet,
      quiet,
      quiet,
      { raised: ['feed_lost'], cleared: [] },
      quiet,
      { raised: [], cleared: ['feed_lost'] },
    ]);
    // A paused feed sends nothing on purpose.
    const paused = stage({ feeds: [feed({ bitrateKbps: 0, paused: true })] });
    expect(run(rules, [snapshot([paused]), snapshot([paused]), snapshot([paused]), snapshot([paused])]).every((each) => each.raised.length === 0)).toBe(true);
  });

  it('call a feed lost when it goes off air with nothing of its kind left, until another is on air', () => {
    const rules = new AlertRules();
    const microphone = feed({ producerId: 'mic-1', kind: 'audio', source: 'microphone', frameRate: null, bitrateKbps: 48 });
    const decisions = run(rules, [
      snapshot([stage({ feeds: [feed(), microphone] })]),
      snapshot([stage({ feeds: [microphone] })]),
      snapshot([stage({ feeds: [microphone] })]),
      snapshot([stage({ feeds: [microphone, feed({ producerId: 'camera-2' })] })]),
    ]);
    expect(decisions).toEqual([quiet, { raised: ['feed_lost'], cleared: [] }, quiet, { raised: [], cleared: ['feed_lost'] }]);
    // A camera going while another stays is not a loss.
    const cameras = [feed({ producerId: 'camera-2' }), feed({ producerId: 'camera-3' })];
    expect(run(rules, [snapshot([stage({ feeds: [microphone, ...cameras] })]), snapshot([stage({ feeds: [microphone, cameras[1]!] })])])).toEqual([
      quiet,
      quiet,
    ]);
  });

  it('call no feed lost when it left the air on purpose (stopped, taken backstage, its session ended), but the others yes', () => {
    const camera = feed({ producerId: 'camera-stopped' });
    const microphone = feed({ producerId: 'mic-dropped', kind: 'audio', source: 'microphone', frameRate: null, bitrateKbps: 48 });
    const onPurpose = (producerId: string) => producerId === 'camera-stopped';
    const rules = new AlertRules();
    expect(rules.evaluate(snapshot([stage({ feeds: [camera, microphone] })]), onPurpose).raise).toEqual([]);
    // Both go at once: only the one that was not ended on purpose is lost.
    const { raise } = rules.evaluate(snapshot([stage({ feeds: [] })]), onPurpose);
    expect(raise.map((alert) => [alert.kind, alert.subject])).toEqual([['feed_lost', 'feed:mic-dropped']]);
  });

  it('raise a bitrate collapse after three low snapshots under its usual figure, and clear it once it recovers', () => {
    const rules = new AlertRules();
    const usual = Array.from({ length: 10 }, () => snapshot([stage()]));
    const low = Array.from({ length: 3 }, () => snapshot([stage({ feeds: [feed({ bitrateKbps: 200 })] })]));
    const decisions = run(rules, [...usual, ...low, snapshot([stage({ feeds: [feed({ bitrateKbps: 200 })] })]), snapshot([stage()])]);
    expect(decisions.slice(0, 12).every((each) => each.raised.length === 0)).toBe(true);
    expect(decisions[12]).toEqual({ raised: ['bitrate_collapsed'], cleared: [] });
    expect(decisions[13]).toEqual(quiet);
    expect(decisions[14]).toEqual({ raised: [], cleared: ['bitrate_collapsed'] });
  });

  it('raise a frame rate collapse with the figures before and after', () => {
    const rules = new AlertRules();
    for (let index = 0; index < 10; index++) rules.evaluate(snapshot([stage()]));
    const slow = () => rules.evaluate(snapshot([stage({ feeds: [feed({ frameRate: 5 })] })]));
    slow();
    slow();
    expect(slow().raise).toEqual([
      expect.objectContaining({ kind: 'frame_rate_collapsed', subject: 'frames:camera-1', details: expect.objectContaining({ usualFps: 25, nowFps: 5 }) }),
    ]);
  });

  it('raise a sharp drop of viewers while live, not the audience leaving after the broadcast', () => {
    const rules = new AlertRules();
    const watched = (webrtc: number, hls = 0, live = true) => snapshot([stage({ live, viewers: { webrtc, hls } })]);
    expect(run(rules, [watched(30, 10), watched(38, 12), watched(20, 4)])).toEqual([quiet, quiet, { raised: ['viewers_dropped'], cleared: [] }]);
    expect(run(rules, [watched(10), watched(45)])).toEqual([quiet, { raised: [], cleared: ['viewers_dropped'] }]);
    expect(run(rules, [watched(50, 0, false), watched(0, 0, false)])).toEqual([quiet, quiet]);
  });

  it('raise a failed recording, and its restart in a new recording', () => {
    const rules = new AlertRules();
    const decisions = run(rules, [
      snapshot([stage({ recording: recording() })]),
      snapshot([stage({ recording: recording({ status: 'failed', failureReason: 'ffmpeg exited with code 1' }) })]),
      snapshot([stage({ recording: recording({ id: 'rec-2' }) })]),
    ]);
    expect(decisions).toEqual([quiet, { raised: ['recording_failed'], cleared: [] }, { raised: ['recording_restarted'], cleared: ['recording_failed'] }]);
  });

  it('raise a nearly full disk once, until space was freed', () => {
    const rules = new AlertRules();
    const disk = (freeBytes: number) => snapshot([], { disk: { freeBytes, totalBytes: 10 * DISK_NEARLY_FULL_BYTES, light: 'red' } });
    expect(
      run(rules, [disk(DISK_NEARLY_FULL_BYTES / 2), disk(DISK_NEARLY_FULL_BYTES / 3), disk(DISK_NEARLY_FULL_BYTES * 2), disk(DISK_NEARLY_FULL_BYTES / 2)]),
    ).toEqual([
      { raised: ['disk_nearly_full'], cleared: [] },
      quiet,
      { raised: [], cleared: ['disk_nearly_full'] },
      { raised: ['disk_nearly_full'], cleared: [] },
    ]);
  });
});

describe('a feed switch alert', () => {
  const failover = { at: '2026-12-02T08:00:00.000Z', from: 'main', to: 'backup', reason: 'main_silent', reasonText: 'no media from the main feed' } as const;

  it('says which stage switched from which feed to which, and why, as details the control room can translate', () => {
    expect(feedSwitched('hall', failover)).toEqual({
      kind: 'feed_switched',
      severity: 'warning',
      stageId: 'hall',
      subject: 'feed-switch:hall:2026-12-02T08:00:00.000Z:backup',
      message: 'Stage hall switched from its main feed to its backup feed: no media from the main feed.',
      details: { stage: 'hall', from: 'main', to: 'backup', reason: 'main_silent' },
    });
  });

  it('is a new alert at each switch: switching back, or failing again later, is not the same open trouble', () => {
    const back = feedSwitched('hall', { ...failover, from: 'backup', to: 'main', reason: 'main_returned' });
    const again = feedSwitched('hall', { ...failover, at: '2026-12-02T08:05:00.000Z' });
    const subjects = [feedSwitched('hall', failover), back, again, feedSwitched('annex', failover)].map((alert) => alert.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
  });
});

describe('a feed light', () => {
  const figures = { paused: false, bitrateKbps: 1000, packetLossPercent: 0, score: 10, roundTripMs: 40, jitterMs: 5 };

  it('is green for a clean feed, amber for some loss or a long round trip, red for heavy loss or no media', () => {
    expect(feedLight(figures)).toEqual({ light: 'green', problems: [] });
    expect(feedLight({ ...figures, packetLossPercent: 3 })).toEqual({ light: 'amber', problems: ['packet_loss'] });
    expect(feedLight({ ...figures, roundTripMs: 450, jitterMs: 45 })).toEqual({ light: 'amber', problems: ['high_round_trip', 'high_jitter'] });
    expect(feedLight({ ...figures, packetLossPercent: 15, score: 2 })).toEqual({ light: 'red', problems: ['packet_loss', 'poor_link'] });
    expect(feedLight({ ...figures, bitrateKbps: 0 })).toEqual({ light: 'red', problems: ['no_media'] });
    expect(feedLight({ ...figures, bitrateKbps: 0, paused: true, score: 0 })).toEqual({ light: 'green', problems: [] });
  });
});
