/**
 * Plays a recording's HLS (a replay, or a stage recording still being written) in a <video> with
 * hls.js, which is loaded only now: it is large, and only the pages that play recordings need it.
 * Framework-free; the page shows the state it reports.
 */
import type Hls from 'hls.js';
import { SEGMENT_SECONDS } from '../../../shared/recordingSegments';
import { followLiveEdge, liveTuning } from './hlsLiveTuning';

/** `behind-live`: a live recording watched from an earlier point, until "Back to live". */
export type RecordingPlayerState = 'loading' | 'ready' | 'live' | 'behind-live' | 'retrying' | 'unsupported';

export interface RecordingSource {
  playlistUrl: string;
  /** A recording still being written: join at its live edge and follow it. */
  live: boolean;
  /** Where to start, in seconds (`?t=`); ignored for a live recording, which starts at its edge. */
  startAt: number;
  /** A private event's access token, sent with every playlist and segment request. */
  access: string | undefined;
}

export interface RecordingPlayer {
  /** Back to the live edge of a live recording, following it again. */
  backToLive(): void;
  close(): void;
}

/** A seek that lands further behind the point hls.js keeps live playback at leaves the live edge. */
const LEFT_LIVE_EDGE_SECONDS = 2 * SEGMENT_SECONDS;

export async function playRecording(
  video: HTMLVideoElement,
  source: RecordingSource,
  onState: (state: RecordingPlayerState) => void,
): Promise<RecordingPlayer> {
  const { default: HlsPlayer } = await import('hls.js');
  if (!HlsPlayer.isSupported()) return playNatively(video, source, onState);
  const hls = new HlsPlayer({
    ...liveTuning(true),
    startPosition: source.live ? -1 : source.startAt,
    xhrSetup: (xhr) => {
      if (source.access) xhr.setRequestHeader('x-estrad-access', source.access);
    },
  });
  hls.on(HlsPlayer.Events.ERROR, (_event, data) => {
    if (!data.fatal) return;
    if (data.type === HlsPlayer.ErrorTypes.NETWORK_ERROR) {
      onState('retrying');
      hls.startLoad();
    } else if (data.type === HlsPlayer.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
    } else {
      onState('unsupported');
    }
  });
  hls.on(HlsPlayer.Events.MANIFEST_PARSED, () => {
    onState(source.live ? 'live' : 'ready');
    // Live joins where the broadcast is; a browser that refuses sound without a click starts muted.
    if (source.live) video.play().catch(() => ((video.muted = true), video.play().catch(() => undefined)));
  });
  hls.loadSource(source.playlistUrl);
  hls.attachMedia(video);
  const backToLive = source.live ? followLive(hls, video, onState) : () => undefined;
  return { backToLive, close: () => hls.destroy() };
}

/** Safari plays HLS itself (a private event's access header cannot be added there; its cookie is sent). */
function playNatively(video: HTMLVideoElement, source: RecordingSource, onState: (state: RecordingPlayerState) => void): RecordingPlayer {
  video.src = source.playlistUrl;
  video.addEventListener(
    'loadedmetadata',
    () => {
      if (!source.live && source.startAt > 0) video.currentTime = source.startAt;
      onState(source.live ? 'live' : 'ready');
    },
    { once: true },
  );
  return { backToLive: () => undefined, close: () => video.removeAttribute('src') };
}

/**
 * The catch-up (a jump when far behind, faster playback when a little behind) applies only while
 * the viewer is at the live edge: a viewer who seeks back or pauses watches from there, until they
 * press "Back to live" or seek to the edge themselves. hls.js reads these settings as it plays.
 */
function followLive(hls: Hls, video: HTMLVideoElement, onState: (state: RecordingPlayerState) => void): () => void {
  let followingNow = true;
  const setFollowing = (following: boolean) => {
    if (following === followingNow) return;
    followingNow = following;
    followLiveEdge(hls, video, following);
    onState(following ? 'live' : 'behind-live');
  };
  video.addEventListener('seeking', () => {
    const liveSync = hls.liveSyncPosition;
    if (liveSync !== null) setFollowing(video.currentTime >= liveSync - LEFT_LIVE_EDGE_SECONDS);
  });
  video.addEventListener('pause', () => setFollowing(false));
  return () => {
    setFollowing(true);
    const liveSync = hls.liveSyncPosition;
    if (liveSync !== null) video.currentTime = liveSync;
    void video.play().catch(() => undefined);
  };
}
