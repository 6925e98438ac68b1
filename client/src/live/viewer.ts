/**
 * Watching a stage: consume everything on air, show the program's main picture (the technicians'
 * Take; without one the screen share if there is one, else the camera) with its inset picture in
 * picture (the Take's; without one the camera beside a screen share), and play all sound, at the
 * simulcast layer the player's size needs.
 */
import { parseScalabilityMode, type types } from 'mediasoup-client';
import type { PlayerAudioStats, PlayerStats, PlayerVideoStats } from '../../../shared/playerStats';
import type { StageOnAir } from '../../../shared/programmeControl';
import type { MediaSource, ProducerInfo, JoinResult, Program, StageSummary } from '../../../shared/protocol';
import { Signalling, SignallingError } from '../signalling';
import { Playback, type PlaybackElements, type Sound, setVideoTrack } from './playback';
import { markMilestone } from './timeline';
import {
  type LinkStatus,
  type LiveProblem,
  type StageAttachment,
  StageLink,
  type StageMediaHandler,
  toClientRtpParameters,
  toRtpCapabilitiesJson,
} from './session';

/** `ended`: what was on air during this visit has stopped; `waiting`: nothing has been on air yet. */
export type PlayerState = 'connecting' | 'waiting' | 'playing' | 'reconnecting' | 'offline' | 'ended';

/** What the player shows over (or instead of) the picture, as a code the page words. */
export type ViewerNotice = 'starting' | 'not_started' | 'audio_only' | 'camera_off' | 'ended';

/** The quality a viewer asks for: the layer the player's size needs, or one simulcast layer. */
export type Quality = 'auto' | number;

export interface ViewerStatus {
  state: PlayerState;
  /** What went wrong (the connection, or a format this browser cannot decode). */
  problem: LiveProblem | null;
  notice: ViewerNotice | null;
  /** Whether there is a running picture to show. */
  picture: boolean;
  /** The browser refuses sound until the viewer clicks (autoplay rules). */
  soundBlocked: boolean;
  /** Simulcast layers of the shown video: what the quality choice can offer (1: no choice). */
  spatialLayers: number;
  /** Whether an inset picture (picture in picture) is shown over the main one. */
  inset: boolean;
}

/** The elements a viewer plays into; the inset shows the program's second video, small. */
export interface ViewerElements extends PlaybackElements {
  inset?: HTMLVideoElement;
}

export interface ViewerObserver {
  status(status: ViewerStatus): void;
  stage(stage: StageSummary): void;
  /** The talk on air and the next one, as the control room sets them. */
  programme(onAir: StageOnAir): void;
  /** The stage was (re)joined: what else uses this socket as a stage member (questions, polls) asks again. */
  joined?(): void;
}

export interface ConsumedTrack {
  readonly consumer: types.Consumer;
  readonly source: MediaSource;
  producerPaused: boolean;
  /** Whether this viewer asked the server to send it (consumers start paused there). */
  flowing: boolean;
  readonly spatialLayers: number;
  preferredSpatialLayer?: number;
}

/** How a consumer was started on the server, and what it carries. */
interface ConsumerStart {
  source: MediaSource;
  producerPaused: boolean;
  flowing: boolean;
  spatialLayer: number | undefined;
}

/** Simulcast layers a speaker sends at most (speaker.ts); a video with fewer starts at its highest. */
const MAX_SPATIAL_LAYERS = 3;

/** Resizes come in bursts (window drags, rotation); settle before asking for another layer. */
const LAYER_UPDATE_DELAY_MS = 250;

