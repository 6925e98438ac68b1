/**
 * When the health of the broadcast calls for an alert: each snapshot is compared with what came
 * before it. Kept free of I/O so the rules can be reasoned about and tested on their own; the
 * monitor stores and sends what they decide (AlertCenter), and an alert already open for the
 * same subject is not raised twice.
 */
import type { AlertKind, FeedHealth, FeedSwitchReason, HealthSnapshot, StageHealth } from '../../shared/health.js';
import type { IngestFeedRole } from '../../shared/protocol.js';
import type { AlertInput } from '../storage/alerts.js';
import { DISK_NEARLY_FULL_BYTES } from './lights.js';

export interface AlertDecisions {
  raise: AlertInput[];
  clear: { kind: AlertKind; subject: string }[];
}

/** A feed that sends nothing this many snapshots in a row (about a second apart) is lost. */
const SILENT_SNAPSHOTS = 3;
/** A collapse lasts this many snapshots before it is one (a keyframe gap or a hiccup is not). */
const COLLAPSE_SNAPSHOTS = 3;
/** The usual figure of a feed is the median of its last snapshots before the collapse window. */
const HISTORY_SNAPSHOTS = 30;
const MIN_HISTORY_SNAPSHOTS = 8;
/** Below these usual figures a feed is too thin to judge (an audio-only still, a slide). */
const MIN_USUAL_KBPS = { video: 150, audio: 16 } as const;
const MIN_USUAL_FRAME_RATE = 10;
/** Collapsed: under this share of the usual figure; recovered: back above the second. */
const BITRATE_COLLAPSE = { below: 0.25, recovered: 0.5 };
const FRAME_RATE_COLLAPSE = { below: 0.5, recovered: 0.8 };
/** Viewers dropped sharply: at most half of the most there were in the last 15 snapshots, from at least 10. */
const VIEWER_WINDOW_SNAPSHOTS = 15;
const MIN_VIEWERS_TO_JUDGE = 10;
const VIEWERS_DROPPED_SHARE = 0.5;
const VIEWERS_RECOVERED_SHARE = 0.8;
const DISK_RECOVERED_BYTES = DISK_NEARLY_FULL_BYTES * 1.25;

interface FeedMemory {
  bitrates: number[];
  frameRates: number[];
  silentSnapshots: number;
  bitrateCollapsedFrom: number | undefined;
  frameRateCollapsedFrom: number | undefined;
}

export class AlertRules {
  private previous: HealthSnapshot | undefined;
  private readonly feeds = new Map<string, FeedMemory>();
  private readonly viewers = new Map<string, { counts: number[]; droppedFrom: number | undefined }>();
  /** Feeds that went off air with nothing of their kind left, by stage, until something is back. */
  private readonly goneFeeds = new Map<string, { producerId: string; kind: FeedHealth['kind'] }[]>();
  private diskLow = false;

  /** `endedDeliberately`: whether a feed left the air on purpose (a speaker's Stop, backstage, an ended session): not lost. */
  evaluate(snapshot: HealthSnapshot, endedDeliberately: (producerId: string) => boolean = () => false): AlertDecisions {
    const decisions: AlertDecisions = { raise: [], clear: [] };
    const previous = this.previous;
    this.previous = snapshot;
    this.checkWorkers(snapshot, previous, decisions);
    this.checkDisk(snapshot, decisions);
    const seenFeeds = new Set<string>();
    for (const stage of snapshot.stages) {
      const before = previous?.stages.find((candidate) => candidate.stageId === stage.stageId);
      for (const feed of stage.feeds) {
        seenFeeds.add(feed.producerId);
        this.checkFeed(stage, feed, decisions);
      }
      if (before) {
        this.checkFeedsGone(stage, before, endedDeliberately, decisions);
        this.checkRecording(stage, before, decisions);
      }
      this.checkViewers(stage, decisions);
    }
    for (const producerId of this.feeds.keys()) if (!seenFeeds.has(producerId)) this.feeds.delete(producerId);
    return decisions;
  }

