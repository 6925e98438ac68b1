/**
 * A talk's replay is a window of its stage's recording, between an in and an out point; it is
 * played as the recording's segments that show any of that window (cut at segment boundaries, no
 * re-encoding).
 */

/** A recorded segment as far as windows are concerned: where it starts and how long it lasts. */
export interface TimedSegment {
  programDateTime: string;
  durationSeconds: number;
}

/** The segments that show any of the window [inAt, outAt), in their order. */
export function segmentsInWindow<Segment extends TimedSegment>(segments: readonly Segment[], window: { inAt: string; outAt: string }): Segment[] {
  const inMs = Date.parse(window.inAt);
  const outMs = Date.parse(window.outAt);
  return segments.filter((segment) => {
    const startMs = Date.parse(segment.programDateTime);
    return startMs < outMs && startMs + segment.durationSeconds * 1000 > inMs;
  });
}

/**
 * Whether a talk's replay may end at `outAt` (the control room ended the talk then): after the
 * replay's start, and not after the recording's end when it has ended. Times are ISO strings in
 * one shape (server/storage/time.ts), so they compare as strings.
 */
export function mayEndReplayAt(outAt: string, replayInAt: string, recordingEndedAt: string | null): boolean {
  return outAt > replayInAt && (recordingEndedAt === null || outAt <= recordingEndedAt);
}
