/**
 * The live player's logic: WebRTC first; the stage's live recording as HLS when WebRTC cannot get
 * through (and WebRTC again once it can), or when the viewer rewinds. State is exposed as signals
 * and codes; the page's components word and render it.
 */
import { batch, signal } from '@preact/signals';
import type { PlayerStats } from '../../../shared/playerStats';
import { fetchStageRecordings } from '../api/events';
import type { MediaSource, Program, RecordingInfo, StageSummary } from '../../../shared/protocol';
import { Signalling } from '../signalling';
import type { StageOnAir } from '../../../shared/programmeControl';
import type { HlsProblem, LiveHls } from './liveHls';
import type { Sound } from './playback';
import { type Quality, ViewerSession, type ViewerStatus } from './viewer';

/** What the viewer sees: live over WebRTC, live over HLS (fallback), or an earlier moment over HLS. */
export type PlayerMode = 'webrtc' | 'fallback' | 'rewind';

export const REWIND_SECONDS = 30;

/** Which player shows the stage next, from what WebRTC reports and whether a live recording exists. */
export function nextMode(current: PlayerMode, viewer: ViewerStatus, recordingLive: boolean): PlayerMode {
  // Rewinding lasts until the viewer goes back to live.
  if (current === 'rewind') return 'rewind';
  if (viewer.state === 'playing') return 'webrtc';
  const blocked = viewer.problem === 'media_blocked' || viewer.problem === 'media_unreachable';
  if (current === 'webrtc') return blocked && recordingLive ? 'fallback' : 'webrtc';
  // On the fallback WebRTC keeps trying; only the broadcast's end (or a dead link) ends it.
  const broadcastOver = viewer.state === 'ended' || viewer.state === 'offline' || viewer.notice === 'not_started';
  return broadcastOver || !recordingLive ? 'webrtc' : 'fallback';
}

export interface LivePlayerElements {
  /** Shows WebRTC video. */
  live: HTMLVideoElement;
  /** Shows the program's inset video over it (picture in picture). */
  inset: HTMLVideoElement;
  /** Shows the live recording (fallback and rewind). */
  recording: HTMLVideoElement;
}

const INITIAL_STATUS: ViewerStatus = { state: 'connecting', problem: null, notice: null, picture: false, soundBlocked: false, spatialLayers: 1, inset: false };

export class LivePlayer {
  readonly viewer = signal<ViewerStatus>(INITIAL_STATUS);
  readonly stage = signal<StageSummary | null>(null);
  /** The talk on air and the next one, once the server has said (it does on joining). */
  readonly programme = signal<StageOnAir | null>(null);
  readonly mode = signal<PlayerMode>('webrtc');
  readonly paused = signal(false);
  readonly sound = signal<Sound>({ volume: 1, muted: false });
  readonly quality = signal<Quality>('auto');
  /** Picture heights of the HLS levels while HLS plays. */
  readonly hlsLevels = signal<number[]>([]);
  readonly hlsPlaying = signal(false);
  readonly hlsProblem = signal<HlsProblem | null>(null);
  /** Set when the viewer asked to rewind while nothing is recorded. */
  readonly cannotRewind = signal(false);
  /** The stage's most recent recording, looked up once the broadcast ended (for the replay link). */
  readonly lastRecording = signal<RecordingInfo | null>(null);
  /** Counts the joins of the stage: each one is a new membership, for what asks as a member (questions, polls). */
  readonly joins = signal(0);

  private readonly session: ViewerSession;
  private hls: LiveHls | undefined;
  /** Bumped whenever HLS is opened or closed: an open still loading for an older mode is dropped. */
  private hlsGeneration = 0;
  private liveRecording: RecordingInfo | null = null;

  /** `signalling`: a connection the page opened early, before its player was rendered. */
  constructor(
    private readonly stageId: string,
    private readonly elements: LivePlayerElements,
    /** The player's connection, which questions and polls share: they act as this member of the stage. */
    readonly signalling: Signalling = new Signalling(),
  ) {
    this.session = new ViewerSession(
      stageId,
      { video: elements.live, inset: elements.inset },
      {
        status: (status) => this.onViewerStatus(status),
        stage: (stage) => (this.stage.value = stage),
        programme: (onAir) => (this.programme.value = onAir),
        joined: () => this.joins.value++,
      },
      this.signalling,
    );
    elements.recording.muted = false;
  }

  start(): void {
    this.session.start();
  }

  shownSource(): MediaSource | null {
    return this.session.shownSource();
  }

  shownProgram(): Program {
    return this.session.shownProgram();
  }

  stats(): Promise<PlayerStats> {
    return this.session.stats();
  }

  /** The video element that shows the stage now. */
  get shownVideo(): HTMLVideoElement {
    return this.mode.value === 'webrtc' ? this.elements.live : this.elements.recording;
  }

  // -------------------------------------------------------------------------------------------
  // Controls

