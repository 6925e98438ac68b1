/** The control room's green/amber/red lights: what is fine, what to watch, what viewers notice. */
import type { FeedProblem, HealthLight, RecordingHealth } from '../../shared/health.js';

export interface FeedFigures {
  paused: boolean;
  bitrateKbps: number;
  packetLossPercent: number;
  score: number;
  roundTripMs: number | null;
  jitterMs: number | null;
}

/** Loss viewers see as broken picture and choppy sound; below it, NACKs and FEC repair most. */
const RED_LOSS_PERCENT = 10;
const AMBER_LOSS_PERCENT = 2;
/** mediasoup's score, 10 best: it weighs loss and retransmissions of the sender's link. */
const RED_SCORE = 3;
const AMBER_SCORE = 6;
const AMBER_ROUND_TRIP_MS = 300;
const AMBER_JITTER_MS = 30;
/** A recording whose newest segment is older than this is not being written (segments are ~1 s). */
const AMBER_SEGMENT_AGE_SECONDS = 5;
const RED_SEGMENT_AGE_SECONDS = 15;
/** Recording takes about 0.5 GB an hour: under 2 GiB is a few hours left. */
export const DISK_NEARLY_FULL_BYTES = 2 * 1024 ** 3;

export function feedLight(figures: FeedFigures): { light: HealthLight; problems: FeedProblem[] } {
  const red: FeedProblem[] = [];
  const amber: FeedProblem[] = [];
  if (!figures.paused && figures.bitrateKbps === 0) red.push('no_media');
  if (figures.packetLossPercent >= RED_LOSS_PERCENT) red.push('packet_loss');
  else if (figures.packetLossPercent >= AMBER_LOSS_PERCENT) amber.push('packet_loss');
  if (!figures.paused && figures.score <= RED_SCORE) red.push('poor_link');
  else if (!figures.paused && figures.score <= AMBER_SCORE) amber.push('poor_link');
  if (figures.roundTripMs !== null && figures.roundTripMs >= AMBER_ROUND_TRIP_MS) amber.push('high_round_trip');
  if (figures.jitterMs !== null && figures.jitterMs >= AMBER_JITTER_MS) amber.push('high_jitter');
  const problems = [...red, ...amber];
  return { light: red.length > 0 ? 'red' : amber.length > 0 ? 'amber' : 'green', problems };
}

export function recordingLight(recording: Pick<RecordingHealth, 'status' | 'lastSegmentAgeSeconds'>): HealthLight {
  if (recording.status === 'failed') return 'red';
  if (recording.status === 'interrupted') return 'amber';
  if (recording.status === 'complete') return 'green';
  const age = recording.lastSegmentAgeSeconds;
  if (age === null || age < AMBER_SEGMENT_AGE_SECONDS) return 'green';
  return age < RED_SEGMENT_AGE_SECONDS ? 'amber' : 'red';
}

export function diskLight(freeBytes: number): HealthLight {
  if (freeBytes < DISK_NEARLY_FULL_BYTES) return 'red';
  return freeBytes < 2 * DISK_NEARLY_FULL_BYTES ? 'amber' : 'green';
}
