/**
 * At start-up, before anything else touches recordings: a recording still marked as in progress
 * was cut off when the server stopped (crash, SIGKILL, power loss). Its runs' playlists on disk
 * list segments that may not have reached the database yet; they are added, the recording's
 * playlist is closed (VOD, ENDLIST) so it plays, and the recording is marked interrupted.
 */
import { rm } from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { listSegments, type RecordingSegment, recordedSegmentFiles } from '../storage/recordingSegments.js';
import { listUnfinishedRecordings, type Recording } from '../storage/recordings.js';
import { listRuns, recordingDirectory } from './layout.js';
import { endLeftoverFfmpeg } from './leftoverFfmpeg.js';
import { writeRecordingPlaylist } from './recordingPlaylist.js';
import { finalizeRow } from './recordingSession.js';
import { readRunPlaylist } from './runPlaylist.js';
import { emptyLedger, recordListedSegments } from './segmentLedger.js';

const INTERRUPTED_REASON = 'the server stopped while recording';

/** Returns how many recordings were recovered. */
export async function recoverInterruptedRecordings(db: Database, recordingsDir: string, logger: Logger): Promise<number> {
  const unfinished = listUnfinishedRecordings(db);
  for (const recording of unfinished) {
    const recordingLogger = logger.child({ component: 'recorder', stage: recording.stageId, recording: recording.id });
    // One recording that cannot be recovered must not keep the server from starting; it is then
    // marked interrupted, without its last segments, by cleanUpAfterRestart.
    await recoverRecording(db, recordingsDir, recording, recordingLogger).catch((error: unknown) =>
      recordingLogger.error({ err: error }, 'could not recover a recording cut off by a server stop'),
    );
  }
  return unfinished.length;
}

async function recoverRecording(db: Database, recordingsDir: string, recording: Recording, logger: Logger): Promise<void> {
  const directory = recordingDirectory(recordingsDir, recording.stageId, recording.id);
  const known = listSegments(db, recording.id);
  // Lost segments too: a run playlist still lists them, and they must not come back.
  const ledger = emptyLedger(recordedSegmentFiles(db, recording.id));
  for (const run of listRuns(directory)) {
    try {
      await endLeftoverFfmpeg(run, logger);
      await recordListedSegments(db, recording.id, directory, await readRunPlaylist(run.playlist), ledger, logger);
    } catch (error) {
      logger.warn({ err: error, run: run.number }, 'could not read a run playlist; its segments are left out');
    }
    await rm(run.sdp, { force: true }).catch(() => undefined);
  }
  const segments = listSegments(db, recording.id);
  try {
    await writeRecordingPlaylist(directory, segments, true);
  } catch (error) {
    logger.error({ err: error }, 'could not close the playlist of an interrupted recording');
  }
  finalizeRow(db, recording.id, { status: 'interrupted', failureReason: INTERRUPTED_REASON }, logger, endOf(recording, segments));
  logger.warn({ segmentsFound: segments.length - known.length }, 'recovered a recording cut off by a server stop');
}

/** When the last segment ends: the server stopped recording then, not when it started again. */
function endOf(recording: Recording, segments: RecordingSegment[]): Date {
  const last = segments.at(-1);
  const startedAt = Date.parse(recording.startedAt);
  if (!last) return new Date(startedAt);
  return new Date(Math.max(startedAt, Date.parse(last.programDateTime) + last.durationSeconds * 1000));
}
