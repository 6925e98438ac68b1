/**
 * Attendance per talk: the viewings of the talk's stage during its planned time, read here and
 * counted by server/domain/attendance.ts.
 */
import type { Database } from 'better-sqlite3';
import { type AttendanceFigures, attendanceFigures, type Interval } from '../domain/attendance.js';
import { preparedOnce } from './prepared.js';
import { listTalksByEvent } from './talks.js';
import { toIsoTime } from './time.js';

export interface TalkAttendance extends AttendanceFigures {
  talkId: string;
  stageId: string;
  title: string;
  plannedStart: string;
  plannedEnd: string;
}

interface ClippedViewingRow {
  talkId: string;
  viewerKey: string;
  fromTime: string;
  toTime: string;
}

const statements = preparedOnce((db) => ({
  // Viewings overlapping each talk's window, clipped to it; open viewings last until @now. The
  // scalar max()/min() compare the strings, which is right for the schema's one ISO shape.
  clippedViewings: db.prepare<{ eventId: string; now: string }, ClippedViewingRow>(
    `SELECT talks.id AS talkId, viewings.viewer_key AS viewerKey,
       max(viewings.started_at, talks.planned_start) AS fromTime,
       min(coalesce(viewings.ended_at, @now), talks.planned_end) AS toTime
     FROM talks
     JOIN stages ON stages.id = talks.stage_id
     JOIN viewings ON viewings.stage_id = talks.stage_id
       AND viewings.started_at < talks.planned_end
       AND coalesce(viewings.ended_at, @now) > talks.planned_start
     WHERE stages.event_id = @eventId`,
  ),
}));

/** One entry per talk of the event, in programme order; talks without viewers have zeros. */
export function attendanceByTalk(db: Database, eventId: string, now = new Date()): TalkAttendance[] {
  const intervalsByTalk = clippedIntervalsByTalk(db, eventId, now);
  return listTalksByEvent(db, eventId).map((talk) => ({
    talkId: talk.id,
    stageId: talk.stageId,
    title: talk.title,
    plannedStart: talk.plannedStart,
    plannedEnd: talk.plannedEnd,
    ...attendanceFigures(intervalsByTalk.get(talk.id) ?? new Map<string, Interval[]>()),
  }));
}

/** talk id → viewer key → that viewer's viewings within the talk. */
function clippedIntervalsByTalk(db: Database, eventId: string, now: Date): Map<string, Map<string, Interval[]>> {
  const byTalk = new Map<string, Map<string, Interval[]>>();
  for (const row of statements(db).clippedViewings.iterate({ eventId, now: toIsoTime(now) })) {
    const interval = { from: Date.parse(row.fromTime), to: Date.parse(row.toTime) };
    if (interval.to <= interval.from) continue;
    const byViewer = byTalk.get(row.talkId) ?? new Map<string, Interval[]>();
    byViewer.set(row.viewerKey, [...(byViewer.get(row.viewerKey) ?? []), interval]);
    byTalk.set(row.talkId, byViewer);
  }
  return byTalk;
}
