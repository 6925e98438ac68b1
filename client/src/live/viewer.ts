/**
 * Watching a stage: consume everything on air, show one picture (the screen share if there is
 * one, else the camera) and play all sound, at the simulcast layer the player's size needs.
 */
import { parseScalabilityMode, type types } from 'mediasoup-client';
import type { PlayerAudioStats, PlayerStats, PlayerVideoStats } from '../../../shared/playerStats';
import type { MediaSource, ProducerInfo, JoinResult, StageSummary } from '../../../shared/protocol';
import { Signalling, SignallingError } from '../signalling';
import { Playback, type PlaybackElements } from './playback';
import {
  describeError,
  type LinkStatus,
  type StageAttachment,
  StageLink,
  type StageMediaHandler,
  toClientRtpParameters,
  toRtpCapabilitiesJson,
} from './session';

export type PlayerState = 'connecting' | 'waiting' | 'playing' | 'reconnecting' | 'offline';

export interface ViewerElements extends PlaybackElements {
  /** The box around the video; its `data-picture` says whether there is a picture to show. */
  player: HTMLElement;
  /** Text over the player: what is happening when there is no picture. */
  notice: HTMLElement;
}

export interface ViewerObserver {
  state(state: PlayerState): void;
  stage(stage: StageSummary): void;
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
  private linkStatus: LinkStatus = 'connecting';
  private linkProblem: string | undefined;
  private mediaProblem: string | undefined;
  private reportedState: PlayerState | undefined;
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
        return this.isPlaying() ? 'playing' : 'waiting';
    }
  }

  /** What the shown video carries (camera or screen share), or null when none is shown. */
  shownSource(): MediaSource | null {
    return this.shown?.source ?? null;
  }

  /** Receive statistics from the transport: all audio, and the video currently shown. */
  async stats(): Promise<PlayerStats> {
    const attachment = this.attachment;
    if (!attachment) return { video: null, audio: null };
    return summarizeInboundRtp(await attachment.transport.getStats(), this.shown?.consumer);
  }

  // -------------------------------------------------------------------------------------------
  // StageMediaHandler

  joined(join: JoinResult): void {
    this.onAir.clear();
    this.unplayable.clear();
    this.mediaProblem = undefined;
    for (const producer of join.producers) this.onAir.set(producer.producerId, producer);
  }

  async attach(attachment: StageAttachment): Promise<void> {
    this.attachment = attachment;
    attachment.transport.on('connectionstatechange', () => this.render());
    await this.consumeMissing(attachment);
    this.updateDisplay();
  }

  detach(): void {
    this.attachment = undefined;
    for (const track of this.consumed.values()) track.consumer.close();
    this.consumed.clear();
    this.consuming.clear();
    this.shown = undefined;
    this.playback.removeAllAudio();
    clearTimeout(this.layerTimer);
    // The video element keeps its last picture until the rejoin brings a new track.
  }

  // -------------------------------------------------------------------------------------------
  // Following what is on air

  private followStageEvents(): void {
    this.link.on('producer:added', (producer) => {
      this.onAir.set(producer.producerId, producer);
      const attachment = this.attachment;
      if (attachment) this.consumeMissing(attachment).catch((error: unknown) => attachment.fail(error));
    });
    this.link.on('producer:removed', ({ producerId }) => this.goneOffAir(producerId));
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
    if (!track) return;
    this.consumed.delete(producerId);
    track.consumer.close();
    if (track.consumer.kind === 'audio') this.playback.removeAudio(track.consumer.track);
    this.updateDisplay();
  }

  private async consumeMissing(attachment: StageAttachment): Promise<void> {
    const missing = [...this.onAir.keys()].filter((id) => !this.consumed.has(id) && !this.consuming.has(id) && !this.unplayable.has(id));
    await Promise.all(missing.map((producerId) => this.consume(attachment, producerId)));
  }

  private async consume(attachment: StageAttachment, producerId: string): Promise<void> {
    this.consuming.add(producerId);
    try {
      const options = await attachment.request('consumer:create', {
        producerId,
        rtpCapabilities: toRtpCapabilitiesJson(attachment.device.rtpCapabilities),
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
      this.addConsumed(attachment, consumer, options.source, producer.paused);
    } catch (error) {
      if (attachment.alive()) this.onConsumeFailure(producerId, error);
    } finally {
      if (attachment.alive()) this.consuming.delete(producerId);
    }
  }

  private addConsumed(attachment: StageAttachment, consumer: types.Consumer, source: MediaSource, producerPaused: boolean): void {
    const track: ConsumedTrack = {
      consumer,
      source,
      producerPaused,
      flowing: false,
      spatialLayers: parseScalabilityMode(consumer.rtpParameters.encodings?.[0]?.scalabilityMode).spatialLayers,
    };
    this.consumed.set(consumer.producerId, track);
    if (consumer.kind === 'audio') {
      this.playback.addAudio(consumer.track);
      this.setFlowing(attachment, track, true);
    }
    // Video flows only while shown; updateDisplay decides.
    this.updateDisplay();
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
    this.mediaProblem = describeError(new SignallingError('media_rejected', 'cannot decode'));
    this.render();
  }

  // -------------------------------------------------------------------------------------------
  // What is shown, and what the server sends

  private updateDisplay(): void {
    const next = pickShownVideo([...this.consumed.values()].filter((track) => track.consumer.kind === 'video'));
    if (next !== this.shown) {
      this.shown = next;
      this.playback.showVideo(next?.consumer.track ?? null);
    }
    this.elements.player.dataset.picture = next && !next.producerPaused ? 'on' : 'off';
    // Layers first: the server then starts a resumed consumer at the right size.
    this.updatePreferredLayer();
    this.syncVideoFlow();
    this.render();
  }

  /** Only the shown video is sent, and not while the page is hidden: that bandwidth is wasted. */
  private syncVideoFlow(): void {
    const attachment = this.attachment;
    if (!attachment) return;
    for (const track of this.consumed.values()) {
      if (track.consumer.kind === 'video') this.setFlowing(attachment, track, track === this.shown && !document.hidden);
    }
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
    const layer = Math.min(spatialLayerFor(devicePixels), track.spatialLayers - 1);
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
    const notice = this.noticeFor(state);
    this.elements.notice.textContent = notice;
    this.elements.notice.hidden = notice === '';
    if (state !== this.reportedState) {
      this.reportedState = state;
      this.observer.state(state);
    }
  }

  private noticeFor(state: PlayerState): string {
    switch (state) {
      case 'connecting':
        return this.linkProblem ?? 'Connecting to the stage…';
      case 'reconnecting':
        return this.linkProblem ?? 'The connection was lost. Reconnecting…';
      case 'offline':
        return this.linkProblem ?? 'Not connected. Reload the page to try again.';
      case 'waiting':
        if (this.mediaProblem) return this.mediaProblem;
        return this.onAir.size === 0
          ? 'The broadcast has not started yet. It will appear here by itself; there is no need to reload.'
          : 'Starting the broadcast…';
      case 'playing':
        if (!this.shown) return 'Audio only: the speakers are not sending video.';
        return this.shown.producerPaused ? 'The camera is off. You can still hear the speaker.' : '';
    }
  }
}

/** The screen share when there is one, else the camera; a running picture beats a paused one. */
export function pickShownVideo(candidates: ConsumedTrack[]): ConsumedTrack | undefined {
  const rank = (track: ConsumedTrack) => (track.producerPaused ? 0 : 10) + (track.source === 'screen' ? 2 : track.source === 'camera' ? 1 : 0);
  return candidates.reduce<ConsumedTrack | undefined>((best, track) => (!best || rank(track) > rank(best) ? track : best), undefined);
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
