/**
 * One recording of a stage, from the first on-air moment to its end: a database row, a folder,
 * and a sequence of ffmpeg runs whose segments are gathered into the database and `index.m3u8`.
 * Runs come and go (new tracks, ffmpeg exits, media rebuilds); what they wrote stays.
 */
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Ffmpeg } from '../config/ffmpeg.js';
import { listSegments, markAllSegmentsLost, markSegmentLost, segmentTotals } from '../storage/recordingSegments.js';
import {
  finishRecording,
  getRecording,
  markRecordingDamaged,
  type Recording,
  type RecordingOutcome,
  startRecording,
  updateRecordingProgress,
} from '../storage/recordings.js';
import { refreshTalkReplays } from '../storage/replays.js';
import { diskSpaceProblem } from './diskSpace.js';
import { recordingDirectory, runFiles } from './layout.js';
import { writeRecordingPlaylist } from './recordingPlaylist.js';
import type { FfmpegExit } from './ffmpegProcess.js';
import { RecordingRun, type TappableStage } from './recordingRun.js';
import { datedFromMediaStart, readRunPlaylist, runPlaylistVersion } from './runPlaylist.js';
import { emptyLedger, recordListedSegments, segmentFileProblem } from './segmentLedger.js';
import type { TrackSelection } from './trackSelection.js';

export interface SessionOptions {
  db: Database;
  stage: TappableStage;
  recordingsDir: string;
  ffmpeg: Ffmpeg;
  logger: Logger;
  /** What should be recorded now; asked again before replacing a failed run. */
  currentSelection(): TrackSelection | undefined;
  /** The recording has been finalized as failed; the stage should not start another at once. */
  onFailed(reason: string): void;
}

/** How often each run's playlist is read for new segments: the wait adds to live-HLS delay. */
const POLL_INTERVAL_MS = 100;
/**
 * After a run ends unexpectedly the next one starts at once: every moment until it runs is missing
 * from the recording. Only when runs keep failing does the next one wait this long.
 */
const RESTART_DELAY_MS = 250;
/** This many failed runs within the window fail the recording instead of restarting again. */
const MAX_FAILED_RUNS = 3;
const FAILED_RUNS_WINDOW_MS = 10_000;
const DISK_CHECK_INTERVAL_MS = 5_000;
/** How soon a talk gets its replay once its planned end has passed, while the recording goes on. */
const TALK_END_CHECK_INTERVAL_MS = 5_000;

export class RecordingSession {
  private run: RecordingRun | undefined;
  private runNumber = 0;
  private readonly failedRunTimes: number[] = [];
  private readonly ledger = emptyLedger();
  /** Every change (new run, segments gathered, end) happens in turn on this chain. */
  private chain: Promise<void> = Promise.resolve();
  private readonly pollTimer: NodeJS.Timeout;
  private readonly diskTimer: NodeJS.Timeout;
  private readonly talkEndTimer: NodeJS.Timeout;
  private pollQueued = false;
  /** The run playlist version last read, so an unchanged one is not parsed again every poll. */
  private gatheredVersion: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private finished = false;
  /** Tells of files of the folder changing: a segment deleted or overwritten, the folder removed. */
  private watcher: FSWatcher | undefined;
  private readonly lostFiles: string[] = [];

  private constructor(
    readonly recording: Recording,
    private readonly directory: string,
    private readonly options: SessionOptions,
    private readonly logger: Logger,
  ) {
    this.pollTimer = setInterval(() => this.queuePoll(), POLL_INTERVAL_MS);
    this.diskTimer = setInterval(() => void this.enqueue(() => this.checkDiskSpace()), DISK_CHECK_INTERVAL_MS);
    // A stage kept live all day (the demo) has one recording: its talks get replays as they end.
    this.talkEndTimer = setInterval(() => void this.enqueue(async () => this.replayEndedTalks()), TALK_END_CHECK_INTERVAL_MS);
    this.watchFolder();
  }

