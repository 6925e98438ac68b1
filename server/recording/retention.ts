/**
 * Each stage's retention rule: a finished recording older than its stage keeps recordings is
 * deleted, rows and files, so a server left running (the demo stage records day and night)
 * does not fill its disk.
 */
import { rmSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { deleteRecording, listExpiredRecordings, type Recording } from '../storage/recordings.js';
import { recordingDirectory } from './layout.js';

/** A retention rule is in hours; looking every ten minutes deletes a recording at most that late. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes a recording with its segments and replays, and its folder. */
export function removeRecording(db: Database, recordingsDir: string, recording: Pick<Recording, 'id' | 'stageId'>): void {
  deleteRecording(db, recording.id);
  rmSync(recordingDirectory(recordingsDir, recording.stageId, recording.id), { recursive: true, force: true });
}

export class RecordingRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { db: Database; recordingsDir: string; logger: Logger }) {}

  /** Deletes what is due now, then looks again every few minutes. */
  start(): void {
    this.sweep();
    this.timer ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  /** The recordings deleted. */
  sweep(now = new Date()): Recording[] {
    const expired = listExpiredRecordings(this.deps.db, now);
    for (const recording of expired) {
      try {
        removeRecording(this.deps.db, this.deps.recordingsDir, recording);
        this.deps.logger.info(
          { recording: recording.id, stage: recording.stageId, endedAt: recording.endedAt },
          'recording deleted by its stage’s retention rule',
        );
      } catch (error) {
        this.deps.logger.error({ err: error, recording: recording.id }, 'could not delete an expired recording; trying again at the next sweep');
      }
    }
    return expired;
  }

  /** Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
