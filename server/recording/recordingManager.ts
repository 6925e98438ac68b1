/**
 * The recorder: whatever is on air on a stage is recorded while the stage is live, as HLS under
 * RECORDINGS_DIR (see layout.ts). Every stage of the programme is recorded, the demo stage
 * included, unless the technicians switched its recording off (RecordingControl); one
 * StageRecorder per open stage does the work.
 */
import { mkdirSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { Ffmpeg } from '../config/ffmpeg.js';
import { getStage } from '../storage/stages.js';
import { missingRecorderFeatures } from './ffmpegJob.js';
import { warmUpFfmpeg } from './ffmpegProcess.js';
import type { RecordingControl } from './recordingControl.js';
import { StageRecorder } from './stageRecorder.js';

export interface RecordingManagerOptions {
  db: Database;
  registry: Pick<StageRegistry, 'onLifecycle'>;
  recordingsDir: string;
  ffmpeg: Ffmpeg;
  logger: Logger;
  /** The technicians' recording switch per stage. */
  control: RecordingControl;
}

export class RecordingManager {
  private readonly recorders = new Map<Stage, StageRecorder>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;
  private readonly logger: Logger;
  private readonly unsubscribeSwitch: () => void;

  constructor(private readonly options: RecordingManagerOptions) {
    this.logger = options.logger.child({ component: 'recorder' });
    this.prepareRecordingsDir();
    this.checkFfmpeg();
    options.registry.onLifecycle({
      opened: (stage) => this.follow(stage),
      closed: (stage) => this.stopFollowing(stage),
    });
    this.unsubscribeSwitch = options.control.onSwitch((stageId) => {
      for (const [stage, recorder] of this.recorders) if (stage.id === stageId) recorder.changed('recording-switch');
    });
  }

  /** Finalizes every recording in progress as complete (at shutdown, before the stages close). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeSwitch();
    for (const stage of [...this.recorders.keys()]) this.stopFollowing(stage);
    await Promise.all([...this.closing]);
  }

  private follow(stage: Stage): void {
    if (this.closed || this.recorders.has(stage)) return;
    // Recordings belong to a stage of the programme (the database refuses others).
    if (!getStage(this.options.db, stage.id)) {
      this.logger.warn({ stage: stage.id }, 'stage is not in the programme; not recorded');
      return;
    }
    const { db, recordingsDir, control } = this.options;
    const isRecorded = () => control.isRecorded(stage.id);
    this.recorders.set(stage, new StageRecorder(stage, { db, recordingsDir, ffmpeg: this.options.ffmpeg, logger: this.logger, isRecorded }));
  }

  private stopFollowing(stage: Stage): void {
    const recorder = this.recorders.get(stage);
    if (!recorder) return;
    this.recorders.delete(stage);
    const closing = recorder.close().finally(() => this.closing.delete(closing));
    this.closing.add(closing);
  }

  /**
   * Without ffmpeg the server still serves live stages: each recording then fails (ffmpeg cannot
   * be started) and says why, rather than the server refusing to start. An ffmpeg older than 4.4
   * records, without what it lacks.
   */
  private checkFfmpeg(): void {
    const { ffmpeg } = this.options;
    if (ffmpeg.missing) {
      this.logger.error({ problem: ffmpeg.missing }, 'no ffmpeg for the recorder; recordings will fail');
      return;
    }
    warmUpFfmpeg(ffmpeg.path, this.logger);
    const missing = missingRecorderFeatures(ffmpeg);
    if (missing.length > 0) {
      this.logger.warn(
        { ffmpeg: ffmpeg.path, missing },
        'this ffmpeg is older than 4.4: recordings go on without what it lacks; install a newer ffmpeg (apt-get install ffmpeg) or point FFMPEG_PATH at one',
      );
    }
  }

  /**
   * A missing or unwritable RECORDINGS_DIR must not stop the server: live streams go on, and each
   * recording that cannot write is marked failed with the reason.
   */
  private prepareRecordingsDir(): void {
    try {
      mkdirSync(this.options.recordingsDir, { recursive: true });
    } catch (error) {
      this.logger.error({ err: error, recordingsDir: this.options.recordingsDir }, 'cannot create RECORDINGS_DIR; recordings will fail');
    }
  }
}
