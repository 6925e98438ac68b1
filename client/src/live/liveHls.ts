/**
 * The stage's live recording played as HLS: the fallback when WebRTC cannot get through, and the
 * way back in time (rewind). hls.js is large, so it is imported only when one of them is needed,
 * outside the watch page's initial JavaScript.
 */
import type HlsType from 'hls.js';
import { followLiveEdge, liveTuning } from './hlsLiveTuning';

export type HlsProblem = 'hls_network' | 'hls_unsupported';

export interface LiveHlsObserver {
  /** The picture runs (true) or stalls/ends (false). */
  playing(playing: boolean): void;
  /** The stream's quality levels changed: their picture heights, in hls.js's order. */
  levels(heights: number[]): void;
  problem(problem: HlsProblem | null): void;
}

export class LiveHls {
  private destroyed = false;

  private constructor(
    private readonly video: HTMLVideoElement,
    private readonly hls: HlsType | null,
  ) {}

  /** Starts playing `playlistUrl` on `video`, at the live edge or at `startAt` seconds into the recording. */
  static async open(video: HTMLVideoElement, playlistUrl: string, observer: LiveHlsObserver, startAt?: number): Promise<LiveHls> {
    const { default: Hls } = await import('hls.js');
    followPlaying(video, observer);
    if (!Hls.isSupported()) {
      // Safari plays HLS itself.
      if (!video.canPlayType('application/vnd.apple.mpegurl')) {
        observer.problem('hls_unsupported');
        return new LiveHls(video, null);
      }
      if (startAt !== undefined) seekOnceReady(video, startAt);
      video.src = playlistUrl;
      void startPlaying(video);
      return new LiveHls(video, null);
    }
    // Without startPosition hls.js starts where live playback is kept (liveTuning), and follows it.
    const following = startAt === undefined;
    const hls = new Hls({ ...liveTuning(following), ...(following ? {} : { startPosition: startAt }) });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        observer.problem('hls_network');
        hls.startLoad();
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        observer.problem('hls_unsupported');
      }
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      observer.problem(null);
      observer.levels(hls.levels.map((level) => level.height));
      void startPlaying(video);
    });
    hls.loadSource(playlistUrl);
    hls.attachMedia(video);
    return new LiveHls(video, hls);
  }

  /** `seconds` further back, never before the recording's start; hls.js no longer catches up with live from there. */
  jumpBack(seconds: number): void {
    if (this.hls) followLiveEdge(this.hls, this.video, false);
    const { start } = this.window();
    this.video.currentTime = Math.max(start, this.video.currentTime - seconds);
    void startPlaying(this.video);
  }

  /** Where hls.js plays live (a few segments behind the newest), else the end of what is loaded. */
  toLiveEdge(): void {
    if (this.hls) followLiveEdge(this.hls, this.video, true);
    this.video.currentTime = this.hls?.liveSyncPosition ?? this.window().end;
    void startPlaying(this.video);
  }

  /** -1: hls.js picks the level by bandwidth. */
  setLevel(index: number): void {
    if (this.hls) this.hls.currentLevel = index;
  }

  setPaused(paused: boolean): void {
    if (paused) this.video.pause();
    else void startPlaying(this.video);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.hls?.destroy();
    this.video.removeAttribute('src');
    this.video.load();
  }

  private window(): { start: number; end: number } {
    const { seekable } = this.video;
    if (seekable.length === 0) return { start: 0, end: this.video.currentTime };
    return { start: seekable.start(0), end: seekable.end(seekable.length - 1) };
  }
}

function followPlaying(video: HTMLVideoElement, observer: LiveHlsObserver): void {
  video.addEventListener('playing', () => observer.playing(true));
  for (const stop of ['waiting', 'pause', 'ended', 'emptied'] as const) video.addEventListener(stop, () => observer.playing(false));
}

/** Where hls.js cannot be used, the start position waits for the browser to know the stream. */
function seekOnceReady(video: HTMLVideoElement, startAt: number): void {
  video.addEventListener('loadedmetadata', () => (video.currentTime = startAt), { once: true });
}

/** Plays with sound if the browser allows it, else silently (autoplay rules); the viewer can unmute. */
async function startPlaying(video: HTMLVideoElement): Promise<void> {
  try {
    await video.play();
  } catch (error) {
    if (!(error instanceof DOMException && error.name === 'NotAllowedError')) return;
    video.muted = true;
    await video.play().catch(() => undefined);
  }
}