  private checkWorkers(snapshot: HealthSnapshot, previous: HealthSnapshot | undefined, decisions: AlertDecisions): void {
    for (const worker of snapshot.workers) {
      const before = previous?.workers.find((candidate) => candidate.id === worker.id);
      if (!before || (before.pid === worker.pid && (worker.alive || !before.alive))) continue;
      // Named by the pid that died: each death is its own alert, however quickly it was replaced.
      decisions.raise.push({
        kind: 'worker_restarted',
        severity: 'critical',
        stageId: null,
        subject: `worker:${worker.id}:${before.pid}`,
        message: `mediasoup worker ${worker.id} (pid ${before.pid}) died and was replaced; the stages it served were rebuilt and their viewers rejoin by themselves.`,
        details: { worker: worker.id, pid: before.pid },
      });
    }
  }

  private checkDisk(snapshot: HealthSnapshot, decisions: AlertDecisions): void {
    const disk = snapshot.disk;
    if (!disk) return;
    // Raised once as the space runs low: acknowledged, it is not raised again until space was freed.
    if (!this.diskLow && disk.freeBytes < DISK_NEARLY_FULL_BYTES) {
      this.diskLow = true;
      decisions.raise.push({
        kind: 'disk_nearly_full',
        severity: 'critical',
        stageId: null,
        subject: 'disk',
        message: `The disk recordings are written to has ${gigabytes(disk.freeBytes)} GB free; free space or recordings stop when it is full.`,
        details: { freeBytes: disk.freeBytes, totalBytes: disk.totalBytes },
      });
    } else if (this.diskLow && disk.freeBytes > DISK_RECOVERED_BYTES) {
      this.diskLow = false;
      decisions.clear.push({ kind: 'disk_nearly_full', subject: 'disk' });
    }
  }

  private checkFeed(stage: StageHealth, feed: FeedHealth, decisions: AlertDecisions): void {
    const memory = this.memoryOf(feed.producerId);
    const wasSilent = memory.silentSnapshots >= SILENT_SNAPSHOTS;
    memory.silentSnapshots = !feed.paused && feed.bitrateKbps === 0 ? memory.silentSnapshots + 1 : 0;
    if (memory.silentSnapshots === SILENT_SNAPSHOTS) {
      decisions.raise.push(feedLost(stage.stageId, feed, 'no_media', `The ${feed.source} feed of stage ${stage.stageId} is on air but sends nothing.`));
    } else if (wasSilent && memory.silentSnapshots === 0) {
      decisions.clear.push({ kind: 'feed_lost', subject: `feed:${feed.producerId}` });
    }
    if (feed.paused) return;
    const bitrate = followCollapse(memory.bitrates, feed.bitrateKbps, MIN_USUAL_KBPS[feed.kind], BITRATE_COLLAPSE, memory.bitrateCollapsedFrom);
    memory.bitrateCollapsedFrom = bitrate.collapsedFrom;
    if (bitrate.change === 'collapsed') {
      decisions.raise.push({
        kind: 'bitrate_collapsed',
        severity: 'warning',
        stageId: stage.stageId,
        subject: `bitrate:${feed.producerId}`,
        message: `The ${feed.source} feed of stage ${stage.stageId} fell from about ${Math.round(bitrate.collapsedFrom!)} to ${Math.round(feed.bitrateKbps)} kbit/s.`,
        details: { producerId: feed.producerId, source: feed.source, usualKbps: Math.round(bitrate.collapsedFrom!), nowKbps: Math.round(feed.bitrateKbps) },
      });
    } else if (bitrate.change === 'recovered') {
      decisions.clear.push({ kind: 'bitrate_collapsed', subject: `bitrate:${feed.producerId}` });
    }
    if (feed.frameRate === null) return;
    const frames = followCollapse(memory.frameRates, feed.frameRate, MIN_USUAL_FRAME_RATE, FRAME_RATE_COLLAPSE, memory.frameRateCollapsedFrom);
    memory.frameRateCollapsedFrom = frames.collapsedFrom;
    if (frames.change === 'collapsed') {
      decisions.raise.push({
        kind: 'frame_rate_collapsed',
        severity: 'warning',
        stageId: stage.stageId,
        subject: `frames:${feed.producerId}`,
        message: `The ${feed.source} feed of stage ${stage.stageId} fell from about ${Math.round(frames.collapsedFrom!)} to ${Math.round(feed.frameRate)} frames a second.`,
        details: { producerId: feed.producerId, source: feed.source, usualFps: Math.round(frames.collapsedFrom!), nowFps: Math.round(feed.frameRate) },
      });
    } else if (frames.change === 'recovered') {
      decisions.clear.push({ kind: 'frame_rate_collapsed', subject: `frames:${feed.producerId}` });
    }
  }