  togglePaused(): void {
    const paused = !this.paused.value;
    this.paused.value = paused;
    if (this.mode.value === 'webrtc') this.session.setPaused(paused);
    else this.hls?.setPaused(paused);
  }

  setSound(sound: Sound): void {
    this.sound.value = sound;
    this.session.setSound(sound);
    this.elements.recording.volume = sound.volume;
    this.elements.recording.muted = sound.muted;
  }

  /** Also what the browser's "click to unmute" needs: it runs inside the click. */
  toggleMuted(): void {
    const { soundBlocked } = this.viewer.value;
    if (soundBlocked) this.session.unmute();
    this.setSound({ ...this.sound.value, muted: soundBlocked ? false : !this.sound.value.muted });
  }

  setQuality(quality: Quality): void {
    this.quality.value = quality;
    if (this.mode.value === 'webrtc') this.session.setQuality(quality);
    else this.hls?.setLevel(quality === 'auto' ? -1 : quality);
  }

  /** 30 s back: from live into the recording, or further back within it. */
  async rewind(): Promise<void> {
    if (this.mode.value !== 'webrtc' && this.hls) {
      if (this.mode.value === 'fallback') this.mode.value = 'rewind';
      this.hls.jumpBack(REWIND_SECONDS);
      return;
    }
    const recording = await this.findLiveRecording();
    this.cannotRewind.value = recording === null;
    if (!recording) return;
    // The recording's times count from its start; its length is where it is now.
    this.showRecording('rewind', recording, Math.max(0, recording.durationSeconds - REWIND_SECONDS));
  }

  /** From the recording back to the live picture (WebRTC, or the live edge of the fallback). */
  toLive(): void {
    if (this.mode.value !== 'rewind') return;
    this.paused.value = false;
    if (this.viewer.value.state !== 'playing' && this.hls && this.liveRecording) {
      this.mode.value = 'fallback';
      this.hls.toLiveEdge();
      return;
    }
    this.closeRecording();
    this.mode.value = 'webrtc';
    this.session.setPaused(false);
    this.applyMode();
  }

  // -------------------------------------------------------------------------------------------

  private onViewerStatus(status: ViewerStatus): void {
    batch(() => {
      this.viewer.value = status;
      this.followMode();
    });
    if (status.state === 'ended') void this.findLastRecording();
    if ((status.problem === 'media_blocked' || status.problem === 'media_unreachable') && this.mode.value === 'webrtc') void this.tryFallback();
  }

  private followMode(): void {
    const next = nextMode(this.mode.value, this.viewer.value, this.liveRecording !== null);
    if (next === this.mode.value) return;
    const previous = this.mode.value;
    this.mode.value = next;
    if (next === 'fallback' && this.liveRecording) this.showRecording('fallback', this.liveRecording);
    if (previous === 'fallback' && next === 'webrtc') this.closeRecording();
    this.applyMode();
  }

  private async tryFallback(): Promise<void> {
    if (!(await this.findLiveRecording())) return;
    this.followMode();
  }

  private showRecording(mode: 'fallback' | 'rewind', recording: RecordingInfo, startAt?: number): void {
    this.closeRecording();
    this.mode.value = mode;
    this.paused.value = false;
    this.applyMode();
    const generation = ++this.hlsGeneration;
    void import('./liveHls').then(async ({ LiveHls }) => {
      const hls = await LiveHls.open(
        this.elements.recording,
        recording.playlistUrl,
        {
          playing: (playing) => (this.hlsPlaying.value = playing),
          levels: (heights) => (this.hlsLevels.value = heights),
          problem: (problem) => (this.hlsProblem.value = problem),
        },
        startAt,
      );
      if (generation === this.hlsGeneration) this.hls = hls;
      else hls.destroy();
    });
  }

  private closeRecording(): void {
    this.hlsGeneration++;
    this.hls?.destroy();
    this.hls = undefined;
    batch(() => {
      this.hlsPlaying.value = false;
      this.hlsLevels.value = [];
      this.hlsProblem.value = null;
    });
  }

  /** WebRTC gets no video and stays silent while the recording shows; on rewind it stops sending video. */
  private applyMode(): void {
    const mode = this.mode.value;
    this.session.setSilenced(mode !== 'webrtc');
    this.session.setSuspended(mode === 'rewind');
  }

  private async findLiveRecording(): Promise<RecordingInfo | null> {
    const recordings = await this.stageRecordings();
    this.liveRecording = recordings.find((recording) => recording.status === 'recording') ?? null;
    return this.liveRecording;
  }

  private async findLastRecording(): Promise<void> {
    const recordings = await this.stageRecordings();
    this.lastRecording.value = recordings.reduce<RecordingInfo | null>(
      (last, recording) => (!last || recording.startedAt > last.startedAt ? recording : last),
      null,
    );
  }

  private async stageRecordings(): Promise<RecordingInfo[]> {
    // Without the list there is no fallback or rewind this time; the next need asks again.
    return (await fetchStageRecordings(this.stageId).catch(() => ({ recordings: [] }))).recordings;
  }
}
