/**
 * Attendance per talk, from the viewings of the talk's stage during its planned time. A viewer is
 * a viewer_key: two tabs or a reconnect of the same viewer count once, both for the peak and for
 * the time watched.
 */
import type { Database } from 'better-sqlite3';
import { preparedOnce } from './prepared.js';
import { listTalksByEvent } from './talks.js';
import { toIsoTime } from './time.js';

export interface TalkAttendance {
  talkId: string;
  stageId: string;
  title: string;
  plannedStart: string;
  plannedEnd: string;
  /** Most viewers watching at the same moment. */
  peakConcurrentViewers: number;
  /** Distinct viewers who watched any part of the talk. */
  uniqueViewers: number;
  /** Minutes of the talk each viewer watched on average (2 decimals), 0 without viewers. */
  averageMinutesWatched: number;
}

/** A viewing cut to one talk's planned window, in epoch milliseconds. */
interface Interval {
  from: number;
  to: number;
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
    ...summarize(intervalsByTalk.get(talk.id) ?? new Map<string, Interval[]>()),
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

function summarize(intervalsByViewer: Map<string, Interval[]>): Pick<TalkAttendance, 'peakConcurrentViewers' | 'uniqueViewers' | 'averageMinutesWatched'> {
  const presence = [...intervalsByViewer.values()].map(mergeOverlapping);
  const uniqueViewers = presence.length;
  const watchedMs = presence.flat().reduce((sum, interval) => sum + interval.to - interval.from, 0);
  return {
    peakConcurrentViewers: peakConcurrency(presence.flat()),
    uniqueViewers,
    averageMinutesWatched: uniqueViewers === 0 ? 0 : Math.round((watchedMs / uniqueViewers / 60_000) * 100) / 100,
  };
}

/** One viewer's viewings as disjoint intervals, so time watched in two tabs counts once. */
export function mergeOverlapping(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.from <= last.to) last.to = Math.max(last.to, interval.to);
    else merged.push({ ...interval });
  }
  return merged;
}

/**
 * The most intervals covering one moment. An interval ending at the moment another starts does
 * not overlap it (a viewer who left as another arrived), so ends sort before starts.
 */
export function peakConcurrency(intervals: readonly Interval[]): number {
  const changes = intervals.flatMap((interval) => [
    { at: interval.from, delta: 1 },
    { at: interval.to, delta: -1 },
  ]);
  changes.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let peak = 0;
  for (const change of changes) {
    current += change.delta;
    peak = Math.max(peak, current);
  }
  return peak;
}