export class ViewerSession implements StageMediaHandler {
  readonly role = 'viewer';
  readonly direction = 'recv';
  private readonly link: StageLink;
  private readonly playback: Playback;
  private attachment: StageAttachment | undefined;
  /** What the stage has on air, by producer id: everything this viewer should consume. */
  private readonly onAir = new Map<string, ProducerInfo>();
  private readonly consumed = new Map<string, ConsumedTrack>();
  private readonly consuming = new Set<string>();
  /** Producers this browser cannot decode; asking again would fail the same way. */
  private readonly unplayable = new Set<string>();
  private shown: ConsumedTrack | undefined;
  private inset: ConsumedTrack | undefined;
  private program: Program = { main: null, inset: null };
  private linkStatus: LinkStatus = 'connecting';
  private linkProblem: LiveProblem | undefined;
  private mediaProblem: LiveProblem | undefined;
  /** Something was on air while this page was joined: its end is "ended", not "waiting". */
  private everOnAir = false;
  /** Another player (HLS) shows an earlier moment: no video is sent here. */
  private suspended = false;
  private quality: Quality = 'auto';
  private reported = '';
  private layerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    stageId: string,
    private readonly elements: ViewerElements,
    private readonly observer: ViewerObserver,
    signalling = new Signalling(),
  ) {
    this.playback = new Playback(elements, () => this.render());
    this.link = new StageLink({
      stageId,
      signalling,
      handler: this,
      observer: {
        status: (status, problem) => {
          this.linkStatus = status;
          this.linkProblem = problem;
          this.render();
        },
        stage: (stage) => observer.stage(stage),
      },
    });
    // Sent as the join is answered (before the link counts as joined) and on every change; the
    // latest is the truth, whichever join it came with.
    signalling.on('programme:onAir', (onAir) => observer.programme(onAir));
    this.followStageEvents();
    this.followPlayerSize();
    document.addEventListener('visibilitychange', () => this.syncVideoFlow());
  }

  start(): void {
    this.render();
    this.link.start();
  }

  state(): PlayerState {
    switch (this.linkStatus) {
      case 'connecting':
        return 'connecting';
      case 'reconnecting':
        return 'reconnecting';
      case 'offline':
      case 'stopped':
        return 'offline';
      case 'joined':
        // The slate alone is no broadcast: its picture shows under "not started" or "ended".
        if (this.isPlaying() && this.broadcastOnAir()) return 'playing';
        return !this.broadcastOnAir() && this.everOnAir ? 'ended' : 'waiting';
    }
  }

  /** What the shown video carries (camera or screen share), or null when none is shown. */
  shownSource(): MediaSource | null {
    return this.shown?.source ?? null;
  }

  /** The producers of the main and the inset picture shown now. */
  shownProgram(): Program {
    return { main: this.shown?.consumer.producerId ?? null, inset: this.inset?.consumer.producerId ?? null };
  }

  /** Receive statistics from the transport: all audio, and the video currently shown. */
  async stats(): Promise<PlayerStats> {
    const attachment = this.attachment;
    if (!attachment) return { video: null, audio: null };
    return summarizeInboundRtp(await attachment.transport.getStats(), this.shown?.consumer);
  }

  // -------------------------------------------------------------------------------------------
  // What the viewer controls

  setQuality(quality: Quality): void {
    this.quality = quality;
    this.updatePreferredLayer();
  }

  setSound(sound: Sound): void {
    this.playback.setSound(sound);
  }

  setPaused(paused: boolean): void {
    this.playback.setPaused(paused);
  }

  /** Runs inside a click handler, which is what lets the browser allow sound. */
  unmute(): void {
    this.playback.unmute();
  }

  /** Silent while another player has the sound. */
  setSilenced(silenced: boolean): void {
    this.playback.setSilenced(silenced);
  }

  /** No video is sent while another player shows an earlier moment: that bandwidth is wasted. */
  setSuspended(suspended: boolean): void {
    this.suspended = suspended;
    this.syncVideoFlow();
  }

  // -------------------------------------------------------------------------------------------
  // StageMediaHandler

  joined(join: JoinResult): void {
    this.onAir.clear();
    this.unplayable.clear();
    this.mediaProblem = undefined;
    this.program = join.program;
    for (const producer of join.producers) this.onAir.set(producer.producerId, producer);
    if (this.broadcastOnAir()) this.everOnAir = true;
  }

  async attach(attachment: StageAttachment): Promise<void> {
    this.attachment = attachment;
    attachment.transport.on('connectionstatechange', () => this.render());
    const consuming = this.consumeMissing(attachment);
    // Told once the consumers are asked for: the server answers a socket's requests in order, so
    // what the others ask as members (questions, polls, chat) comes after the first picture's.
    this.observer.joined?.();
    await consuming;
    this.updateDisplay();
  }

  detach(): void {
    this.attachment = undefined;
    for (const track of this.consumed.values()) track.consumer.close();
    this.consumed.clear();
    this.consuming.clear();
    this.shown = undefined;
    this.showInset(undefined);
    this.playback.removeAllAudio();
    clearTimeout(this.layerTimer);
    // The video element keeps its last picture until the rejoin brings a new track.
  }

  // -------------------------------------------------------------------------------------------
  // Following what is on air

  private followStageEvents(): void {
    this.link.on('producer:added', (producer) => {
      this.onAir.set(producer.producerId, producer);
      if (producer.source !== 'slate') this.everOnAir = true;
      const attachment = this.attachment;
      if (attachment) this.consumeMissing(attachment).catch((error: unknown) => attachment.fail(error));
    });
    this.link.on('producer:removed', ({ producerId }) => this.goneOffAir(producerId));
    this.link.on('program:changed', (program) => {
      this.program = program;
      this.updateDisplay();
    });
    this.link.on('consumer:closed', ({ consumerId, producerId }) => {
      if (this.consumed.get(producerId)?.consumer.id === consumerId) this.goneOffAir(producerId);
    });
    this.link.on('producer:paused', ({ producerId, paused }) => {
      const producer = this.onAir.get(producerId);
      if (producer) producer.paused = paused;
      const track = this.consumed.get(producerId);
      if (track) track.producerPaused = paused;
      this.updateDisplay();
    });
  }

  private goneOffAir(producerId: string): void {
    this.onAir.delete(producerId);
    const track = this.consumed.get(producerId);
    if (track) {
      this.consumed.delete(producerId);
      track.consumer.close();
      if (track.consumer.kind === 'audio') this.playback.removeAudio(track.consumer.track);
    }
    this.updateDisplay();
  }

  private async consumeMissing(attachment: StageAttachment): Promise<void> {
    const missing = [...this.onAir.keys()].filter((id) => !this.consumed.has(id) && !this.consuming.has(id) && !this.unplayable.has(id));
    await Promise.all(missing.map((producerId) => this.consume(attachment, producerId)));
  }

  private async consume(attachment: StageAttachment, producerId: string): Promise<void> {
    this.consuming.add(producerId);
    // What will flow is known from the join already: it starts flowing on the server at once,
    // at the layer the player needs, without a consumer:resume (and its round trip) afterwards.
    const flowing = this.startsFlowing(producerId);
    const spatialLayer = this.layerToStartAt(producerId);
    try {
      const options = await attachment.request('consumer:create', {
        producerId,
        rtpCapabilities: toRtpCapabilitiesJson(attachment.device.rtpCapabilities),
        flowing,
        ...(spatialLayer === undefined ? {} : { spatialLayer }),
      });
      const consumer = await attachment.transport.consume({
        id: options.id,
        producerId,
        kind: options.kind,
        rtpParameters: toClientRtpParameters(options.rtpParameters),
        appData: { source: options.source },
      });
      const producer = this.onAir.get(producerId);
      if (!attachment.alive() || !producer) {
        consumer.close();
        return;
      }
      this.addConsumed(attachment, consumer, { source: options.source, producerPaused: producer.paused, flowing: !options.paused, spatialLayer });
    } catch (error) {
      if (attachment.alive()) this.onConsumeFailure(producerId, error);
    } finally {
      if (attachment.alive()) this.consuming.delete(producerId);
    }
  }

  private addConsumed(attachment: StageAttachment, consumer: types.Consumer, start: ConsumerStart): void {
    const spatialLayers = parseScalabilityMode(consumer.rtpParameters.encodings?.[0]?.scalabilityMode).spatialLayers;
    const track: ConsumedTrack = {
      consumer,
      source: start.source,
      producerPaused: start.producerPaused,
      flowing: start.flowing,
      spatialLayers,
      // The server started it there, or at its highest layer when it has fewer.
      ...(start.spatialLayer === undefined || spatialLayers < 2 ? {} : { preferredSpatialLayer: Math.min(start.spatialLayer, spatialLayers - 1) }),
    };
    this.consumed.set(consumer.producerId, track);
    if (consumer.kind === 'video') markMilestone('consumer');
    if (consumer.kind === 'audio') {
      this.playback.addAudio(consumer.track);
      this.setFlowing(attachment, track, true);
    }
    // Video flows only while shown; updateDisplay decides (a guess made at consume time is corrected there).
    this.updateDisplay();
  }

  /** Audio always flows; video only the ones that will be shown (main and inset), while the page can show them. */
  private startsFlowing(producerId: string): boolean {
    const producer = this.onAir.get(producerId);
    if (producer?.kind !== 'video') return true;
    return this.videoWanted() && (pickShownProducer([...this.onAir.values()], this.shownMain()) === producer || this.startsAsInset(producer));
  }

  private startsAsInset(producer: ProducerInfo): boolean {
    if (this.program.slate) return false;
    const producers = [...this.onAir.values()];
    return pickInsetProducer(producers, this.program, pickShownProducer(producers, this.program.main)) === producer;
  }

  /** The slate, while the server shows it, takes the place of main and inset. */
  private shownMain(): string | null {
    return this.program.slate ?? this.program.main;
  }

  /** Whether anything but the slate is on air. */
  private broadcastOnAir(): boolean {
    return [...this.onAir.values()].some((producer) => producer.source !== 'slate');
  }

  /** The layer the player's size needs, for a video that may be simulcast (the server ignores it otherwise); the inset's lowest. */
  private layerToStartAt(producerId: string): number | undefined {
    const producer = this.onAir.get(producerId);
    if (producer?.kind !== 'video') return undefined;
    if (this.startsAsInset(producer)) return 0;
    return preferredLayer(this.quality, renderedPictureHeight(this.elements.video) * window.devicePixelRatio, MAX_SPATIAL_LAYERS);
  }

  private videoWanted(): boolean {
    return !document.hidden && !this.suspended;
  }

  /** Rethrows what needs a rejoin; a producer that left or cannot be decoded is just skipped. */
  private onConsumeFailure(producerId: string, error: unknown): void {
    if (error instanceof SignallingError && error.code === 'not_found') {
      this.onAir.delete(producerId);
      return;
    }
    const cannotDecode = (error instanceof SignallingError && error.code === 'media_rejected') || (error instanceof Error && error.name === 'UnsupportedError');
    if (!cannotDecode) throw error;
    this.unplayable.add(producerId);
    this.mediaProblem = 'cannot_decode';
    this.render();
  }

  // -------------------------------------------------------------------------------------------
  // What is shown, and what the server sends

  private updateDisplay(): void {
    const videos = [...this.consumed.values()].filter((track) => track.consumer.kind === 'video');
    const next = pickShownVideo(videos, this.shownMain());
    if (next !== this.shown) {
      this.shown = next;
      this.playback.showVideo(next?.consumer.track ?? null);
    }
    this.showInset(this.program.slate ? undefined : pickInsetVideo(videos, this.program, next));
    // Layers first: the server then starts a resumed consumer at the right size.
    this.updatePreferredLayer();
    this.syncVideoFlow();
    this.render();
  }

  /** Only the shown videos are sent, and not while the page is hidden or another player shows the stage. */
  private syncVideoFlow(): void {
    const attachment = this.attachment;
    if (!attachment) return;
    const wanted = this.videoWanted();
    for (const track of this.consumed.values()) {
      if (track.consumer.kind === 'video') this.setFlowing(attachment, track, (track === this.shown || track === this.inset) && wanted);
    }
  }

  /** The inset is small: its lowest simulcast layer is sharp enough. */
  private showInset(track: ConsumedTrack | undefined): void {
    if (track === this.inset) return;
    this.inset = track;
    if (this.elements.inset) setVideoTrack(this.elements.inset, track?.consumer.track ?? null);
    const attachment = this.attachment;
    if (!track || !attachment || track.spatialLayers < 2 || track.preferredSpatialLayer === 0) return;
    track.preferredSpatialLayer = 0;
    attachment
      .request('consumer:setPreferredLayers', { consumerId: track.consumer.id, spatialLayer: 0 })
      .catch((error: unknown) => this.onControlFailure(attachment, error));
  }

  private setFlowing(attachment: StageAttachment, track: ConsumedTrack, flowing: boolean): void {
    if (track.flowing === flowing) return;
    track.flowing = flowing;
    const { consumer } = track;
    if (flowing) consumer.resume();
    else consumer.pause();
    attachment
      .request(flowing ? 'consumer:resume' : 'consumer:pause', { consumerId: consumer.id })
      .catch((error: unknown) => this.onControlFailure(attachment, error));
  }

  private followPlayerSize(): void {
    const schedule = () => {
      clearTimeout(this.layerTimer);
      this.layerTimer = setTimeout(() => this.updatePreferredLayer(), LAYER_UPDATE_DELAY_MS);
    };
    new ResizeObserver(schedule).observe(this.elements.video);
    // Zoom and moving to another screen change devicePixelRatio without resizing the element.
    window.addEventListener('resize', schedule);
    // The picture's aspect ratio is known (and letterboxing with it) once video arrives.
    this.elements.video.addEventListener('resize', schedule);
  }

  private updatePreferredLayer(): void {
    const track = this.shown;
    const attachment = this.attachment;
    if (!track || !attachment || track.spatialLayers < 2) return;
    const devicePixels = renderedPictureHeight(this.elements.video) * window.devicePixelRatio;
    const layer = preferredLayer(this.quality, devicePixels, track.spatialLayers);
    if (layer === track.preferredSpatialLayer) return;
    track.preferredSpatialLayer = layer;
    attachment
      .request('consumer:setPreferredLayers', { consumerId: track.consumer.id, spatialLayer: layer })
      .catch((error: unknown) => this.onControlFailure(attachment, error));
  }

  private onControlFailure(attachment: StageAttachment, error: unknown): void {
    // A consumer that just closed, or a socket that just dropped, is handled elsewhere.
    if (error instanceof SignallingError && (error.code === 'not_found' || error.code === 'disconnected')) return;
    attachment.fail(error);
  }

  // -------------------------------------------------------------------------------------------
  // State

  private isPlaying(): boolean {
    const shown = this.shown;
    if (shown && !shown.producerPaused && this.playback.showingVideo) return true;
    const mediaConnected = this.attachment?.transport.connectionState === 'connected';
    return mediaConnected && [...this.consumed.values()].some((t) => t.consumer.kind === 'audio' && !t.producerPaused);
  }

  private render(): void {
    const state = this.state();
    const status: ViewerStatus = {
      state,
      problem: state === 'waiting' || state === 'playing' ? (this.mediaProblem ?? null) : (this.linkProblem ?? null),
      notice: this.noticeFor(state),
      picture: Boolean(this.shown && !this.shown.producerPaused && this.playback.showingVideo),
      soundBlocked: this.playback.soundBlocked,
      spatialLayers: this.shown?.spatialLayers ?? 1,
      inset: this.inset !== undefined,
    };
    const fingerprint = JSON.stringify(status);
    if (fingerprint === this.reported) return;
    this.reported = fingerprint;
    this.observer.status(status);
  }

  private noticeFor(state: PlayerState): ViewerNotice | null {
    switch (state) {
      case 'waiting':
        return this.broadcastOnAir() ? 'starting' : 'not_started';
      case 'ended':
        return 'ended';
      case 'playing':
        if (!this.shown) return 'audio_only';
        return this.shown.producerPaused ? 'camera_off' : null;
      default:
        return null;
    }
  }
}

