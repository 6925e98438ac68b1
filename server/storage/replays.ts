/**
 * Per-talk replays (server/domain/replayWindow.ts): each scheduled talk that overlaps a recording
 * gets its own window of that recording. Windows start at the talk's planned times; technicians
 * move the in and out points afterwards.
 */
import type { Database } from 'better-sqlite3';
import { mayEndReplayAt, segmentsInWindow } from '../domain/replayWindow.js';
import { listChapterMarkers } from './chapterMarkers.js';
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

/** A talk's time on air overlaps a recording: it started before the recording ended and ended after it started. */
const onAirDuringRecording = `o.stage_id = rec.stage_id AND o.started_at < coalesce(rec.ended_at, @now) AND coalesce(o.ended_at, @now) > rec.started_at`;

const statements = preparedOnce((db) => ({
  // Where the control room said which talk was on air during a recording, its replays are those
  // times (a talk on air twice spans both); elsewhere, the programme's planned times. A talk
  // overlaps a recording when it starts before the recording ends and ends after it starts; a
  // recording in progress counts as ending now, and only its talks already over get a replay (one
  // still going would get one cut short). Breaks get no replay.
  overlappingTalks: db.prepare<{ recordingId: string; now: string }, { talkId: string; title: string; inAt: string; outAt: string }>(
    `SELECT t.id AS talkId, t.title, max(t.planned_start, rec.started_at) AS inAt,
            min(t.planned_end, coalesce(rec.ended_at, @now)) AS outAt
       FROM recordings rec JOIN talks t ON t.stage_id = rec.stage_id
      WHERE rec.id = @recordingId AND t.kind <> 'break'
        AND NOT EXISTS (SELECT 1 FROM talks_on_air o WHERE ${onAirDuringRecording})
        AND (rec.ended_at IS NOT NULL OR t.planned_end <= @now)
        AND max(t.planned_start, rec.started_at) < min(t.planned_end, coalesce(rec.ended_at, @now))
     UNION ALL
     SELECT t.id AS talkId, t.title, max(min(o.started_at), rec.started_at) AS inAt,
            min(max(coalesce(o.ended_at, @now)), coalesce(rec.ended_at, @now)) AS outAt
       FROM recordings rec JOIN talks_on_air o ON ${onAirDuringRecording} JOIN talks t ON t.id = o.talk_id
      WHERE rec.id = @recordingId AND t.kind <> 'break'
      GROUP BY t.id
     HAVING (rec.ended_at IS NOT NULL OR count(o.ended_at) = count(*))
        AND max(min(o.started_at), rec.started_at) < min(max(coalesce(o.ended_at, @now)), coalesce(rec.ended_at, @now))`,
  ),
  // The replay starts when the talk first went on air during the recording, else at its planned start.
  talkInRecording: db.prepare<{ recordingId: string; talkId: string; now: string }, { title: string; inAt: string; recordingEndedAt: string | null }>(
    `SELECT t.title, max(coalesce((SELECT min(o.started_at) FROM talks_on_air o WHERE o.talk_id = t.id AND ${onAirDuringRecording}), t.planned_start),
                        rec.started_at) AS inAt,
            rec.ended_at AS recordingEndedAt
       FROM recordings rec JOIN talks t ON t.stage_id = rec.stage_id
      WHERE rec.id = @recordingId AND t.id = @talkId AND t.kind <> 'break'`,
  ),
  endAt: db.prepare<{ id: string; talkId: string; recordingId: string; title: string; inAt: string; outAt: string }>(
    `INSERT INTO talk_replays (id, talk_id, recording_id, title, in_at, out_at)
     VALUES (@id, @talkId, @recordingId, @title, @inAt, @outAt)
     ON CONFLICT (talk_id, recording_id) DO UPDATE SET in_at = excluded.in_at, out_at = excluded.out_at`,
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
 * late): its replay in the recording ends there, and starts when it went on air (else as
 * planned); created if it has none yet. Undefined when the talk is a break or not on the
 * recording's stage, or `endedAt` is not after the replay's start.
 */
export function endTalkReplay(db: Database, recordingId: string, talkId: string, endedAt: Date): TalkReplay | undefined {
  return db.transaction(() => {
    const outAt = toIsoTime(endedAt);
    const talk = statements(db).talkInRecording.get({ recordingId, talkId, now: outAt });
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
  /** The replay's id for a talk, the marker's for a marker. */
  id: string;
  /** A talk, or a marker a technician set while recording. */
  kind: 'talk' | 'marker';
  replayId: string | null;
  talkId: string | null;
  /** Empty for a marker set without one. */
  title: string;
  /** Seconds from the start of the played segments. */
  startSeconds: number;
}

/**
 * The talks (by their replays' in points) and chapter markers within a played window of a
 * recording, placed on the played media's own timeline: the sum of the segments' durations, not
 * the wall clock, because a recording that was interrupted has gaps the player does not see.
 * `window` is a talk replay's in and out points, or none for the whole recording.
 */
function chaptersIn(db: Database, recordingId: string, segments: RecordingSegment[], window?: { inAt: string; outAt: string }): Chapter[] {
  const span = playedSpan(segments, window);
  if (!span) return [];
  const { fromMs, toMs } = span;
  const talks = listReplays(db, { recordingId })
    .filter((replay) => Date.parse(replay.inAt) < toMs && Date.parse(replay.outAt) > fromMs)
    .map((replay) => ({
      id: replay.id,
      kind: 'talk' as const,
      replayId: replay.id,
      talkId: replay.talkId,
      title: replay.title,
      startSeconds: mediaSecondsAt(segments, Math.max(Date.parse(replay.inAt), fromMs)),
    }));
  const markers = listChapterMarkers(db, recordingId)
    .filter((marker) => Date.parse(marker.at) >= fromMs && Date.parse(marker.at) < toMs)
    .map((marker) => ({
      id: marker.id,
      kind: 'marker' as const,
      replayId: null,
      talkId: null,
      title: marker.title,
      startSeconds: mediaSecondsAt(segments, Date.parse(marker.at)),
    }));
  // Stable: a talk and a marker at the same moment keep the talk first.
  return [...talks, ...markers].sort((a, b) => a.startSeconds - b.startSeconds);
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

/**
 * Where a replay's played segments begin on its whole recording's timeline (as the recording's
 * own playlist plays it), and how long they play; none without segments. What re-times anything
 * kept on the recording's timeline (captions) onto the replay.
 */
export function replayStretch(db: Database, replay: TalkReplay): { offsetSeconds: number; durationSeconds: number } | undefined {
  const played = replaySegments(db, replay);
  const first = played[0];
  if (!first) return undefined;
  return {
    offsetSeconds: mediaSecondsAt(listSegments(db, replay.recordingId), Date.parse(first.programDateTime)),
    durationSeconds: played.reduce((sum, segment) => sum + segment.durationSeconds, 0),
  };
}

/** The talks within a whole stage recording. */
export function recordingChapters(db: Database, recordingId: string): Chapter[] {
  return chaptersIn(db, recordingId, listSegments(db, recordingId));
}

/** The talks within a talk replay's window (usually just its own, unless its in or out point was moved over another). */
export function replayChapters(db: Database, replay: TalkReplay): Chapter[] {
  return chaptersIn(db, replay.recordingId, replaySegments(db, replay), replay);
}
