/**
 * Follows one stage and records it while it is live: a recording starts when something goes on
 * air, continues with a new run when the recorded tracks change (another speaker, a screen share,
 * a track paused or resumed, a media rebuild), and is finalized once nothing has been on air for
 * a few seconds.
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ProducerInfo } from '../../shared/protocol.js';
import type { RecordingOutcome } from '../storage/recordings.js';
import type { TappableStage } from './recordingRun.js';
import { RecordingSession, type SessionOptions } from './recordingSession.js';
import { selectRecordedTracks, type TrackSelection } from './trackSelection.js';

/** What the recorder needs of a stage (Stage has it). */
export interface RecordableStage extends TappableStage {
  onAirProducers(): ProducerInfo[];
  onChange(listener: () => void): () => void;
}

export interface StageRecorderOptions {
  db: Database;
  recordingsDir: string;
  ffmpegPath: string;
  logger: Logger;
}

/** On-air changes come in bursts (camera and microphone a moment apart): act once they settle. */
const SETTLE_MS = 300;
/** Nothing on air for this long ends the recording (a speaker reconnecting comes back sooner). */
const OFF_AIR_STOP_MS = 3_000;

export class StageRecorder {
  private session: RecordingSession | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private offAirTimer: NodeJS.Timeout | undefined;
  /** After a failed recording, the stage is not recorded again until it has gone off air. */
  private failedUntilOffAir = false;
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly logger: Logger;

  constructor(
    private readonly stage: RecordableStage,
    private readonly options: StageRecorderOptions,
  ) {
    this.logger = options.logger.child({ stage: stage.id });
    this.unsubscribe = stage.onChange(() => this.changed());
    this.changed();
  }

  /** Stops following the stage; a recording in progress is finalized as complete. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.settleTimer);
    clearTimeout(this.offAirTimer);
    await this.enqueue(() => this.endSession({ status: 'complete' }));
  }

  private changed(): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => void this.enqueue(() => this.apply()), SETTLE_MS);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step).catch((error: unknown) => this.logger.error({ err: error }, 'stage recorder step failed'));
    this.chain = next;
    return next;
  }

  private async apply(): Promise<void> {
    if (this.closed) return;
    if (this.stage.onAirProducers().length === 0) {
      this.armOffAirStop();
      return;
    }
    clearTimeout(this.offAirTimer);
    this.offAirTimer = undefined;
    const selection = this.currentSelection();
    if (this.failedUntilOffAir) return;
    if (!selection) await this.session?.standBy();
    else if (this.session) await this.session.follow(selection);
    else this.session = await RecordingSession.start(this.sessionOptions(), selection);
  }

  private armOffAirStop(): void {
    if (this.offAirTimer) return;
    this.offAirTimer = setTimeout(() => void this.enqueue(() => this.wentOffAir()), OFF_AIR_STOP_MS);
  }

  private async wentOffAir(): Promise<void> {
    this.offAirTimer = undefined;
    if (this.stage.onAirProducers().length > 0) return;
    this.failedUntilOffAir = false;
    await this.endSession({ status: 'complete' });
  }

  private async endSession(outcome: RecordingOutcome): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.finish(outcome);
  }

  private currentSelection(): TrackSelection | undefined {
    return selectRecordedTracks(this.stage.onAirProducers());
  }

  private sessionOptions(): SessionOptions {
    return {
      ...this.options,
      stage: this.stage,
      logger: this.logger,
      currentSelection: () => (this.closed ? undefined : this.currentSelection()),
      onFailed: () => {
        this.session = undefined;
        this.failedUntilOffAir = true;
      },
    };
  }
}