/**
 * The program's main video when the technicians took one and it runs; else the screen share when
 * there is one, else the camera; a running picture beats a paused one.
 */
export function pickShownVideo(candidates: ConsumedTrack[], main: string | null = null): ConsumedTrack | undefined {
  return bestShown(candidates, (track) => ({ producerId: track.consumer.producerId, paused: track.producerPaused, source: track.source }), main);
}

/**
 * The picture over the main one: the technicians' inset while it runs; without a Take, the camera
 * beside a shown screen share (the speaker's face while their slides fill the picture).
 */
export function pickInsetVideo(candidates: ConsumedTrack[], program: Program, main: ConsumedTrack | undefined): ConsumedTrack | undefined {
  return bestInset(candidates, (track) => ({ producerId: track.consumer.producerId, paused: track.producerPaused, source: track.source }), program, main);
}

/** The same choice among what is on air, before anything is consumed. */
export function pickInsetProducer(producers: ProducerInfo[], program: Program, main: ProducerInfo | undefined): ProducerInfo | undefined {
  return bestInset(
    producers.filter((producer) => producer.kind === 'video'),
    (producer) => producer,
    program,
    main,
  );
}

function bestInset<T>(
  candidates: T[],
  describe: (candidate: T) => { producerId: string; paused: boolean; source: MediaSource },
  program: Program,
  main: T | undefined,
): T | undefined {
  const running = candidates.filter((candidate) => candidate !== main && !describe(candidate).paused);
  if (program.inset !== null) return running.find((candidate) => describe(candidate).producerId === program.inset);
  // A Take of a main alone has no inset; nor has a camera shown by itself.
  if (program.main !== null || main === undefined || describe(main).source !== 'screen') return undefined;
  return running.find((candidate) => describe(candidate).source === 'camera');
}

