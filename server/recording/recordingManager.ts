/**
 * The recorder: whatever is on air on a stage is recorded while the stage is live, as HLS under
 * RECORDINGS_DIR (see layout.ts). Every stage of the programme is recorded, the demo stage
 * included; one StageRecorder per open stage does the work.
 */
import { mkdirSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { Ffmpeg } from '../config/ffmpeg.js';
import { listUnfinishedRecordings } from '../storage/recordings.js';
import { endTalkReplay, type TalkReplay } from '../storage/replays.js';
import { getStage } from '../storage/stages.js';
import { getTalk } from '../storage/talks.js';
import { missingRecorderFeatures } from './ffmpegJob.js';
import { warmUpFfmpeg } from './ffmpegProcess.js';
import { StageRecorder } from './stageRecorder.js';

export interface RecordingManagerOptions {
  db: Database;
  registry: Pick<StageRegistry, 'onLifecycle'>;
  recordingsDir: string;
  ffmpeg: Ffmpeg;
  logger: Logger;
}

export class RecordingManager {
  private readonly recorders = new Map<Stage, StageRecorder>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;
  private readonly logger: Logger;

  constructor(private readonly options: RecordingManagerOptions) {
    this.logger = options.logger.child({ component: 'recorder' });
    this.prepareRecordingsDir();
    this.checkFfmpeg();
    options.registry.onLifecycle({
      opened: (stage) => this.follow(stage),
      closed: (stage) => this.stopFollowing(stage),
    });
  }

  /** Finalizes every recording in progress as complete (at shutdown, before the stages close). */
  async close(): Promise<void> {
    this.closed = true;
    for (const stage of [...this.recorders.keys()]) this.stopFollowing(stage);
    await Promise.all([...this.closing]);
  }

  /**
   * The control room ended the talk now (or at `endedAt`), early or late: its replay ends there and
   * is available at once, while the stage's recording goes on. Undefined when the talk's stage is
   * not being recorded, or the talk is not in the recording.
   */
  endTalk(talkId: string, endedAt = new Date()): TalkReplay | undefined {
    const talk = getTalk(this.options.db, talkId);
    const recording = talk && listUnfinishedRecordings(this.options.db).find((candidate) => candidate.stageId === talk.stageId);
    if (!recording) return undefined;
    const replay = endTalkReplay(this.options.db, recording.id, talkId, endedAt);
    this.logger.info({ talk: talkId, recording: recording.id, replay: replay?.id, endedAt }, 'talk ended');
    return replay;
  }

  private follow(stage: Stage): void {
    if (this.closed || this.recorders.has(stage)) return;
    // Recordings belong to a stage of the programme (the database refuses others).
    if (!getStage(this.options.db, stage.id)) {
      this.logger.warn({ stage: stage.id }, 'stage is not in the programme; not recorded');
      return;
    }
    const { db, recordingsDir } = this.options;
    this.recorders.set(stage, new StageRecorder(stage, { db, recordingsDir, ffmpeg: this.options.ffmpeg, logger: this.logger }));
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