  /**
   * A feed gone with nothing of its kind left on air: viewers lost the picture (or the sound).
   * Once something of that kind is on air again, the alert says the loss is over. A feed ended on
   * purpose is no loss: the technicians (or the speaker) meant it.
   */
  private checkFeedsGone(stage: StageHealth, before: StageHealth, endedDeliberately: (producerId: string) => boolean, decisions: AlertDecisions): void {
    const gone = this.goneFeeds.get(stage.stageId) ?? [];
    for (const feed of before.feeds) {
      if (stage.feeds.some((current) => current.producerId === feed.producerId || current.kind === feed.kind)) continue;
      if (endedDeliberately(feed.producerId)) continue;
      const what = feed.kind === 'video' ? 'picture' : 'sound';
      decisions.raise.push(
        feedLost(stage.stageId, feed, 'gone', `The ${feed.source} feed of stage ${stage.stageId} went off air and nothing else gives its ${what}.`),
      );
      gone.push({ producerId: feed.producerId, kind: feed.kind });
    }
    const stillGone = gone.filter((feed) => {
      if (!stage.feeds.some((current) => current.kind === feed.kind)) return true;
      decisions.clear.push({ kind: 'feed_lost', subject: `feed:${feed.producerId}` });
      return false;
    });
    if (stillGone.length > 0) this.goneFeeds.set(stage.stageId, stillGone);
    else this.goneFeeds.delete(stage.stageId);
  }

  private checkRecording(stage: StageHealth, before: StageHealth, decisions: AlertDecisions): void {
    const now = stage.recording;
    const then = before.recording;
    if (!now || !then) return;
    if (now.id === then.id && then.status === 'recording' && now.status === 'failed') {
      decisions.raise.push({
        kind: 'recording_failed',
        severity: 'critical',
        stageId: stage.stageId,
        subject: `recording:${now.id}`,
        message: `The recording of stage ${stage.stageId} failed (${now.failureReason ?? 'no reason given'}); a new one starts while the stage stays on air.`,
        details: { recordingId: now.id, reason: now.failureReason ?? '' },
      });
    }
    if (now.id !== then.id && now.status === 'recording' && then.status === 'failed') {
      decisions.clear.push({ kind: 'recording_failed', subject: `recording:${then.id}` });
      decisions.raise.push({
        kind: 'recording_restarted',
        severity: 'warning',
        stageId: stage.stageId,
        subject: `recording:${now.id}`,
        message: `Stage ${stage.stageId} is recorded again, in a new recording after the one that failed; the time between them is missing.`,
        details: { recordingId: now.id, failedRecordingId: then.id },
      });
    }
  }