/** The same choice among what is on air, before anything is consumed. */
export function pickShownProducer(producers: ProducerInfo[], main: string | null = null): ProducerInfo | undefined {
  return bestShown(
    producers.filter((producer) => producer.kind === 'video'),
    (producer) => producer,
    main,
  );
}

function bestShown<T>(
  candidates: T[],
  describe: (candidate: T) => { producerId: string; paused: boolean; source: MediaSource },
  main: string | null,
): T | undefined {
  const taken = candidates.find((candidate) => {
    const { producerId, paused } = describe(candidate);
    return producerId === main && !paused;
  });
  if (taken) return taken;
  const rank = (candidate: T) => {
    const { paused, source } = describe(candidate);
    return (paused ? 0 : 10) + (source === 'screen' ? 2 : source === 'camera' ? 1 : 0);
  };
  // Among equals the newest on air (candidates come oldest first): the newest speaker has the floor, as in the recording.
  return candidates.reduce<T | undefined>((best, candidate) => (best === undefined || rank(candidate) >= rank(best) ? candidate : best), undefined);
}

/** The layer the viewer chose (within what the video has), else the one its picture's size needs. */
export function preferredLayer(quality: Quality, devicePixelHeight: number, spatialLayers: number): number {
  const wanted = quality === 'auto' ? spatialLayerFor(devicePixelHeight) : quality;
  return Math.max(0, Math.min(wanted, spatialLayers - 1));
}

