/**
 * The broadcast's health at a glance, taken every second: each stage's audience (WebRTC and
 * HLS), its feeds as the media layer measures them, its recording, every mediasoup worker, the
 * free disk. Each snapshot is pushed to the control room and judged by the alert rules.
 */
import { statfs } from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { FeedHealth, HealthSnapshot, RecordingHealth, StageHealth } from '../../shared/health.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { MediaEngine } from '../media/index.js';
import { latestRecording } from '../storage/recordingHealth.js';
import { listAllStages } from '../storage/stages.js';
import { toIsoTime } from '../storage/time.js';
import type { AlertCenter } from './alertCenter.js';
import { AlertRules } from './alertRules.js';
import type { HlsAudience } from './hlsAudience.js';
import { diskLight, feedLight, recordingLight } from './lights.js';
import { PictureSizes } from './pictureSizes.js';

/** How the snapshots reach the control room; signalling implements it over socket.io. */
export interface HealthNotifier {
  snapshot(snapshot: HealthSnapshot): void;
}

export interface HealthMonitorOptions {
  db: Database;
  registry: Pick<StageRegistry, 'list' | 'get' | 'endedDeliberately'>;
  media: Pick<MediaEngine, 'workerStats'>;
  hlsAudience: HlsAudience;
  alerts: AlertCenter;
  notifier: HealthNotifier;
  recordingsDir: string;
  logger: Logger;
  intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 1_000;

export class HealthMonitor {
  private readonly rules = new AlertRules();
  private readonly pictureSizes: PictureSizes;
  private timer: NodeJS.Timeout | undefined;
  private latest: HealthSnapshot | undefined;
  private taking: Promise<HealthSnapshot> | undefined;

  constructor(private readonly options: HealthMonitorOptions) {
    this.pictureSizes = new PictureSizes(options.logger);
  }

  start(): void {
    const interval = this.options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.timer = setInterval(() => void this.tick(), interval);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.pictureSizes.close();
  }

  /** The newest snapshot (at most a second old), or one taken now before the first. */
  async current(): Promise<HealthSnapshot> {
    return this.latest ?? (await this.take());
  }

  private async tick(): Promise<void> {
    // A slow round (a busy worker answering getStats late) is not overlapped by the next.
    if (this.taking) return;
    try {
      const snapshot = await this.take();
      this.latest = snapshot;
      this.options.notifier.snapshot(snapshot);
      this.judge(snapshot);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not take the health snapshot');
    }
  }

  private judge(snapshot: HealthSnapshot): void {
    const { raise, clear } = this.rules.evaluate(snapshot, (producerId) => this.options.registry.endedDeliberately(producerId));
    for (const input of raise) this.options.alerts.raise(input);
    for (const { kind, subject } of clear) this.options.alerts.clear(kind, subject);
  }

  private take(): Promise<HealthSnapshot> {
    this.taking ??= this.measure().finally(() => (this.taking = undefined));
    return this.taking;
  }

  private async measure(): Promise<HealthSnapshot> {
    const now = Date.now();
    const [stages, workers, disk] = await Promise.all([this.stages(now), this.options.media.workerStats(), this.disk()]);
    this.pictureSizes.keepOnly(new Set(stages.flatMap((stage) => stage.feeds.map((feed) => feed.producerId))));
    return {
      takenAt: toIsoTime(now),
      stages,
      workers: workers.map((worker) => ({
        id: worker.id,
        pid: worker.pid,
        alive: worker.alive,
        cpuPercent: Math.round(worker.cpu * 1000) / 10,
        consumers: worker.consumers,
      })),
      disk,
    };
  }

  /** The programme's stages and any other open one, in the programme's order. */
  private async stages(now: number): Promise<StageHealth[]> {
    const ids = [...new Set([...listAllStages(this.options.db).map((stage) => stage.id), ...this.options.registry.list().map((stage) => stage.id)])];
    return Promise.all(ids.map((stageId) => this.stage(stageId, this.options.registry.get(stageId), now)));
  }

  private async stage(stageId: string, stage: Stage | undefined, now: number): Promise<StageHealth> {
    const summary = stage?.summary();
    const feeds = stage ? await stage.onAirFeedStats() : [];
    return {
      stageId,
      live: summary?.live ?? false,
      viewers: { webrtc: summary?.viewers ?? 0, hls: this.options.hlsAudience.viewers(stageId, now) },
      speakers: summary?.speakers ?? 0,
      feeds: feeds.map(({ feed, stats }): FeedHealth => {
        const figures = {
          paused: feed.paused,
          bitrateKbps: Math.round(stats.bitrate / 100) / 10,
          packetLossPercent: Math.round(stats.fractionLost * 1000) / 10,
          score: stats.score,
          roundTripMs: stats.roundTripMs === null ? null : Math.round(stats.roundTripMs),
          jitterMs: stats.jitterMs === null ? null : Math.round(stats.jitterMs),
        };
        return {
          producerId: feed.producerId,
          peerId: feed.peerId,
          kind: feed.kind,
          source: feed.source,
          frameRate: stats.frameRate,
          resolution: stage ? this.pictureSizes.sizeOf(stats, (producerId, onPacket) => stage.copyFeedRtp(producerId, onPacket), now) : null,
          packetsLost: stats.packetsLost,
          ...figures,
          ...feedLight(figures),
        };
      }),
      recording: this.recording(stageId, now),
    };
  }

  private recording(stageId: string, now: number): RecordingHealth | null {
    const found = latestRecording(this.options.db, stageId);
    if (!found) return null;
    const { lastSegmentEndsAt, ...recording } = found;
    const lastSegmentAgeSeconds = lastSegmentEndsAt === null ? null : Math.max(0, Math.round((now - lastSegmentEndsAt) / 100) / 10);
    return { ...recording, lastSegmentAgeSeconds, light: recordingLight({ status: recording.status, lastSegmentAgeSeconds }) };
  }

  private async disk(): Promise<HealthSnapshot['disk']> {
    try {
      const stats = await statfs(this.options.recordingsDir);
      const freeBytes = stats.bavail * stats.bsize;
      return { freeBytes, totalBytes: stats.blocks * stats.bsize, light: diskLight(freeBytes) };
    } catch {
      return null;
    }
  }
}