  private checkViewers(stage: StageHealth, decisions: AlertDecisions): void {
    let memory = this.viewers.get(stage.stageId);
    if (!memory) {
      memory = { counts: [], droppedFrom: undefined };
      this.viewers.set(stage.stageId, memory);
    }
    const count = stage.viewers.webrtc + stage.viewers.hls;
    // An audience leaving a stage that went off air is the end of the broadcast, not a drop.
    if (!stage.live) {
      memory.counts = [];
      return;
    }
    const peak = Math.max(0, ...memory.counts);
    memory.counts = [...memory.counts, count].slice(-VIEWER_WINDOW_SNAPSHOTS);
    if (memory.droppedFrom === undefined && peak >= MIN_VIEWERS_TO_JUDGE && count <= peak * VIEWERS_DROPPED_SHARE) {
      memory.droppedFrom = peak;
      decisions.raise.push({
        kind: 'viewers_dropped',
        severity: 'warning',
        stageId: stage.stageId,
        subject: `viewers:${stage.stageId}`,
        message: `Viewers of stage ${stage.stageId} dropped from ${peak} to ${count} within seconds.`,
        details: { from: peak, to: count },
      });
    } else if (memory.droppedFrom !== undefined && count >= memory.droppedFrom * VIEWERS_RECOVERED_SHARE) {
      memory.droppedFrom = undefined;
      decisions.clear.push({ kind: 'viewers_dropped', subject: `viewers:${stage.stageId}` });
    }
  }

  private memoryOf(producerId: string): FeedMemory {
    let memory = this.feeds.get(producerId);
    if (!memory) {
      memory = { bitrates: [], frameRates: [], silentSnapshots: 0, bitrateCollapsedFrom: undefined, frameRateCollapsedFrom: undefined };
      this.feeds.set(producerId, memory);
    }
    return memory;
  }
}

/**
 * A stage switched between its main and backup feeds. Each switch is its own alert (named by its
 * time and direction), so a main that fails again after being acknowledged is raised again; the
 * reason goes as a code for the control room to say in its language.
 */
export function feedSwitched(
  stageId: string,
  change: { at: string; from: IngestFeedRole; to: IngestFeedRole; reason: FeedSwitchReason; reasonText: string },
): AlertInput {
  return {
    kind: 'feed_switched',
    severity: 'warning',
    stageId,
    subject: `feed-switch:${stageId}:${change.at}:${change.to}`,
    message: `Stage ${stageId} switched from its ${change.from} feed to its ${change.to} feed: ${change.reasonText}.`,
    details: { stage: stageId, from: change.from, to: change.to, reason: change.reason },
  };
}

function feedLost(stageId: string, feed: FeedHealth, reason: 'no_media' | 'gone', message: string): AlertInput {
  return {
    kind: 'feed_lost',
    severity: 'critical',
    stageId,
    subject: `feed:${feed.producerId}`,
    message,
    details: { producerId: feed.producerId, kind: feed.kind, source: feed.source, reason },
  };
}

/**
 * Adds the newest figure to the feed's history and says whether it just collapsed (the last few
 * all under a share of the usual figure before them) or recovered from a collapse.
 */
function followCollapse(
  history: number[],
  value: number,
  minUsual: number,
  shares: { below: number; recovered: number },
  collapsedFrom: number | undefined,
): { change: 'collapsed' | 'recovered' | undefined; collapsedFrom: number | undefined } {
  history.push(value);
  if (history.length > HISTORY_SNAPSHOTS) history.shift();
  if (collapsedFrom !== undefined) {
    return value >= collapsedFrom * shares.recovered ? { change: 'recovered', collapsedFrom: undefined } : { change: undefined, collapsedFrom };
  }
  const before = history.slice(0, -COLLAPSE_SNAPSHOTS);
  if (before.length < MIN_HISTORY_SNAPSHOTS) return { change: undefined, collapsedFrom };
  const usual = median(before);
  const recent = history.slice(-COLLAPSE_SNAPSHOTS);
  // Nothing at all is a lost feed (its own alert), not a collapse.
  const collapsed = usual >= minUsual && recent.every((figure) => figure > 0 && figure < usual * shares.below);
  return collapsed ? { change: 'collapsed', collapsedFrom: usual } : { change: undefined, collapsedFrom };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function gigabytes(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}
