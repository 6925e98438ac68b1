/** Chapter markers technicians set while a stage is recorded; replays list them among their chapters. */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface ChapterMarker {
  id: string;
  recordingId: string;
  at: string;
  /** Empty when the technician gave none. */
  title: string;
}

const columns = 'id, recording_id AS recordingId, at, title';

const statements = preparedOnce((db) => ({
  insert: db.prepare<ChapterMarker>('INSERT INTO chapter_markers (id, recording_id, at, title) VALUES (@id, @recordingId, @at, @title)'),
  byRecording: db.prepare<[string], ChapterMarker>(`SELECT ${columns} FROM chapter_markers WHERE recording_id = ? ORDER BY at, id`),
}));

export function addChapterMarker(db: Database, recordingId: string, title: string, at = new Date()): ChapterMarker {
  const marker = { id: newId(), recordingId, at: toIsoTime(at), title };
  statements(db).insert.run(marker);
  return marker;
}

/** The recording's markers in time order. */
export function listChapterMarkers(db: Database, recordingId: string): ChapterMarker[] {
  return statements(db).byRecording.all(recordingId);
}