  /**
   * Starts a recording of the selected tracks. When its folder cannot be created or written, the
   * recording is finalized as failed at once and undefined is returned.
   */
  static async start(options: SessionOptions, selection: TrackSelection): Promise<RecordingSession | undefined> {
    const { db, stage, recordingsDir } = options;
    const recording = startRecording(db, stage.id);
    const logger = options.logger.child({ recording: recording.id });
    const directory = recordingDirectory(recordingsDir, stage.id, recording.id);
    try {
      await mkdir(directory, { recursive: true });
      const noSpace = await diskSpaceProblem(directory);
      if (noSpace) throw new Error(noSpace);
      await writeRecordingPlaylist(directory, [], false);
    } catch (error) {
      const reason = `cannot write the recording folder ${directory}: ${(error as Error).message}`;
      logger.error({ err: error }, `recording failed: ${reason}`);
      finalizeRow(db, recording.id, { status: 'failed', failureReason: reason }, logger);
      options.onFailed(reason);
      return undefined;
    }
    logger.info({ directory }, 'recording started');
    const session = new RecordingSession(recording, directory, options, logger);
    void session.follow(selection);
    return session;
  }

  get id(): string {
    return this.recording.id;
  }

  /**
   * Records these tracks from now on: a new run when they differ from the current run's. `overlap`
   * (a feed switch): the new run starts while the previous one finishes, see ensureRun.
   */
  follow(selection: TrackSelection, overlap = false): Promise<void> {
    return this.enqueue(() => this.ensureRun(selection, overlap));
  }

  /**
   * The stage is live but sends nothing (every track paused): the current run ends, the recording
   * goes on, and the next run (after a discontinuity) starts when something is sent again.
   */
  standBy(): Promise<void> {
    return this.enqueue(async () => {
      if (this.run) await this.endRun(this.run);
    });
  }

