/**
 * Per-talk replays (server/domain/replayWindow.ts): each scheduled talk that overlaps a recording
 * gets its own window of that recording. Windows start at the talk's planned times; technicians
 * move the in and out points afterwards.
 */
import type { Database } from 'better-sqlite3';
import { mayEndReplayAt, segmentsInWindow } from '../domain/replayWindow.js';
import { preparedOnce } from './prepared.js';
import type { RecordingSegment } from './recordingSegments.js';
import { listSegments } from './recordingSegments.js';
import { toIsoTime } from './time.js';
import { newId } from './tokens.js';

export interface TalkReplay {
  id: string;
  talkId: string;
  recordingId: string;
  stageId: string;
  title: string;
  inAt: string;
  outAt: string;
}

export interface ReplayChanges {
  title?: string;
  inAt?: string;
  outAt?: string;
}

export const replayColumns = `r.id, r.talk_id AS talkId, r.recording_id AS recordingId, rec.stage_id AS stageId, r.title,
  r.in_at AS inAt, r.out_at AS outAt`;
export const fromReplays = 'FROM talk_replays r JOIN recordings rec ON rec.id = r.recording_id';

const statements = preparedOnce((db) => ({
  // A talk overlaps a recording when it starts before the recording ends and ends after it starts;
  // a recording in progress counts as ending now, and only its talks already over get a replay
  // (one still going would get one cut short). Breaks get no replay.
  overlappingTalks: db.prepare<{ recordingId: string; now: string }, { talkId: string; title: string; inAt: string; outAt: string }>(
    `SELECT t.id AS talkId, t.title, max(t.planned_start, rec.started_at) AS inAt,
            min(t.planned_end, coalesce(rec.ended_at, @now)) AS outAt
       FROM recordings rec JOIN talks t ON t.stage_id = rec.stage_id
      WHERE rec.id = @recordingId AND t.kind <> 'break'
        AND (rec.ended_at IS NOT NULL OR t.planned_end <= @now)
        AND max(t.planned_start, rec.started_at) < min(t.planned_end, coalesce(rec.ended_at, @now))`,
  ),
  talkInRecording: db.prepare<{ recordingId: string; talkId: string }, { title: string; inAt: string; recordingEndedAt: string | null }>(
    `SELECT t.title, max(t.planned_start, rec.started_at) AS inAt, rec.ended_at AS recordingEndedAt
       FROM recordings rec JOIN talks t ON t.stage_id = rec.stage_id
      WHERE rec.id = @recordingId AND t.id = @talkId`,
  ),
  endAt: db.prepare<{ id: string; talkId: string; recordingId: string; title: string; inAt: string; outAt: string }>(
    `INSERT INTO talk_replays (id, talk_id, recording_id, title, in_at, out_at)
     VALUES (@id, @talkId, @recordingId, @title, @inAt, @outAt)
     ON CONFLICT (talk_id, recording_id) DO UPDATE SET out_at = excluded.out_at`,
  ),
  byTalkAndRecording: db.prepare<[string, string], TalkReplay>(`SELECT ${replayColumns} ${fromReplays} WHERE r.talk_id = ? AND r.recording_id = ?`),
  insert: db.prepare<{ id: string; talkId: string; recordingId: string; title: string; inAt: string; outAt: string }>(
    `INSERT INTO talk_replays (id, talk_id, recording_id, title, in_at, out_at)
     VALUES (@id, @talkId, @recordingId, @title, @inAt, @outAt)
     ON CONFLICT (talk_id, recording_id) DO NOTHING`,
  ),
  get: db.prepare<[string], TalkReplay>(`SELECT ${replayColumns} ${fromReplays} WHERE r.id = ?`),
  listAll: db.prepare<[], TalkReplay>(`SELECT ${replayColumns} ${fromReplays} ORDER BY r.in_at, r.id`),
  listByStage: db.prepare<[string], TalkReplay>(`SELECT ${replayColumns} ${fromReplays} WHERE rec.stage_id = ? ORDER BY r.in_at, r.id`),
  listByRecording: db.prepare<[string], TalkReplay>(`SELECT ${replayColumns} ${fromReplays} WHERE r.recording_id = ? ORDER BY r.in_at, r.id`),
  update: db.prepare<{ id: string; title: string; inAt: string; outAt: string }>(
    'UPDATE talk_replays SET title = @title, in_at = @inAt, out_at = @outAt WHERE id = @id',
  ),
  delete: db.prepare<[string]>('DELETE FROM talk_replays WHERE id = ?'),
}));

/**
 * Creates the replays of talks that overlap a recording and are over (by the programme, or with
 * the recording); replays already there (maybe edited) stay. While recording, called as talks end.
 */
export function refreshTalkReplays(db: Database, recordingId: string, now = new Date()): void {
  db.transaction(() => {
    for (const talk of statements(db).overlappingTalks.all({ recordingId, now: toIsoTime(now) })) {
      statements(db).insert.run({ id: newId(), recordingId, ...talk });
    }
  })();
}

