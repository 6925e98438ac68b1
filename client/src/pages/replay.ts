import Hls from 'hls.js';
import type { RecordingInfo, ReplayInfo } from '../../../shared/protocol';
import { RECORD_ID_PATTERN } from '../../../shared/ids';
import { SEGMENT_SECONDS } from '../../../shared/recordingSegments';
import { connectionCredentials } from '../credentials';
import '../styles.css';
import { byId } from './common';

type ReplayState = 'loading' | 'ready' | 'error';

declare global {
  interface Window {
    /** For tests and diagnostics. */
    estradReplay?: { state(): ReplayState; live(): boolean };
  }
}

interface Playable {
  title: string;
  meta: string;
  playlistUrl: string;
  live: boolean;
  downloadUrl?: string;
}

/**
 * Live recordings play 2.5 segments behind the newest one (one being written, one being fetched,
 * half to spare), rather than hls.js's three target durations: the playlist's target duration is
 * rounded up, and the first segment of each run is longer, which would double the delay. A player
 * that fell behind (a stall, a slow start) plays a little faster until it is back, or jumps when
 * far behind. Measured with `npm run bench:latency`; VOD replays are unaffected.
 */
const LIVE_SYNC_SEGMENTS = 2.5;
const LIVE_TUNING = {
  liveSyncDuration: LIVE_SYNC_SEGMENTS * SEGMENT_SECONDS,
  liveMaxLatencyDuration: (LIVE_SYNC_SEGMENTS + 3) * SEGMENT_SECONDS,
  maxLiveSyncPlaybackRate: 1.5,
};

const TEXT = {
  live: 'Playing the live recording, a few seconds behind.',
  behindLive: 'You are watching an earlier part of the live recording. Press "Back to live" to catch up.',
};

let state: ReplayState = 'loading';
let live = false;

function setState(next: ReplayState, text: string): void {
  state = next;
  document.body.dataset.state = next;
  byId('replay-state', HTMLElement).textContent = text;
}

/** A talk replay by id, else a whole recording by id (the live HLS path while it records). */
async function findPlayable(id: string, headers: HeadersInit): Promise<Playable | undefined> {
  const replay = await fetch(`/api/replays/${id}`, { headers });
  if (replay.ok) {
    const info = (await replay.json()) as ReplayInfo;
    const speakers = info.speakers.map((speaker) => speaker.name).join(', ');
    const when = new Date(info.inAt).toLocaleString();
    return { title: info.title, meta: [speakers, when].filter(Boolean).join(' · '), playlistUrl: info.playlistUrl, live: false, downloadUrl: info.downloadUrl };
  }
  const recording = await fetch(`/api/recordings/${id}`, { headers });
  if (!recording.ok) return undefined;
  const info = (await recording.json()) as RecordingInfo;
  return {
    title: `Recording of ${info.stage}`,
    meta: new Date(info.startedAt).toLocaleString(),
    playlistUrl: info.playlistUrl,
    live: info.status === 'recording',
  };
}

function play(video: HTMLVideoElement, playable: Playable, access: string | undefined): void {
  const headers = access ? { 'x-estrad-access': access } : undefined;
  if (!Hls.isSupported()) {
    // Safari plays HLS natively (a private event's access header cannot be added there).
    video.src = playable.playlistUrl;
    return;
  }
  const hls = new Hls({
    ...LIVE_TUNING,
    xhrSetup: (xhr) => {
      if (headers) xhr.setRequestHeader('x-estrad-access', headers['x-estrad-access']);
    },
  });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      setState('loading', 'The connection dropped; retrying…');
      hls.startLoad();
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
    } else {
      setState('error', 'This recording cannot be played in this browser.');
    }
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    setState('ready', playable.live ? TEXT.live : 'Ready.');
    // Live joins where the broadcast is; a browser that refuses sound without a click starts muted.
    if (playable.live) video.play().catch(() => ((video.muted = true), video.play().catch(() => undefined)));
  });
  hls.loadSource(playable.playlistUrl);
  hls.attachMedia(video);
  if (playable.live) followLiveEdge(hls, video, byId('replay-to-live', HTMLButtonElement));
}

/** A seek that lands further behind the point hls.js keeps live playback at leaves the live edge. */
const LEFT_LIVE_EDGE_SECONDS = 2 * SEGMENT_SECONDS;

/**
 * The catch-up (a jump when far behind, faster playback when a little behind) applies only while
 * the viewer is at the live edge: a viewer who seeks back or pauses watches from there, until they
 * press "Back to live" or seek to the edge themselves. hls.js reads these settings as it plays.
 */
function followLiveEdge(hls: Hls, video: HTMLVideoElement, toLive: HTMLButtonElement): void {
  let followingNow = true;
  const setFollowing = (following: boolean) => {
    if (following === followingNow) return;
    followingNow = following;
    hls.config.liveMaxLatencyDuration = following ? LIVE_TUNING.liveMaxLatencyDuration : Infinity;
    hls.config.maxLiveSyncPlaybackRate = following ? LIVE_TUNING.maxLiveSyncPlaybackRate : 1;
    if (!following && video.playbackRate !== 1) video.playbackRate = 1;
    toLive.hidden = following;
    byId('replay-state', HTMLElement).textContent = following ? TEXT.live : TEXT.behindLive;
  };
  video.addEventListener('seeking', () => {
    const liveSync = hls.liveSyncPosition;
    if (liveSync !== null) setFollowing(video.currentTime >= liveSync - LEFT_LIVE_EDGE_SECONDS);
  });
  video.addEventListener('pause', () => setFollowing(false));
  toLive.addEventListener('click', () => {
    setFollowing(true);
    const liveSync = hls.liveSyncPosition;
    if (liveSync !== null) video.currentTime = liveSync;
    void video.play().catch(() => undefined);
  });
}

async function showReplay(id: string): Promise<void> {
  const { access } = connectionCredentials();
  const found = await findPlayable(id, access ? { 'x-estrad-access': access } : {});
  if (!found) {
    setState('error', 'There is no replay at this address, or it is not open to you. Check the link.');
    return;
  }
  live = found.live;
  document.title = `${found.title} – Estrad`;
  byId('replay-title', HTMLElement).textContent = found.title;
  byId('replay-meta', HTMLElement).textContent = found.meta;
  byId('replay-badge', HTMLElement).hidden = !found.live;
  if (found.downloadUrl) {
    const download = byId('replay-download', HTMLAnchorElement);
    download.href = found.downloadUrl;
    download.hidden = false;
  }
  play(byId('replay-video', HTMLVideoElement), found, access);
}

window.estradReplay = { state: () => state, live: () => live };
const id = location.pathname.split('/').filter(Boolean).at(-1) ?? '';
if (RECORD_ID_PATTERN.test(id)) void showReplay(id).catch(() => setState('error', 'The server could not be reached. Reload to try again.'));
else setState('error', 'This address does not name a replay.');
