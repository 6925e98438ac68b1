/**
 * Follows one stage and records it while it is live: a recording starts when something goes on
 * air, continues with a new run when the recorded tracks change (another speaker, a microphone
 * opened or closed, a screen share, a track paused or resumed, a media rebuild), and is finalized
 * once nothing has been on air for a few seconds.
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Ffmpeg } from '../config/ffmpeg.js';
import type { ProducerInfo, Program } from '../../shared/protocol.js';
import type { StageChange } from '../domain/stage.js';
import type { RecordingOutcome } from '../storage/recordings.js';
import type { TappableStage } from './recordingRun.js';
import { recordingFolderProblem } from './diskSpace.js';
import { RecordingSession, type SessionOptions } from './recordingSession.js';
import { selectRecordedTracks, type TrackSelection } from './trackSelection.js';

/** What the recorder needs of a stage (Stage has it). */
export interface RecordableStage extends TappableStage {
  onAirProducers(): ProducerInfo[];
  /** What is on air, with the slate's feed while the slate is shown. */
  recordableProducers(): ProducerInfo[];
  currentProgram(): Program;
  onChange(listener: (change: StageChange) => void): () => void;
}

export interface StageRecorderOptions {
  db: Database;
  recordingsDir: string;
  ffmpeg: Ffmpeg;
  logger: Logger;
  /** Whether the technicians want the stage recorded while it is live (RecordingControl); asked on every change. */
  isRecorded(): boolean;
}

/** On-air changes come in bursts (camera and microphone a moment apart): act once they settle. */
const SETTLE_MS = 300;
/** Nothing on air for this long ends the recording (a speaker reconnecting comes back sooner). */
const OFF_AIR_STOP_MS = 3_000;
/**
 * After a failed recording, a new one starts this soon, and twice as late after each further
 * failure, up to the cap: a recorder that keeps failing does not start a recording every second.
 */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;
/** A recording that ran this long before failing was a healthy one: the next wait is the first again. */
const HEALTHY_RECORDING_MS = 60_000;
/** While the folder cannot be written (a full disk), it is checked again this often; checking costs nothing. */
const FOLDER_CHECK_MS = 2_000;

export class StageRecorder {
  private session: RecordingSession | undefined;
  private sessionStartedAt = 0;
  private settleTimer: NodeJS.Timeout | undefined;
  /** Whether every change since the last apply was a feed switch. */
  private feedSwitchPending = false;
  private offAirTimer: NodeJS.Timeout | undefined;
  /** Set while the stage is on air unrecorded after a failure: the next try is then due. */
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_FIRST_MS;
  /** Since when the stage is on air without a recording, after a failure; undefined otherwise. */
  private unrecordedSince: number | undefined;
  /** Why the last check found the stage's folder unwritable. */
  private folderProblem: string | undefined;
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly logger: Logger;

  constructor(
    private readonly stage: RecordableStage,
    private readonly options: StageRecorderOptions,
  ) {
    this.logger = options.logger.child({ stage: stage.id });
    this.unsubscribe = stage.onChange((change) => this.changed(change));
    this.changed('on-air');
  }

