/**
 * Attendance arithmetic. A viewer is a viewer key: two tabs or a reconnect of the same viewer
 * count once, both for the peak and for the time watched.
 */

/** A viewing cut to one talk's planned window, in epoch milliseconds. */
export interface Interval {
  from: number;
  to: number;
}

export interface AttendanceFigures {
  /** Most viewers watching at the same moment. */
  peakConcurrentViewers: number;
  /** Distinct viewers who watched any part of the talk. */
  uniqueViewers: number;
  /** Minutes of the talk each viewer watched on average (2 decimals), 0 without viewers. */
  averageMinutesWatched: number;
}

/** The figures for one talk from each viewer's viewings within it (viewer key → intervals). */
export function attendanceFigures(intervalsByViewer: ReadonlyMap<string, readonly Interval[]>): AttendanceFigures {
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
