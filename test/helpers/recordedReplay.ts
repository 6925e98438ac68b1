/**
 * A data directory with a finished recording and its talk's replay, made the way the recorder
 * leaves them (rows in SQLite, MPEG-TS segments and a VOD playlist from real ffmpeg), without
 * running a stage for it: for tests about who may fetch recorded media, and how it is cached.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingDirectory, RECORDING_PLAYLIST } from '../../server/recording/layout.js';
import { recordingPlaylistText } from '../../server/recording/recordingPlaylist.js';
import { openDatabase } from '../../server/storage/database.js';
import { createEvent } from '../../server/storage/events.js';
import { finishRecording, startRecording } from '../../server/storage/recordings.js';
import { appendSegment, listSegments } from '../../server/storage/recordingSegments.js';
import { listReplays, refreshTalkReplays } from '../../server/storage/replays.js';
import { createSpeaker } from '../../server/storage/speakers.js';
import { createStage } from '../../server/storage/stages.js';
import { createTalk } from '../../server/storage/talks.js';
import { TEST_FFMPEG } from './mediaTools.js';

const SEGMENT_SECONDS = 2;
/** How long a recording is unless `seconds` says otherwise. */
const DEFAULT_SECONDS = 4;

interface RecordedTalk {
  title: string;
  description?: string;
  speakers?: string[];
}

export interface RecordedEvent {
  eventId: string;
  stageId: string;
  visibility: 'public' | 'private';
  /** The recorded talk; by default "Öppning" without speakers. */
  talk?: RecordedTalk;
  /** Talks after it in the same recording, which then shares its time evenly among them all. */
  laterTalks?: RecordedTalk[];
  /** The recording's length, a multiple of 2 s; 4 s by default. */
  seconds?: number;
}

export interface RecordedReplay extends RecordedEvent {
  recordingId: string;
  /** The first talk's replay. */
  replayId: string;
  /** Every talk's replay, in programme order. */
  replayIds: string[];
  segmentFiles: string[];
}

export interface RecordedFolders {
  dataDir: string;
  recordingsDir: string;
  replays: RecordedReplay[];
}

/** One event, stage, talk (or more), recording (4 s by default) and replay per talk for each of `events`, in fresh folders. */
export function prepareRecordedReplays(events: RecordedEvent[]): RecordedFolders {
  const base = mkdtempSync(join(tmpdir(), 'estrad-recorded-'));
  const dataDir = join(base, 'data');
  const recordingsDir = join(base, 'recordings');
  mkdirSync(dataDir);
  const db = openDatabase(dataDir);
  try {
    const replays = events.map((event) => {
      createEvent(db, {
        id: event.eventId,
        title: `Dag ${event.eventId}`,
        description: '',
        timeZone: 'Europe/Stockholm',
        language: 'sv',
        visibility: event.visibility,
      });
      createStage(db, { id: event.stageId, eventId: event.eventId, title: 'Stora salen' });
      const startedAt = new Date(Date.now() - 60_000);
      const seconds = event.seconds ?? DEFAULT_SECONDS;
      const talks = [event.talk ?? { title: 'Öppning' }, ...(event.laterTalks ?? [])];
      const slotMs = (seconds * 1000) / talks.length;
      for (const [index, talk] of talks.entries()) {
        const speakerIds = (talk.speakers ?? []).map((name) => createSpeaker(db, { eventId: event.eventId, name }).id);
        // The first talk starts before the recording and the last ends after it, as a programme's would.
        createTalk(db, {
          stageId: event.stageId,
          title: talk.title,
          description: talk.description ?? '',
          kind: 'talk',
          plannedStart: index === 0 ? new Date(startedAt.getTime() - 60_000) : new Date(startedAt.getTime() + index * slotMs),
          plannedEnd: index === talks.length - 1 ? new Date() : new Date(startedAt.getTime() + (index + 1) * slotMs),
          speakerIds,
        });
      }
      const recording = startRecording(db, event.stageId, startedAt);
      const folder = recordingDirectory(recordingsDir, event.stageId, recording.id);
      const segmentFiles = writeSegments(folder, seconds / SEGMENT_SECONDS);
      for (const [index, file] of segmentFiles.entries()) {
        appendSegment(db, {
          recordingId: recording.id,
          file,
          durationSeconds: SEGMENT_SECONDS,
          programDateTime: new Date(startedAt.getTime() + index * SEGMENT_SECONDS * 1000).toISOString(),
          discontinuity: false,
          sizeBytes: statSync(join(folder, file)).size,
        });
      }
      writeFileSync(join(folder, RECORDING_PLAYLIST), recordingPlaylistText(listSegments(db, recording.id), true));
      finishRecording(db, recording.id, { status: 'complete' }, new Date(startedAt.getTime() + seconds * 1000));
      refreshTalkReplays(db, recording.id);
      const replayIds = listReplays(db, { recordingId: recording.id }).map((replay) => replay.id);
      if (replayIds.length !== talks.length) throw new Error(`${replayIds.length} replays were cut from ${talks.length} talks on ${event.stageId}`);
      return { ...event, recordingId: recording.id, replayId: replayIds[0]!, replayIds, segmentFiles };
    });
    return { dataDir, recordingsDir, replays };
  } finally {
    db.close();
  }
}

/** H.264 + AAC in MPEG-TS, as the recorder writes them. */
function writeSegments(folder: string, count: number): string[] {
  mkdirSync(folder, { recursive: true });
  execFileSync(TEST_FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=320x240:rate=25:duration=${count * SEGMENT_SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${count * SEGMENT_SECONDS}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-f',
    'segment',
    '-segment_time',
    String(SEGMENT_SECONDS),
    '-segment_format',
    'mpegts',
    '-reset_timestamps',
    '0',
    join(folder, 'r001-%05d.ts'),
  ]);
  return Array.from({ length: count }, (_, index) => `r001-${String(index).padStart(5, '0')}.ts`);
}
