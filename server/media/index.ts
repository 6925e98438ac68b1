/**
 * The media engine: everything that touches mediasoup lives in this folder, and the rest of the
 * server uses only what this module exports, so a mediasoup upgrade stays inside server/media/.
 */
import type { Logger } from 'pino';
import type { RtcOptions, StageMediaEvents } from './stageMedia.js';
import { StageMedia } from './stageMedia.js';
import { WorkerPool } from './workerPool.js';

export type { ConsumerParameters, ConsumerStart, IngestTrack, StageMediaEvents } from './stageMedia.js';
export type { StageMedia } from './stageMedia.js';
export type { RecordingTap, TapDestination, TappedTrack } from './recordingTap.js';
export type { FeedStats } from './feedStats.js';

export interface MediaEngineOptions {
  workers: number;
  rtc: RtcOptions;
}

export interface WorkerStats {
  id: number;
  pid: number;
  alive: boolean;
  consumers: number;
  /** CPU time the worker process has used, user plus system, in milliseconds. */
  cpuMs: number;
  /** Share of one core it used over the last few seconds (0.5: half a core). */
  cpu: number;
}

type StageMediaLostListener = (stageId: string, reason: string) => void;

export class MediaEngine {
  private readonly stages = new Set<StageMedia>();
  private readonly lostListeners: StageMediaLostListener[] = [];

  private constructor(
    private readonly pool: WorkerPool,
    private readonly options: MediaEngineOptions,
    private readonly logger: Logger,
  ) {
    pool.onWorkerDied((slot) => {
      for (const stage of [...this.stages]) {
        if (!stage.usesWorker(slot.worker)) continue;
        this.stages.delete(stage);
        for (const listener of this.lostListeners) listener(stage.stageId, `mediasoup worker ${slot.id} died`);
      }
    });
  }

  static async start(options: MediaEngineOptions, logger: Logger): Promise<MediaEngine> {
    const pool = new WorkerPool({ workers: options.workers, rtc: options.rtc, logger });
    await pool.start();
    return new MediaEngine(pool, options, logger);
  }

  get workersConfigured(): number {
    return this.options.workers;
  }

  workersAlive(): number {
    return this.pool.aliveCount();
  }

  /** Called when a stage's media went down with a worker; the stage must be rebuilt and rejoined. */
  onStageMediaLost(listener: StageMediaLostListener): void {
    this.lostListeners.push(listener);
  }

  async createStageMedia(stageId: string, events: StageMediaEvents): Promise<StageMedia> {
    const stage = await StageMedia.create(stageId, this.pool, this.options.rtc, this.logger, events);
    this.stages.add(stage);
    return stage;
  }

  async closeStageMedia(stage: StageMedia): Promise<void> {
    this.stages.delete(stage);
    await stage.close();
  }

  async workerStats(): Promise<WorkerStats[]> {
    return Promise.all(
      this.pool.slots.map(async (slot) => {
        const usage = slot.alive ? await slot.worker.getResourceUsage().catch(() => undefined) : undefined;
        return {
          id: slot.id,
          pid: slot.worker.pid,
          alive: slot.alive,
          consumers: slot.consumers,
          cpuMs: usage ? usage.ru_utime + usage.ru_stime : 0,
          cpu: slot.cpu,
        };
      }),
    );
  }

  /** The server is stopping: a worker that ends now is not replaced (see WorkerPool.beginClosing). */
  beginClosing(): void {
    this.pool.beginClosing();
  }

  close(): void {
    this.pool.close();
  }
}