/**
 * The talk ended at `endedAt`, whatever the programme said (the control room ended it, early or
 * late): its replay in the recording ends there, created if it has none yet. Undefined when the
 * talk is not on the recording's stage or `endedAt` is not after the replay's start.
 */
export function endTalkReplay(db: Database, recordingId: string, talkId: string, endedAt: Date): TalkReplay | undefined {
  return db.transaction(() => {
    const talk = statements(db).talkInRecording.get({ recordingId, talkId });
    const outAt = toIsoTime(endedAt);
    if (!talk || !mayEndReplayAt(outAt, talk.inAt, talk.recordingEndedAt)) return undefined;
    statements(db).endAt.run({ id: newId(), talkId, recordingId, title: talk.title, inAt: talk.inAt, outAt });
    return statements(db).byTalkAndRecording.get(talkId, recordingId);
  })();
}

export function getReplay(db: Database, id: string): TalkReplay | undefined {
  return statements(db).get.get(id);
}

export function listReplays(db: Database, filter: { stageId?: string; recordingId?: string } = {}): TalkReplay[] {
  if (filter.recordingId) return statements(db).listByRecording.all(filter.recordingId);
  if (filter.stageId) return statements(db).listByStage.all(filter.stageId);
  return statements(db).listAll.all();
}

/** Renames a replay or moves its in/out points; undefined when there is none with that id. */
export function updateReplay(db: Database, id: string, changes: ReplayChanges): TalkReplay | undefined {
  const current = getReplay(db, id);
  if (!current) return undefined;
  const next = {
    id,
    title: changes.title ?? current.title,
    inAt: changes.inAt ? toIsoTime(changes.inAt) : current.inAt,
    outAt: changes.outAt ? toIsoTime(changes.outAt) : current.outAt,
  };
  statements(db).update.run(next);
  return getReplay(db, id);
}

export function deleteReplay(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}

/** The recording's segments that show any of the replay's window. */
export function replaySegments(db: Database, replay: TalkReplay): RecordingSegment[] {
  return segmentsInWindow(listSegments(db, replay.recordingId), replay);
}

export interface Chapter {
  replayId: string;
  talkId: string;
  title: string;
  /** Seconds from the start of the played segments. */
  startSeconds: number;
}

/**
 * The talks (by their replays' in points) within a played window of a recording, placed on the
 * played media's own timeline: the sum of the segments' durations, not the wall clock, because a
 * recording that was interrupted has gaps the player does not see. `window` is a talk replay's
 * in and out points, or none for the whole recording.
 */
function chaptersIn(db: Database, recordingId: string, segments: RecordingSegment[], window?: { inAt: string; outAt: string }): Chapter[] {
  const span = playedSpan(segments, window);
  if (!span) return [];
  const { fromMs, toMs } = span;
  return listReplays(db, { recordingId })
    .filter((replay) => Date.parse(replay.inAt) < toMs && Date.parse(replay.outAt) > fromMs)
    .map((replay) => ({
      replayId: replay.id,
      talkId: replay.talkId,
      title: replay.title,
      startSeconds: mediaSecondsAt(segments, Math.max(Date.parse(replay.inAt), fromMs)),
    }));
}

/** The wall-clock stretch a player plays: the window's, else the segments' own; none without segments. */
export function playedSpan(segments: RecordingSegment[], window?: { inAt: string; outAt: string }): { fromMs: number; toMs: number } | undefined {
  const [first, last] = [segments[0], segments.at(-1)];
  if (!first || !last) return undefined;
  return {
    fromMs: window ? Date.parse(window.inAt) : Date.parse(first.programDateTime),
    toMs: window ? Date.parse(window.outAt) : Date.parse(last.programDateTime) + last.durationSeconds * 1000,
  };
}

/** Where a wall-clock instant falls in the played segments, in seconds from their start. */
export function mediaSecondsAt(segments: RecordingSegment[], instantMs: number): number {
  let played = 0;
  for (const segment of segments) {
    const startMs = Date.parse(segment.programDateTime);
    if (instantMs < startMs) break;
    const intoSegment = Math.min((instantMs - startMs) / 1000, segment.durationSeconds);
    if (intoSegment < segment.durationSeconds) return played + intoSegment;
    played += segment.durationSeconds;
  }
  return played;
}

/** The talks within a whole stage recording. */
export function recordingChapters(db: Database, recordingId: string): Chapter[] {
  return chaptersIn(db, recordingId, listSegments(db, recordingId));
}

/** The talks within a talk replay's window (usually just its own, unless its in or out point was moved over another). */
export function replayChapters(db: Database, replay: TalkReplay): Chapter[] {
  return chaptersIn(db, replay.recordingId, replaySegments(db, replay), replay);
}