/** Picks the lowest simulcast layer that still looks sharp at this many device pixels of height. */
export function spatialLayerFor(devicePixelHeight: number): number {
  if (devicePixelHeight <= 200) return 0;
  if (devicePixelHeight <= 400) return 1;
  return 2;
}

/** Height of the picture itself: with object-fit: contain, letterboxing takes part of the element. */
function renderedPictureHeight(video: HTMLVideoElement): number {
  const { clientWidth, clientHeight, videoWidth, videoHeight } = video;
  if (!videoWidth || !videoHeight) return clientHeight;
  return Math.min(clientHeight, (clientWidth * videoHeight) / videoWidth);
}

function summarizeInboundRtp(report: RTCStatsReport, shownVideo: types.Consumer | undefined): PlayerStats {
  const stats: PlayerStats = { video: null, audio: null };
  for (const entry of report.values() as IterableIterator<RTCStats>) {
    if (entry.type !== 'inbound-rtp') continue;
    const rtp = entry as RTCInboundRtpStreamStats;
    if (rtp.kind === 'audio') {
      stats.audio = addAudioStats(stats.audio, rtp);
    } else if (rtp.kind === 'video' && shownVideo && isStatsOf(rtp, shownVideo)) {
      stats.video = addVideoStats(stats.video, rtp);
    }
  }
  return stats;
}

