/**
 * What technicians decide about recording, apart from going live: whether a stage is recorded
 * while it is live (kept in the database, so a restart keeps the choice), and chapter markers in
 * the recording in progress. The stage recorders follow the switch (RecordingManager).
 */
import type { Database } from 'better-sqlite3';
import type { ChapterMarkerInfo, RecordingControl as RecordingControlState } from '../../shared/programmeControl.js';
import { AppError } from '../errors.js';
import { addChapterMarker, listChapterMarkers } from '../storage/chapterMarkers.js';
import { listUnfinishedRecordings, type Recording } from '../storage/recordings.js';
import { isStageRecorded, setStageRecorded } from '../storage/stages.js';
import { diskSpace } from './diskSpace.js';

type SwitchListener = (stageId: string) => void;

/** How the control rooms hear of a technician's change, whoever made it (signalling implements it). */
export interface RecordingNotifier {
  recordingChanged(state: RecordingControlState): void;
}

export class RecordingControl {
  private readonly listeners = new Set<SwitchListener>();

  constructor(private readonly options: { db: Database; recordingsDir: string; notifier?: RecordingNotifier }) {}

  /** Whether the stage is to be recorded while live (a stage outside the programme: no). */
  isRecorded(stageId: string): boolean {
    return isStageRecorded(this.options.db, stageId) === true;
  }

  /** Starts (when live, at once) or stops recording the stage; the stage's live stream goes on either way. */
  setRecorded(stageId: string, recorded: boolean): void {
    if (this.isRecorded(stageId) === recorded) return;
    setStageRecorded(this.options.db, stageId, recorded);
    for (const listener of this.listeners) listener(stageId);
    void this.announce(stageId);
  }

  /** Calls `listener` with the stage whenever its switch changes; returns the unsubscribe function. */
  onSwitch(listener: SwitchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A chapter marker now in the stage's recording in progress. */
  addMarker(stageId: string, title: string): ChapterMarkerInfo {
    const recording = this.currentRecording(stageId);
    if (!recording) throw new AppError('conflict', `Stage "${stageId}" is not being recorded now; a chapter marker needs a recording in progress.`);
    const marker = addChapterMarker(this.options.db, recording.id, title);
    void this.announce(stageId);
    return marker;
  }

  async state(stageId: string): Promise<RecordingControlState> {
    const recording = this.currentRecording(stageId);
    const disk = await diskSpace(this.options.recordingsDir);
    return {
      stageId,
      recorded: this.isRecorded(stageId),
      current: recording
        ? {
            id: recording.id,
            status: recording.status,
            startedAt: recording.startedAt,
            durationSeconds: recording.durationSeconds,
            sizeBytes: recording.sizeBytes,
            markers: listChapterMarkers(this.options.db, recording.id),
          }
        : null,
      disk: disk ?? null,
    };
  }

  /** Pushes the stage's state to the control rooms; a failure to read the disk or the database only costs the push. */
  private async announce(stageId: string): Promise<void> {
    const { notifier } = this.options;
    if (!notifier) return;
    try {
      notifier.recordingChanged(await this.state(stageId));
    } catch {
      // The next change pushes again, and the panel reads the state whenever it opens.
    }
  }

  private currentRecording(stageId: string): Recording | undefined {
    return listUnfinishedRecordings(this.options.db).find((recording) => recording.stageId === stageId);
  }
}