  /** Stops the current run gracefully and finalizes the recording. */
  finish(outcome: RecordingOutcome): Promise<void> {
    return this.enqueue(() => this.finalize(outcome));
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step).catch((error: unknown) => this.logger.error({ err: error }, 'recorder step failed'));
    this.chain = next;
    return next;
  }

  /**
   * With `overlap`, the next run starts while the previous one writes its last segment (ffmpeg
   * takes a few hundred milliseconds to start, as long to finish): the hole a feed switch leaves in
   * the recording is one start, not a finish and a start. The new run's segments are gathered only
   * after this step, so they follow the previous run's last one. Other changes (a speaker's tracks
   * arriving one by one) end the previous run first, as the recorder's duration checks expect.
   */
  private async ensureRun(selection: TrackSelection, overlap: boolean): Promise<void> {
    if (this.finished || this.run?.selection.key === selection.key) return;
    const previous = this.run;
    if (previous && !overlap) await this.endRun(previous);
    await Promise.all([overlap && previous && this.endRun(previous), this.startRun(selection)]);
  }

  private async startRun(selection: TrackSelection): Promise<void> {
    const files = runFiles(this.directory, ++this.runNumber);
    const { stage, ffmpeg } = this.options;
    let run: RecordingRun;
    try {
      run = await RecordingRun.start({ stage, selection, files, ffmpeg, logger: this.logger });
    } catch (error) {
      if (this.options.currentSelection()?.key !== selection.key) {
        // What is on air changed while the run started (a speaker stopped a share): not a recorder
        // failure, so it must not count towards failing the recording. The change's own follow()
        // is queued behind this step and records what is on air now.
        this.logger.info({ err: error, run: this.runNumber }, 'recorder run not started: what is on air changed meanwhile');
        return;
      }
      await this.runFailed(`the recorder could not start: ${(error as Error).message}`);
      return;
    }
    this.run = run;
    void run.exited.then((exit) => {
      if (!exit.requested) void this.enqueue(() => this.runEnded(run, exit));
    });
  }

  /** A graceful end: ffmpeg writes its last segment, which is gathered before anything else. */
  private async endRun(run: RecordingRun): Promise<void> {
    this.run = undefined;
    await run.stop();
    await this.gather(run);
  }

  /**
   * ffmpeg ended without being asked: it failed or was killed, or it ended cleanly because its
   * input went quiet (every track paused for a minute). A new run continues the recording; only
   * quick repeated failures fail it, which quiet inputs (a minute apart) never add up to.
   */
  private async runEnded(run: RecordingRun, exit: FfmpegExit): Promise<void> {
    if (this.run !== run) return;
    this.run = undefined;
    await this.gather(run);
    await this.runFailed(exit.error ?? 'ffmpeg ended on its own (its input went quiet)');
  }

  private async runFailed(reason: string): Promise<void> {
    if (this.finished) return;
    const now = Date.now();
    this.failedRunTimes.push(now);
    while (this.failedRunTimes[0]! < now - FAILED_RUNS_WINDOW_MS) this.failedRunTimes.shift();
    if (this.failedRunTimes.length >= MAX_FAILED_RUNS) {
      await this.fail(`${MAX_FAILED_RUNS} recorder runs failed within ${FAILED_RUNS_WINDOW_MS / 1000} s; last: ${reason}`);
      return;
    }
    this.logger.warn({ reason, run: this.runNumber }, 'recorder run ended unexpectedly; continuing with a new run');
    this.scheduleNextRun(this.failedRunTimes.length === 1 ? 0 : RESTART_DELAY_MS);
  }

  private scheduleNextRun(delayMs: number): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      const selection = this.options.currentSelection();
      if (selection) void this.follow(selection);
    }, delayMs);
  }

  private async checkDiskSpace(): Promise<void> {
    if (this.finished) return;
    const problem = await diskSpaceProblem(this.directory);
    if (problem) await this.fail(problem);
  }

  /**
   * What the recorder wrote can still go (a deletion, a disk cleanup, `rm -rf`) or be overwritten
   * after it was listed: each such segment stops being listed, and the recording says it is damaged.
   */
  private watchFolder(): void {
    try {
      this.watcher = watch(this.directory, (_event, file) => {
        const segment = file !== null && this.ledger.inDatabase.has(file) ? file : undefined;
        // An event without a name, or with the folder's own, may be the folder itself going.
        if (segment || file === null || file === basename(this.directory)) void this.enqueue(() => this.checkFiles(segment));
      });
      this.watcher.on('error', () => void this.enqueue(() => this.checkFiles(undefined)));
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot watch the recording folder; damage to it will not be noticed');
    }
  }

  /** Checks one segment, or (undefined) whether the folder is still there. */
  private async checkFiles(file: string | undefined): Promise<void> {
    if (this.finished) return;
    if (!(await folderExists(this.directory))) {
      await this.folderDeleted();
      return;
    }
    if (file === undefined || !this.ledger.written.has(file)) return;
    const problem = await segmentFileProblem(join(this.directory, file), this.ledger.written.get(file));
    if (!problem) return;
    this.ledger.written.delete(file);
    if (!markSegmentLost(this.options.db, this.id, file)) return;
    this.lostFiles.push(file);
    const damage = `${this.lostFiles.length} segment${this.lostFiles.length === 1 ? '' : 's'} lost on disk after recording (last: ${file}, ${problem})`;
    this.logger.error({ file, problem, damage }, 'a recorded segment is gone or changed on disk; no longer listed');
    markRecordingDamaged(this.options.db, this.id, damage);
    this.updateTotals();
    await this.writePlaylist(false);
  }

  /** Everything recorded so far is gone: this recording ends failed, and the stage's recorder starts a new one. */
  private async folderDeleted(): Promise<void> {
    await this.fail(`the recording's folder ${this.directory} was deleted while recording`);
  }

  private markFolderLost(): void {
    const lost = markAllSegmentsLost(this.options.db, this.id);
    const damage = `the recording's folder was deleted; ${lost} segment${lost === 1 ? '' : 's'} lost`;
    this.logger.error({ directory: this.directory, damage }, 'the recording folder is gone');
    markRecordingDamaged(this.options.db, this.id, damage);
  }

  private updateTotals(): void {
    const totals = segmentTotals(this.options.db, this.id);
    updateRecordingProgress(this.options.db, this.id, { durationSeconds: totals.durationSeconds, sizeBytes: totals.sizeBytes });
  }

  private replayEndedTalks(): void {
    if (this.finished) return;
    try {
      refreshTalkReplays(this.options.db, this.id);
    } catch (error) {
      this.logger.error({ err: error }, 'could not create the replays of talks that ended');
    }
  }

  private queuePoll(): void {
    const run = this.run;
    if (!run || this.pollQueued) return;
    this.pollQueued = true;
    void this.enqueue(async () => {
      this.pollQueued = false;
      if (this.run !== run) return;
      if (getRecording(this.options.db, this.id)) await this.gather(run);
      else await this.abandon();
    });
  }

  /** The recording was deleted (through the API) while in progress: stop, keep nothing in it. */
  private async abandon(): Promise<void> {
    this.logger.warn('the recording was deleted while in progress; recording stopped');
    this.finished = true;
    this.stopTimers();
    const run = this.run;
    this.run = undefined;
    await run?.stop();
  }

  private stopTimers(): void {
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.pollTimer);
    clearInterval(this.diskTimer);
    clearInterval(this.talkEndTimer);
    clearTimeout(this.restartTimer);
  }

  /** Moves the run's new segments into the database and rewrites the recording's playlist. */
  private async gather(run: RecordingRun): Promise<void> {
    const { db } = this.options;
    const version = await runPlaylistVersion(run.files.playlist);
    if (version !== undefined && version === this.gatheredVersion) return;
    let listed;
    try {
      listed = datedFromMediaStart(await readRunPlaylist(run.files.playlist), run.mediaStartedAtMs);
      this.gatheredVersion = version;
    } catch (error) {
      this.logger.warn({ err: error, run: run.files.number }, 'could not read the run playlist; trying again');
      return;
    }
    const appended = await recordListedSegments(db, this.id, this.directory, listed, this.ledger, this.logger);
    if (appended.length === 0) return;
    this.updateTotals();
    await this.writePlaylist(false);
  }

  /** Ends the recording as failed, keeping what it recorded, and says why in the log and the database. */
  private async fail(failureReason: string): Promise<void> {
    this.logger.error({ reason: failureReason }, `recording failed: ${failureReason}`);
    await this.finalize({ status: 'failed', failureReason });
    this.options.onFailed(failureReason);
  }

  private async finalize(outcome: RecordingOutcome): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.stopTimers();
    if (this.run) await this.endRun(this.run);
    if (await folderExists(this.directory)) await this.writePlaylist(true);
    else this.markFolderLost();
    finalizeRow(this.options.db, this.id, outcome, this.logger);
  }

  private async writePlaylist(ended: boolean): Promise<void> {
    try {
      await writeRecordingPlaylist(this.directory, listSegments(this.options.db, this.id), ended);
    } catch (error) {
      // ffmpeg is likely failing for the same reason (disk full); its failures decide the outcome.
      this.logger.error({ err: error }, 'could not write the recording playlist');
    }
  }
}

async function folderExists(directory: string): Promise<boolean> {
  return (await stat(directory).catch(() => undefined))?.isDirectory() === true;
}

/** Ends the database row with the segments' totals, and lets per-talk replays see it. */
export function finalizeRow(db: Database, recordingId: string, outcome: RecordingOutcome, logger: Logger, endedAt = new Date()): void {
  const totals = segmentTotals(db, recordingId);
  finishRecording(db, recordingId, { ...outcome, durationSeconds: totals.durationSeconds, sizeBytes: totals.sizeBytes }, endedAt);
  try {
    refreshTalkReplays(db, recordingId);
  } catch (error) {
    logger.error({ err: error }, 'could not create the replays of this recording');
  }
  logger.info({ status: outcome.status, segments: totals.count, durationSeconds: totals.durationSeconds, sizeBytes: totals.sizeBytes }, 'recording finalized');
}