function addAudioStats(sum: PlayerAudioStats | null, rtp: RTCInboundRtpStreamStats): PlayerAudioStats {
  return {
    packetsReceived: (sum?.packetsReceived ?? 0) + (rtp.packetsReceived ?? 0),
    packetsLost: (sum?.packetsLost ?? 0) + (rtp.packetsLost ?? 0),
    bytesReceived: (sum?.bytesReceived ?? 0) + (rtp.bytesReceived ?? 0),
  };
}

function addVideoStats(sum: PlayerVideoStats | null, rtp: RTCInboundRtpStreamStats): PlayerVideoStats {
  return {
    ...addAudioStats(sum, rtp),
    framesDecoded: (sum?.framesDecoded ?? 0) + (rtp.framesDecoded ?? 0),
    frameWidth: Math.max(sum?.frameWidth ?? 0, rtp.frameWidth ?? 0),
    frameHeight: Math.max(sum?.frameHeight ?? 0, rtp.frameHeight ?? 0),
    framesDropped: (sum?.framesDropped ?? 0) + (rtp.framesDropped ?? 0),
    freezeCount: (sum?.freezeCount ?? 0) + (rtp.freezeCount ?? 0),
    totalFreezesDuration: (sum?.totalFreezesDuration ?? 0) + (rtp.totalFreezesDuration ?? 0),
  };
}

function isStatsOf(rtp: RTCInboundRtpStreamStats, consumer: types.Consumer): boolean {
  const mid = (rtp as { mid?: string }).mid;
  return rtp.trackIdentifier === consumer.track.id || (mid !== undefined && mid === consumer.rtpParameters.mid);
}
