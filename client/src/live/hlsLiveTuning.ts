/**
 * How hls.js plays a stage's live recording, the same on the replay page and in the watch page's
 * fallback and rewind. hls.js is imported by the callers only when needed; this module holds no
 * code of it.
 */
import type Hls from 'hls.js';
import { SEGMENT_SECONDS } from '../../../shared/recordingSegments';

/**
 * Live recordings play 2.5 segments behind the newest one (one being written, one being fetched,
 * half to spare), rather than hls.js's three target durations: the playlist's target duration is
 * rounded up, and the first segment of each run is longer, which would double the delay. A player
 * that fell behind (a stall, a slow start) plays a little faster until it is back, or jumps when
 * far behind. Measured with `npm run bench:latency`; VOD replays are unaffected.
 */
const LIVE_SYNC_SEGMENTS = 2.5;
const FOLLOWING_LIVE = {
  liveSyncDuration: LIVE_SYNC_SEGMENTS * SEGMENT_SECONDS,
  liveMaxLatencyDuration: (LIVE_SYNC_SEGMENTS + 3) * SEGMENT_SECONDS,
  maxLiveSyncPlaybackRate: 1.5,
};

/** hls.js's live settings: catching up with the live edge while following it, none while the viewer watches from earlier. */
export function liveTuning(following: boolean): typeof FOLLOWING_LIVE {
  return following ? FOLLOWING_LIVE : { ...FOLLOWING_LIVE, liveMaxLatencyDuration: Infinity, maxLiveSyncPlaybackRate: 1 };
}

/** Switches a playing hls.js between following the live edge and staying where the viewer went (it reads these as it plays). */
export function followLiveEdge(hls: Hls, video: HTMLVideoElement, following: boolean): void {
  Object.assign(hls.config, liveTuning(following));
  if (!following && video.playbackRate !== 1) video.playbackRate = 1;
}