  /** Stops following the stage; a recording in progress is finalized as complete. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.settleTimer);
    clearTimeout(this.offAirTimer);
    clearTimeout(this.retryTimer);
    await this.enqueue(() => this.endSession({ status: 'complete' }));
  }

  /** Something on the stage or the recording switch changed: the recorder acts once things settle. */
  changed(change: StageChange | 'recording-switch'): void {
    // Any other change since the last apply makes it an ordinary one.
    this.feedSwitchPending = change === 'feed-switch' && (this.settleTimer === undefined || this.feedSwitchPending);
    clearTimeout(this.settleTimer);
    // A feed switch is whole within the tick it happens in: the next tick records what it put on air.
    this.settleTimer = setTimeout(
      () => {
        const feedSwitch = this.feedSwitchPending;
        [this.settleTimer, this.feedSwitchPending] = [undefined, false];
        void this.enqueue(() => this.apply(feedSwitch));
      },
      change === 'feed-switch' ? 0 : SETTLE_MS,
    );
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step).catch((error: unknown) => this.logger.error({ err: error }, 'stage recorder step failed'));
    this.chain = next;
    return next;
  }

  /** `feedSwitch`: all that changed was a feed switch, whose new run may overlap the previous one's end. */
  private async apply(feedSwitch = false): Promise<void> {
    if (this.closed) return;
    if (!this.options.isRecorded()) {
      await this.stopRecording();
      return;
    }
    if (this.stage.onAirProducers().length === 0) {
      this.armOffAirStop();
      return;
    }
    clearTimeout(this.offAirTimer);
    this.offAirTimer = undefined;
    const selection = this.currentSelection();
    if (this.retryTimer) return;
    if (!selection) await this.session?.standBy();
    else if (this.session) await this.session.follow(selection, feedSwitch);
    else await this.startSession(selection);
  }

  private async startSession(selection: TrackSelection): Promise<void> {
    if (this.unrecordedSince !== undefined) {
      // Trying again after a failure: only once the folder can take a recording, so a full disk
      // does not leave a trail of failed recordings behind.
      const problem = await recordingFolderProblem(this.options.recordingsDir, this.stage.id);
      // Said once per cause, not every check: the error log and /metrics already raised the alarm.
      if (problem && problem !== this.folderProblem) {
        this.logger.error({ reason: problem, unrecordedSeconds: this.unrecordedSeconds() }, 'stage still on air without a recording');
      }
      this.folderProblem = problem;
      if (problem) {
        this.scheduleRetry(FOLDER_CHECK_MS);
        return;
      }
    }
    this.sessionStartedAt = Date.now();
    this.session = await RecordingSession.start(this.sessionOptions(), selection);
    if (!this.session || this.unrecordedSince === undefined) return;
    this.logger.info({ unrecordedSeconds: this.unrecordedSeconds() }, 'stage recorded again after a failed recording');
    this.unrecordedSince = undefined;
  }

  /**
   * A recording failed while the stage stays on air: never for good. The stage is recorded again
   * (a new recording) once the wait is over and its folder can be written; meanwhile the error
   * log says so, and /metrics counts the stage among those on air unrecorded.
   */
  private recordingFailed(reason: string): void {
    this.session = undefined;
    if (this.closed) return;
    if (Date.now() - this.sessionStartedAt >= HEALTHY_RECORDING_MS) this.retryDelayMs = RETRY_FIRST_MS;
    this.unrecordedSince ??= Date.now();
    this.logger.error({ reason, retryInSeconds: this.retryDelayMs / 1000 }, 'stage on air without a recording; a new one starts soon');
    this.scheduleRetry(this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  private scheduleRetry(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.enqueue(() => this.apply());
    }, delayMs);
  }

  private unrecordedSeconds(): number {
    return Math.round((Date.now() - (this.unrecordedSince ?? Date.now())) / 1000);
  }

  private armOffAirStop(): void {
    if (this.offAirTimer) return;
    this.offAirTimer = setTimeout(() => void this.enqueue(() => this.wentOffAir()), OFF_AIR_STOP_MS);
  }

  private async wentOffAir(): Promise<void> {
    this.offAirTimer = undefined;
    if (this.stage.onAirProducers().length > 0) return;
    await this.stopRecording();
  }

  /**
   * Off air, or recording switched off: the recording in progress ends complete, and nothing is
   * missing, so the next recording (on air again, switched on again) starts at once.
   */
  private async stopRecording(): Promise<void> {
    clearTimeout(this.offAirTimer);
    this.offAirTimer = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.unrecordedSince = undefined;
    this.retryDelayMs = RETRY_FIRST_MS;
    await this.endSession({ status: 'complete' });
  }

  private async endSession(outcome: RecordingOutcome): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.finish(outcome);
  }

  private currentSelection(): TrackSelection | undefined {
    return selectRecordedTracks(this.stage.recordableProducers(), this.stage.currentProgram());
  }

  private sessionOptions(): SessionOptions {
    return {
      ...this.options,
      stage: this.stage,
      logger: this.logger,
      currentSelection: () => (this.closed ? undefined : this.currentSelection()),
      onFailed: (reason) => this.recordingFailed(reason),
    };
  }
}
