/**
 * Media elements for remote and local tracks, and the browser's autoplay rules: a page the user
 * has not clicked yet may play video silently but not sound.
 */

/**
 * Puts a video track on an element (or clears it), keeping the element and its place on the page.
 * Returns false when the track was already there.
 */
export function setVideoTrack(video: HTMLVideoElement, track: MediaStreamTrack | null): boolean {
  if (currentVideoTrack(video) === track) return false;
  video.srcObject = track ? new MediaStream([track]) : null;
  return true;
}

function currentVideoTrack(video: HTMLVideoElement): MediaStreamTrack | null {
  const stream = video.srcObject instanceof MediaStream ? video.srcObject : null;
  return stream?.getVideoTracks()[0] ?? null;
}

function isAutoplayRefusal(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'NotAllowedError';
}

export interface PlaybackElements {
  /** Shows video only; sound goes through separate audio elements, so this one stays muted. */
  video: HTMLVideoElement;
}

/** The viewer's sound setting: volume 0–1, and mute on top of it. */
export interface Sound {
  volume: number;
  muted: boolean;
}

/** Plays one video track and any number of audio tracks, noticing when the browser refuses sound. */
export class Playback {
  private readonly audioElements = new Map<MediaStreamTrack, HTMLAudioElement>();
  private readonly audioContainer: HTMLElement;
  private blocked = false;
  private videoStarted = false;
  private sound: Sound = { volume: 1, muted: false };
  /** Another player has the sound for now. */
  private silenced = false;
  private paused = false;

  /** `onChange` fires when video starts or stops showing pictures, and when sound gets blocked or allowed. */
  constructor(
    private readonly elements: PlaybackElements,
    private readonly onChange: () => void,
  ) {
    const { video } = elements;
    video.muted = true;
    video.playsInline = true;
    video.autoplay = true;
    // Outside the player's markup, which a view library may render and diff.
    this.audioContainer = document.createElement('div');
    this.audioContainer.hidden = true;
    document.body.append(this.audioContainer);
    video.addEventListener('playing', () => this.setVideoStarted(true));
    video.addEventListener('loadeddata', () => this.setVideoStarted(true));
    video.addEventListener('emptied', () => this.setVideoStarted(false));
  }

  /** True once the current video track shows pictures. */
  get showingVideo(): boolean {
    return this.videoStarted && currentVideoTrack(this.elements.video) !== null;
  }

  /** The browser refuses to play sound until the user clicks (see unmute). */
  get soundBlocked(): boolean {
    return this.blocked;
  }

  showVideo(track: MediaStreamTrack | null): void {
    if (!setVideoTrack(this.elements.video, track)) return;
    this.setVideoStarted(false);
    if (track && !this.paused) void this.playVideo();
  }

  addAudio(track: MediaStreamTrack): void {
    if (this.audioElements.has(track)) return;
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.srcObject = new MediaStream([track]);
    this.audioContainer.append(audio);
    this.audioElements.set(track, audio);
    void this.playAudio(audio);
  }

  removeAudio(track: MediaStreamTrack): void {
    const audio = this.audioElements.get(track);
    if (!audio) return;
    this.audioElements.delete(track);
    audio.pause();
    audio.srcObject = null;
    audio.remove();
  }

  removeAllAudio(): void {
    for (const track of [...this.audioElements.keys()]) this.removeAudio(track);
  }

  setSound(sound: Sound): void {
    this.sound = sound;
    this.applySound();
  }

  setSilenced(silenced: boolean): void {
    this.silenced = silenced;
    this.applySound();
  }

  /** A paused live picture stands still and is silent; playing again shows what is live now. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) {
      this.elements.video.pause();
      for (const audio of this.audioElements.values()) audio.pause();
      return;
    }
    void this.playVideo();
    for (const audio of this.audioElements.values()) void this.playAudio(audio);
  }

  /** Runs inside a click handler, which is what lets the browser allow sound. */
  unmute(): void {
    this.setSoundBlocked(false);
    void this.playVideo();
    for (const audio of this.audioElements.values()) void this.playAudio(audio);
  }

  private applySound(): void {
    for (const audio of this.audioElements.values()) {
      audio.muted = this.blocked || this.silenced || this.sound.muted;
      audio.volume = this.sound.volume;
    }
  }

  private async playVideo(): Promise<void> {
    try {
      await this.elements.video.play();
    } catch (error) {
      // AbortError: a newer track replaced this one before it started. NotAllowedError: even
      // muted video can be refused (e.g. battery saving on phones); the click starts it.
      if (isAutoplayRefusal(error)) this.setSoundBlocked(true);
    }
  }

  private async playAudio(audio: HTMLAudioElement): Promise<void> {
    if (this.paused) return;
    this.applySound();
    try {
      await audio.play();
    } catch (error) {
      if (!isAutoplayRefusal(error) || audio.muted) return;
      // The browser wants a click before it makes sound: keep playing silently and ask for one.
      this.setSoundBlocked(true);
      await audio.play().catch(() => undefined);
    }
  }

  private setSoundBlocked(blocked: boolean): void {
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    this.applySound();
    this.onChange();
  }

  private setVideoStarted(started: boolean): void {
    if (this.videoStarted === started) return;
    this.videoStarted = started;
    this.onChange();
  }
}
