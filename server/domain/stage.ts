import type { Logger } from 'pino';
import type {
  ConsumerOptions,
  DtlsParametersJson,
  IngestTrackTarget,
  JoinResult,
  MediaKind,
  MediaSource,
  ProducerInfo,
  Program,
  RequestPayload,
  RtpCapabilitiesJson,
  RtpParametersJson,
  ServerToClientEvents,
  SpeakerPlacement,
  StageSpeaker,
  StageSummary,
  TransportOptions,
} from '../../shared/protocol.js';
import type { SlateReason } from '../../shared/slate.js';
import { AppError } from '../errors.js';
import type { ConsumerStart, FeedStats, MediaEngine, RecordingTap, StageMedia } from '../media/index.js';
import type { DeliberateEnds } from './deliberateEnds.js';
import type { PendingTransports } from './pendingTransports.js';
import type { Peer, SpeakerInviteRef } from './peer.js';
import { absentSpeaker, type ProgramTake, type SpeakerLineup } from './speakerLineup.js';
import { hearsTalkback, Talkback } from './talkback.js';

/** How a stage reaches its clients; signalling implements it over socket.io rooms. */
export interface StageNotifier {
  toStage<E extends keyof ServerToClientEvents>(stageId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  toPeer<E extends keyof ServerToClientEvents>(peer: Peer, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** The technicians monitoring the stage (its monitor peers). */
  toMonitors<E extends keyof ServerToClientEvents>(stageId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
}

export interface StageDependencies {
  media: MediaEngine;
  notifier: StageNotifier;
  logger: Logger;
  /** Shared by all stages: unconnected transports are limited per client address, not per stage. */
  pendingTransports: PendingTransports;
  /** Which invited speakers are on air (the others wait backstage), and each stage's last Take. */
  lineup: SpeakerLineup;
  /** Where the stage notes the feeds it takes off air on purpose, for the alert rules. */
  deliberateEnds: DeliberateEnds;
}

/**
 * What a change on air was. Most come in bursts (a speaker's camera and microphone a moment
 * apart) worth waiting out; a feed switch (a backup taking over) is whole at once, and every
 * moment waited is missing from the recording.
 */
export type StageChange = 'on-air' | 'feed-switch';

/** A feed as a Take remembers it: who sends it and what it is, e.g. "invite:<id>/camera". */
function feedKey(peer: Peer, producer: ProducerInfo): string {
  return `${peer.feedOwner}/${producer.source}`;
}

/** The stage's slate as its source sends it: a still image's video and silence, for viewers and the recording. */
export interface SlateFeed {
  video: ProducerInfo;
  audio: ProducerInfo;
  transportIds: string[];
}

/** A viewer of a speaker with no on-air media yet still gets audio and video once one arrives. */
const MIN_EXPECTED_CONSUMERS = 2;
const STATE_PUSH_INTERVAL_MS = 1000;
const SPEAKERS_PUSH_DELAY_MS = 50;

/**
 * One stage: who is on it, what is on air, and the rules (only publishers publish, everyone acts
 * only on what they own). Media work is delegated to the stage's StageMedia, created on first use
 * and rebuilt after its worker dies.
 */
export class Stage {
  private readonly peers = new Map<string, Peer>();
  private readonly onAir = new Map<string, ProducerInfo>();
  private readonly consumerOwners = new Map<string, Peer>();
  /**
   * Publishers held off air (a backup feed while the main one is fine, a speaker backstage): their
   * producers, which only monitors may consume.
   */
  private readonly standby = new Map<string, Map<string, ProducerInfo>>();
  private speakersPush: NodeJS.Timeout | undefined;
  /** The control room's microphones talking to backstage: never on air. */
  private readonly talkback = new Talkback();
  /** The technicians' last Take; feeds that left the air have left it. */
  private program: Program = { main: null, inset: null };
  private media: Promise<StageMedia> | undefined;
  private statePush: { timer: NodeJS.Timeout | undefined; lastAt: number } = { timer: undefined, lastAt: 0 };

  private readonly logger: Logger;
  private readonly changeListeners = new Set<(change: StageChange) => void>();
  /** Set while setStandby() moves producers on or off air: the changes it makes are a feed switch. */
  private switchingFeeds = false;
  /** The slate's feed while its source runs (server/slate/), and why it would be shown. */
  private slate: { feed: SlateFeed | undefined; up: boolean; mainFeedLost: boolean; announced: string | undefined } = {
    feed: undefined,
    up: false,
    mainFeedLost: false,
    announced: undefined,
  };

  constructor(
    readonly id: string,
    /** Kept while empty (the demo stage); other stages go away with their last peer. */
    readonly persistent: boolean,
    private readonly deps: StageDependencies,
  ) {
    this.logger = deps.logger.child({ stage: id });
  }

  get isEmpty(): boolean {
    return this.peers.size === 0;
  }

  summary(): StageSummary {
    let viewers = 0;
    let speakers = 0;
    for (const peer of this.peers.values()) {
      if (peer.kind === 'viewer') viewers++;
      else if (peer.canPublish) speakers++;
    }
    return { id: this.id, live: this.onAir.size > 0, viewers, speakers };
  }

  /** What is on air now, in the order it went on air. */
  onAirProducers(): ProducerInfo[] {
    return [...this.onAir.values()];
  }

  /** What arrives of each feed on air, as the media layer measures it (none while the stage has no media). */
  async onAirFeedStats(): Promise<{ feed: ProducerInfo; stats: FeedStats }[]> {
    const media = await this.existingMedia();
    if (!media) return [];
    const feeds = this.onAirProducers();
    const stats = new Map((await media.feedStats(feeds.map((feed) => feed.producerId))).map((measured) => [measured.producerId, measured]));
    return feeds.flatMap((feed) => {
      const measured = stats.get(feed.producerId);
      return measured ? [{ feed, stats: measured }] : [];
    });
  }

  /**
   * The main and inset video viewers show and the recorder records (null main: Estrad chooses),
   * with the slate's video while the slate is shown in their place.
   */
  currentProgram(): Program {
    const slate = this.shownSlate();
    return slate ? { ...this.program, slate } : { ...this.program };
  }

  /**
   * What the recorder may record: what is on air, and the slate's video and silence while the
   * slate is shown. Only while something is on air: a stage off air is not recorded at all.
   */
  recordableProducers(): ProducerInfo[] {
    const feed = this.slate.feed;
    return this.shownSlate() && feed ? [...this.onAir.values(), feed.video, feed.audio] : this.onAirProducers();
  }

  /**
   * Why the slate is shown, or null while it is not: a technician put it up, the on-air video
   * stopped arriving, or no video on air runs (nothing on air, or only microphones and paused cameras).
   */
  slateReason(): SlateReason | null {
    const { feed, up, mainFeedLost } = this.slate;
    if (!feed) return null;
    if (up) return 'put-up';
    if (mainFeedLost) return 'feed-lost';
    const runningVideo = [...this.onAir.values()].some((producer) => producer.kind === 'video' && !producer.paused);
    return runningVideo ? null : 'nothing-on-air';
  }

  /** Plain-RTP entries for the slate's source (H.264 video and Opus silence); viewers get it while it is shown. */
  async openSlate(): Promise<{ feed: SlateFeed; targets: IngestTrackTarget[] }> {
    const media = await this.stageMedia();
    const [video, audio] = await Promise.all([media.openPlainIngest('H264'), media.openPlainIngest('opus')]);
    const info = (track: typeof video): ProducerInfo => ({
      producerId: track.producerId,
      kind: track.kind,
      source: 'slate',
      peerId: `slate-${this.id}`,
      paused: false,
    });
    const feed: SlateFeed = { video: info(video), audio: info(audio), transportIds: [video.transportId, audio.transportId] };
    const targets = [video, audio].map(({ producerId: _producer, transportId: _transport, ...target }) => ({
      source: 'slate' as const,
      codec: target.kind === 'video' ? ('H264' as const) : ('opus' as const),
      ...target,
    }));
    if (this.media !== undefined && (await this.existingMedia()) === media) {
      this.closeSlate();
      this.slate.feed = feed;
      this.changed();
    }
    return { feed, targets };
  }

  /** The slate's source stopped: its feed goes, with its transports. */
  closeSlate(feed: SlateFeed | undefined = this.slate.feed): void {
    if (!feed) return;
    if (this.slate.feed === feed) {
      this.slate.feed = undefined;
      this.changed();
    }
    void this.existingMedia().then((media) => {
      for (const transportId of feed.transportIds) media?.closeTransport(transportId);
    });
  }

  /** Whether the slate's source has a feed on this stage's media now (a rebuilt media has none). */
  hasSlateFeed(feed: SlateFeed): boolean {
    return this.slate.feed === feed;
  }

  /** A technician put the slate up on purpose, or took it down. */
  setSlateUp(up: boolean): void {
    this.slate.up = up;
    this.changed();
  }

  /** The slate's director measured that the on-air video stopped arriving, or arrives again. */
  setMainFeedLost(lost: boolean): void {
    if (this.slate.mainFeedLost === lost) return;
    this.slate.mainFeedLost = lost;
    this.logger.warn({ lost }, lost ? 'the on-air video stopped arriving; the slate is shown' : 'the on-air video arrives again');
    this.changed();
  }

  /** Bytes an on-air producer has received so far: growing while its media flows. */
  async producerBytes(producerId: string): Promise<number> {
    const media = await this.existingMedia();
    return media && this.onAir.has(producerId) ? media.producerBytes(producerId) : 0;
  }

  private shownSlate(): string | undefined {
    return this.slateReason() === null ? undefined : this.slate.feed?.video.producerId;
  }

  /**
   * A technician's Take: the main and inset video, each on air. Viewers and the recorder follow at
   * once. The lineup keeps it by feed, so a feed that leaves and comes back takes its place again.
   */
  setProgram(program: Program): Program {
    const take: ProgramTake = { main: this.feedKeyOf(program.main), inset: this.feedKeyOf(program.inset) };
    this.program = { main: program.main, inset: program.inset };
    this.deps.lineup.takeProgram(this.id, take);
    this.programChanged();
    return this.currentProgram();
  }

  /** Called after anything on air changes (including a pause), or the media was rebuilt; returns an unsubscribe. */
  onChange(listener: (change: StageChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Copies of on-air producers as plain RTP for the recorder. */
  async openRecordingTap(producerIds: string[]): Promise<RecordingTap> {
    const media = await this.stageMedia();
    // Checked after the wait: what went backstage meanwhile is not recorded.
    const offAir = producerIds.find((producerId) => !this.isRecordable(producerId));
    if (offAir) throw new AppError('not_found', `Producer ${offAir} is not on air on stage ${this.id}.`);
    const tap = await media.openRecordingTap(producerIds);
    const withheld = producerIds.filter((producerId) => !this.isRecordable(producerId));
    for (const producerId of withheld) tap.drop(producerId);
    return tap;
  }

  /** An invited speaker arrives backstage unless the technicians took their invite to air. */
  async join(peer: Peer): Promise<JoinResult> {
    // Counted before the media await, so the stage is not dropped as empty while it is joined.
    this.peers.set(peer.id, peer);
    const placement = peer.invite && this.placementOf(peer.invite);
    if (placement === 'backstage') this.standby.set(peer.id, new Map());
    const media = await this.stageMedia().catch((error: unknown) => {
      this.peers.delete(peer.id);
      this.standby.delete(peer.id);
      throw error;
    });
    this.scheduleStatePush();
    if (peer.invite) this.scheduleSpeakersPush();
    this.logger.debug({ peer: peer.id, kind: peer.kind, placement }, 'peer joined');
    return {
      peerId: peer.id,
      routerRtpCapabilities: media.rtpCapabilities,
      stage: this.summary(),
      producers: this.slateShownAs() ? [...this.onAir.values(), this.slate.feed!.video] : [...this.onAir.values()],
      program: this.currentProgram(),
      ...(placement ? { placement } : {}),
      ...(peer.kind === 'monitor' ? { speakers: this.speakers() } : {}),
      ...(this.hearsTalkback(peer) ? { talkback: this.talkback.list() } : {}),
    };
  }

  /** The stage's invited speakers: those connected, and those on air who are not (yet). */
  speakers(): StageSpeaker[] {
    const byInvite = new Map(this.deps.lineup.onAirSpeakers(this.id).map((speaker) => [speaker.inviteId, speaker]));
    for (const peer of this.peers.values()) {
      if (!peer.invite) continue;
      const speaker = byInvite.get(peer.invite.id) ?? absentSpeaker(peer.invite, this.placementOf(peer.invite));
      speaker.connected = true;
      speaker.producers.push(...this.producersOf(peer));
      byInvite.set(peer.invite.id, speaker);
    }
    return [...byInvite.values()];
  }

  /**
   * A technician took the invite's speaker to air or backstage: each of its connections follows,
   * and is told. Backstage, their media reaches only monitors (viewers' consumers and the
   * recording's tap of it close at once).
   */
  async placeSpeaker(invite: SpeakerInviteRef, placement: SpeakerPlacement): Promise<void> {
    this.deps.lineup.place(this.id, invite, placement);
    for (const peer of this.peers.values()) {
      if (peer.invite?.id !== invite.id) continue;
      await this.setStandby(peer, placement === 'backstage');
      this.deps.notifier.toPeer(peer, 'speaker:placement', { placement });
      this.deps.notifier.toPeer(peer, 'talkback:changed', { producers: this.hearsTalkback(peer) ? this.talkback.list() : [] });
    }
    // A speaker taken to air stops hearing the control room at once.
    await this.restrictTalkback();
    this.scheduleSpeakersPush();
    this.logger.info({ invite: invite.id, placement }, 'speaker placed');
  }

  /** `deliberate`: the speaker stopped; unless still connected elsewhere, their invite goes backstage again. */
  async leave(peer: Peer, { deliberate = false }: { deliberate?: boolean } = {}): Promise<void> {
    if (!this.peers.delete(peer.id)) return;
    this.standby.delete(peer.id);
    const { invite } = peer;
    if (invite) {
      const stillConnected = [...this.peers.values()].some((other) => other.invite?.id === invite.id);
      if (deliberate && !stillConnected) this.deps.lineup.place(this.id, invite, 'backstage');
      this.scheduleSpeakersPush();
    }
    for (const producerId of peer.producerIds) this.takeOffAir(producerId, { deliberate });
    for (const consumerId of peer.consumerIds) this.consumerOwners.delete(consumerId);
    this.settleTransports(peer);
    const media = await this.existingMedia();
    for (const transportId of peer.transportIds) media?.closeTransport(transportId);
    peer.resetMedia();
    this.scheduleStatePush();
    this.logger.debug({ peer: peer.id }, 'peer left');
  }

  async createTransport(peer: Peer, options: RequestPayload<'transport:create'>): Promise<TransportOptions> {
    this.requireMember(peer);
    // A monitor sends too: the technician's talk-back microphone.
    if (options.direction === 'send' && peer.kind !== 'monitor') this.requirePublisher(peer);
    const media = await this.stageMedia();
    const previous = options.direction === 'send' ? peer.sendTransportId : peer.recvTransportId;
    if (previous) this.dropTransport(media, peer, previous);
    this.deps.pendingTransports.reserve(peer.clientAddress);
    let transport: TransportOptions;
    try {
      transport = await media.createWebRtcTransport({
        direction: options.direction,
        forceTcp: options.forceTcp ?? false,
        expectedConsumers: Math.max(MIN_EXPECTED_CONSUMERS, this.onAir.size),
      });
    } catch (error) {
      this.deps.pendingTransports.release(peer.clientAddress);
      throw this.outOfMediaCapacity(error);
    }
    peer.transportIds.add(transport.id);
    if (options.direction === 'send') peer.sendTransportId = transport.id;
    else peer.recvTransportId = transport.id;
    this.deps.pendingTransports.track(transport.id, peer.clientAddress, () => this.expireTransport(peer, transport.id));
    return transport;
  }

  async connectTransport(peer: Peer, transportId: string, dtlsParameters: DtlsParametersJson): Promise<void> {
    this.requireTransport(peer, transportId);
    await (await this.stageMedia()).connectTransport(transportId, dtlsParameters);
  }

  async produce(peer: Peer, request: { transportId: string; kind: MediaKind; source: MediaSource; rtpParameters: RtpParametersJson }): Promise<string> {
    if (peer.kind !== 'monitor') this.requirePublisher(peer);
    else this.requireMember(peer);
    if (request.transportId !== peer.sendTransportId) {
      throw new AppError('forbidden', 'Publish on your own send transport (create one with transport:create).');
    }
    if (peer.kind === 'monitor') return this.talkBack(peer, request);
    const producerId = await (await this.stageMedia()).produce(request.transportId, request.kind, request.rtpParameters);
    this.putOnAir(peer, { producerId, kind: request.kind, source: request.source, peerId: peer.id, paused: false });
    return producerId;
  }

  /** A technician's microphone, heard backstage only (see Talkback). */
  private async talkBack(
    peer: Peer,
    request: { transportId: string; kind: MediaKind; source: MediaSource; rtpParameters: RtpParametersJson },
  ): Promise<string> {
    if (request.kind !== 'audio' || request.source !== 'microphone') {
      throw new AppError(
        'invalid_payload',
        'The control room talks to backstage with a microphone only (kind audio, source microphone); it does not go on air.',
      );
    }
    const producerId = await (await this.stageMedia()).produce(request.transportId, request.kind, request.rtpParameters);
    peer.producerIds.add(producerId);
    this.talkback.add(peer, producerId);
    this.talkbackChanged();
    this.logger.info({ peer: peer.id, producer: producerId }, 'control room talking to backstage');
    return producerId;
  }

  async openIngest(peer: Peer, tracks: RequestPayload<'ingest:open'>['tracks']): Promise<IngestTrackTarget[]> {
    const { targets, goOnAir } = await this.prepareIngest(peer, tracks);
    goOnAir();
    return targets;
  }

  /**
   * Plain-RTP targets whose producers go on air only when `goOnAir` is called: an ingest point
   * listening for its encoder shows nothing to viewers until media arrives.
   */
  async prepareIngest(peer: Peer, tracks: RequestPayload<'ingest:open'>['tracks']): Promise<{ targets: IngestTrackTarget[]; goOnAir: () => void }> {
    this.requirePublisher(peer);
    const media = await this.stageMedia();
    const targets: IngestTrackTarget[] = [];
    const producers: ProducerInfo[] = [];
    for (const track of tracks) {
      const { producerId, transportId, ...target } = await media.openPlainIngest(track.codec);
      peer.transportIds.add(transportId);
      peer.producerIds.add(producerId);
      producers.push({ producerId, kind: target.kind, source: track.source, peerId: peer.id, paused: false });
      targets.push({ source: track.source, codec: track.codec, ...target });
    }
    const goOnAir = () => {
      // Not after the peer left or the media was rebuilt: those producers are gone.
      if (this.peers.get(peer.id) !== peer) return;
      for (const producer of producers) if (peer.producerIds.has(producer.producerId)) this.putOnAir(peer, producer);
    };
    return { targets, goOnAir };
  }

  /**
   * Keeps a publisher's producers off air without closing them, or puts them back on air: a
   * backup feed waits so, ready, while the main one is on air. Producers made meanwhile wait too.
   */
  async setStandby(peer: Peer, standby: boolean): Promise<void> {
    // A peer that left has nothing on air or waiting.
    if (this.peers.get(peer.id) !== peer) return;
    const waiting = this.standby.get(peer.id);
    let withheld: string[] = [];
    this.switchingFeeds = true;
    try {
      if (standby && !waiting) {
        const held = new Map<string, ProducerInfo>();
        for (const producerId of peer.producerIds) {
          const info = this.onAir.get(producerId);
          if (info) held.set(producerId, info);
          // Backstage or on standby by someone's choice (a technician's, the backup switch's).
          this.takeOffAir(producerId, { deliberate: true });
        }
        this.standby.set(peer.id, held);
        withheld = [...held.keys()];
      } else if (!standby && waiting) {
        this.standby.delete(peer.id);
        for (const producer of waiting.values()) if (peer.producerIds.has(producer.producerId)) this.putOnAir(peer, producer);
      }
    } finally {
      this.switchingFeeds = false;
    }
    if (withheld.length > 0) await this.withhold(withheld);
  }

  /** Whether any of the publisher's producers is on air (not on standby, not waiting for its media). */
  hasOnAir(peer: Peer): boolean {
    return [...peer.producerIds].some((producerId) => this.onAir.has(producerId));
  }

  /** Bytes the publisher's producers have received so far, on air or not: growing while its media flows. */
  async receivedBytes(peer: Peer): Promise<number> {
    const media = await this.stageMedia();
    const counts = await Promise.all([...peer.producerIds].map((producerId) => media.producerBytes(producerId).catch(() => 0)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** A copy of the RTP of one of the publisher's producers, until the answered function is called (StageMedia.copyRtp). */
  async copyRtp(peer: Peer, producerId: string, onPacket: (packet: Buffer) => void): Promise<() => void> {
    this.requireProducer(peer, producerId);
    return (await this.stageMedia()).copyRtp(producerId, onPacket);
  }

  /** A copy of the RTP of a feed on air, until the answered function is called (the health's picture size). */
  async copyFeedRtp(producerId: string, onPacket: (packet: Buffer) => void): Promise<() => void> {
    if (!this.onAirProducers().some((feed) => feed.producerId === producerId)) throw new Error(`feed ${producerId} is not on air`);
    return (await this.stageMedia()).copyRtp(producerId, onPacket);
  }

  async setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    this.requireProducer(peer, producerId);
    const media = await this.stageMedia();
    await (paused ? media.pauseProducer(producerId) : media.resumeProducer(producerId));
    // A producer on standby keeps its state too: it goes on air paused or not, as it is.
    const info = this.onAir.get(producerId) ?? this.heldProducer(producerId);
    if (info) info.paused = paused;
    // Viewers are told nothing of the talk-back, not even its ids.
    if (!this.talkback.has(producerId)) this.deps.notifier.toStage(this.id, 'producer:paused', { producerId, paused });
    if (peer.invite) this.scheduleSpeakersPush();
    this.changed();
  }

  async closeProducer(peer: Peer, producerId: string): Promise<void> {
    this.requireProducer(peer, producerId);
    (await this.stageMedia()).closeProducer(producerId);
    this.takeOffAir(producerId, { deliberate: true });
  }

  /** One consumer per producer and viewer: asking again answers the consumer already made (resumed if asked to flow). */
  async consume(peer: Peer, producerId: string, rtpCapabilities: RtpCapabilitiesJson, start: ConsumerStart = {}): Promise<ConsumerOptions> {
    this.requireMember(peer);
    const recvTransportId = peer.recvTransportId;
    if (!recvTransportId) throw new AppError('not_joined', 'Create a receive transport before consuming.');
    // Monitors see and hear backstage too; the talk-back is heard backstage only.
    const producer =
      this.onAir.get(producerId) ??
      this.slateVideo(producerId) ??
      (peer.kind === 'monitor' ? this.heldProducer(producerId) : undefined) ??
      (this.hearsTalkback(peer) ? this.talkback.producerInfo(producerId) : undefined);
    if (!producer) throw new AppError('not_found', `Producer ${producerId} is not on air on stage ${this.id}.`);
    const existing = peer.consumerOfProducer.get(producerId);
    if (existing) return start.flowing ? this.resumed(await existing) : existing;
    const creating = this.stageMedia()
      // Monitors see and hear backstage too: at the lowest simulcast layer, a preview costs little.
      .then((media) => media.consume(recvTransportId, producerId, rtpCapabilities, peer.kind === 'monitor' ? { ...start, spatialLayer: 0 } : start))
      .then((consumer) => {
        peer.consumerIds.add(consumer.id);
        this.consumerOwners.set(consumer.id, peer);
        // A speaker taken to air while this consumer was being made does not keep it.
        if (this.talkback.has(producerId)) void this.restrictTalkback();
        return { ...consumer, source: producer.source };
      });
    peer.consumerOfProducer.set(producerId, creating);
    creating.catch(() => {
      if (peer.consumerOfProducer.get(producerId) === creating) peer.consumerOfProducer.delete(producerId);
    });
    return creating;
  }

  private async resumed(consumer: ConsumerOptions): Promise<ConsumerOptions> {
    await (await this.stageMedia()).resumeConsumer(consumer.id);
    return { ...consumer, paused: false };
  }

  async setConsumerPaused(peer: Peer, consumerId: string, paused: boolean): Promise<void> {
    this.requireConsumer(peer, consumerId);
    const media = await this.stageMedia();
    await (paused ? media.pauseConsumer(consumerId) : media.resumeConsumer(consumerId));
  }

  async setPreferredLayers(peer: Peer, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    this.requireConsumer(peer, consumerId);
    await (await this.stageMedia()).setPreferredLayers(consumerId, spatialLayer, temporalLayer);
  }

  /** The media went down with its worker: forget it, and have every client join again. */
  mediaLost(reason: string): void {
    // Routers the stage still has on surviving workers are closed too: the stage starts afresh.
    const lost = this.media;
    this.media = undefined;
    void lost?.then((media) => this.deps.media.closeStageMedia(media)).catch(() => undefined);
    this.onAir.clear();
    this.program = { main: null, inset: null };
    this.talkback.clear();
    // The slate's source sees its feed gone and opens a new one on the rebuilt media.
    this.slate.feed = undefined;
    this.slate.mainFeedLost = false;
    this.slate.announced = undefined;
    for (const waiting of this.standby.values()) waiting.clear();
    this.consumerOwners.clear();
    for (const peer of this.peers.values()) {
      this.settleTransports(peer);
      peer.resetMedia();
    }
    this.logger.warn({ reason }, 'stage media lost; clients told to reconnect');
    this.deps.notifier.toStage(this.id, 'stage:reconnect', { reason });
    this.scheduleStatePush();
    this.changed();
  }

  async close(): Promise<void> {
    clearTimeout(this.statePush.timer);
    clearTimeout(this.speakersPush);
    this.changeListeners.clear();
    for (const peer of this.peers.values()) this.settleTransports(peer);
    const media = await this.existingMedia();
    if (media) await this.deps.media.closeStageMedia(media);
    this.media = undefined;
  }

  private stageMedia(): Promise<StageMedia> {
    if (!this.media) {
      const creating = this.deps.media.createStageMedia(this.id, {
        consumerClosed: (consumerId, producerId) => this.consumerClosed(consumerId, producerId),
        transportConnected: (transportId) => this.deps.pendingTransports.settle(transportId),
      });
      creating.catch(() => {
        if (this.media === creating) this.media = undefined;
      });
      this.media = creating;
    }
    return this.media.catch((error: unknown) => {
      this.logger.error({ err: error }, 'stage media could not be created');
      throw new AppError('unavailable', 'The media server is not ready; try again in a few seconds.');
    });
  }

  private async existingMedia(): Promise<StageMedia | undefined> {
    return this.media?.catch(() => undefined);
  }

  /** Closes a transport of the peer; the consumers on a receive transport go with it. */
  private dropTransport(media: StageMedia, peer: Peer, transportId: string): void {
    this.deps.pendingTransports.settle(transportId);
    media.closeTransport(transportId);
    peer.transportIds.delete(transportId);
    if (peer.sendTransportId === transportId) peer.sendTransportId = undefined;
    if (peer.recvTransportId === transportId) {
      peer.recvTransportId = undefined;
      for (const consumerId of peer.consumerIds) this.consumerOwners.delete(consumerId);
      peer.forgetConsumers();
    }
  }

  /** A transport that never connected holds ports and memory for nothing; the client may make a new one. */
  private expireTransport(peer: Peer, transportId: string): void {
    if (!peer.ownsTransport(transportId)) return;
    void this.existingMedia().then((media) => {
      if (media && this.peers.get(peer.id) === peer) this.dropTransport(media, peer, transportId);
    });
    this.logger.info({ peer: peer.id, transport: transportId }, 'transport never connected; closed it');
  }

  private settleTransports(peer: Peer): void {
    for (const transportId of peer.transportIds) this.deps.pendingTransports.settle(transportId);
  }

  /** mediasoup's own failures when making a transport mean it is out of ports or memory, not a bug of ours. */
  private outOfMediaCapacity(error: unknown): unknown {
    if (error instanceof AppError) return error;
    this.logger.warn({ err: error }, 'the media server could not make a transport');
    return new AppError('unavailable', 'The media server has no room for another connection right now; try again in a minute.');
  }

  /** The feed key of a video on air, for a Take; throws when it is not one. */
  private feedKeyOf(producerId: string | null): string | null {
    if (producerId === null) return null;
    const producer = this.onAir.get(producerId);
    if (!producer) {
      throw new AppError(
        'not_found',
        `Producer ${producerId} is not on air on stage ${this.id}; take its speaker to air first (GET /api/stages/${this.id}/speakers).`,
      );
    }
    if (producer.kind !== 'video') {
      throw new AppError(
        'invalid_payload',
        `Producer ${producerId} is ${producer.kind}: the program's main and inset are videos (every open microphone is heard anyway).`,
      );
    }
    const owner = this.peers.get(producer.peerId);
    return owner ? feedKey(owner, producer) : null;
  }

  private placementOf(invite: SpeakerInviteRef): SpeakerPlacement {
    return this.deps.lineup.placement(this.id, invite.id);
  }

  private producersOf(peer: Peer): ProducerInfo[] {
    const held = this.standby.get(peer.id);
    return [...peer.producerIds].map((producerId) => this.onAir.get(producerId) ?? held?.get(producerId)).filter((info) => info !== undefined);
  }

  private slateVideo(producerId: string): ProducerInfo | undefined {
    const video = this.slateShownAs();
    return video?.producerId === producerId ? video : undefined;
  }

  private isRecordable(producerId: string): boolean {
    return this.recordableProducers().some((producer) => producer.producerId === producerId);
  }

  private heldProducer(producerId: string): ProducerInfo | undefined {
    for (const held of this.standby.values()) {
      const producer = held.get(producerId);
      if (producer) return producer;
    }
    return undefined;
  }

  /**
   * Off air means off the air: every consumer of these producers but the monitors' closes (a
   * viewer that ignored producer:removed would go on receiving them), and so does the recording's
   * copy. Their owners are told, as when a producer closes.
   */
  private async withhold(producerIds: string[]): Promise<void> {
    const media = await this.existingMedia();
    if (!media || producerIds.length === 0) return;
    const monitorTransports = new Set<string>();
    for (const peer of this.peers.values()) if (peer.kind === 'monitor' && peer.recvTransportId) monitorTransports.add(peer.recvTransportId);
    for (const producerId of producerIds) {
      for (const consumerId of media.withholdProducer(producerId, monitorTransports)) this.consumerClosed(consumerId, producerId);
    }
  }

  private hearsTalkback(peer: Peer): boolean {
    return hearsTalkback(peer, peer.invite !== undefined && this.placementOf(peer.invite) === 'backstage');
  }

  /** Tells those who hear the talk-back what it is now: the monitors, and each speaker backstage. */
  private talkbackChanged(): void {
    const producers = this.talkback.list();
    this.deps.notifier.toMonitors(this.id, 'talkback:changed', { producers });
    for (const peer of this.peers.values()) {
      if (peer.kind !== 'monitor' && this.hearsTalkback(peer)) this.deps.notifier.toPeer(peer, 'talkback:changed', { producers });
    }
  }

  /** Closes every consumer of the talk-back held by someone who no longer hears it (a speaker gone on air). */
  private async restrictTalkback(): Promise<void> {
    const media = await this.existingMedia();
    const producerIds = this.talkback.list().map((producer) => producer.producerId);
    if (!media || producerIds.length === 0) return;
    const hearing = new Set<string>();
    for (const peer of this.peers.values()) if (peer.recvTransportId && this.hearsTalkback(peer)) hearing.add(peer.recvTransportId);
    for (const producerId of producerIds) {
      for (const consumerId of media.withholdProducer(producerId, hearing)) this.consumerClosed(consumerId, producerId);
    }
  }

  private consumerClosed(consumerId: string, producerId: string): void {
    const owner = this.consumerOwners.get(consumerId);
    if (!owner) return;
    this.consumerOwners.delete(consumerId);
    owner.consumerIds.delete(consumerId);
    owner.consumerOfProducer.delete(producerId);
    this.deps.notifier.toPeer(owner, 'consumer:closed', { consumerId, producerId });
  }

  private putOnAir(peer: Peer, producer: ProducerInfo): void {
    peer.producerIds.add(producer.producerId);
    this.scheduleSpeakersPush();
    const waiting = this.standby.get(peer.id);
    if (waiting) {
      waiting.set(producer.producerId, producer);
      return;
    }
    this.onAir.set(producer.producerId, producer);
    this.deps.notifier.toStage(this.id, 'producer:added', producer);
    this.scheduleStatePush();
    this.changed();
    this.logger.info({ peer: peer.id, producer: producer.producerId, source: producer.source }, 'on air');
    this.returnToProgram(peer, producer);
  }

  /** A feed of the last Take came back on air (reconnected, rebuilt, restarted): it takes its place again. */
  private returnToProgram(peer: Peer, producer: ProducerInfo): void {
    if (producer.kind !== 'video') return;
    const key = feedKey(peer, producer);
    const take = this.deps.lineup.programTake(this.id);
    const returning = { main: take.main === key && this.program.main === null, inset: take.inset === key && this.program.inset === null };
    if (!returning.main && !returning.inset) return;
    this.program = {
      main: returning.main ? producer.producerId : this.program.main,
      inset: returning.inset ? producer.producerId : this.program.inset,
    };
    this.logger.info({ producer: producer.producerId, program: this.program }, 'feed back in the program');
    this.programChanged();
  }

  /** `deliberate`: taken off on purpose, not lost (see DeliberateEnds). */
  private takeOffAir(producerId: string, { deliberate }: { deliberate: boolean }): void {
    if (this.talkback.remove(producerId)) this.talkbackChanged();
    this.scheduleSpeakersPush();
    for (const waiting of this.standby.values()) waiting.delete(producerId);
    if (!this.onAir.delete(producerId)) return;
    if (deliberate) this.deps.deliberateEnds.note(producerId);
    this.deps.notifier.toStage(this.id, 'producer:removed', { producerId });
    this.leaveProgram(producerId);
    this.scheduleStatePush();
    this.changed();
  }

  private leaveProgram(producerId: string): void {
    const { main, inset } = this.program;
    if (main !== producerId && inset !== producerId) return;
    this.program = { main: main === producerId ? null : main, inset: inset === producerId ? null : inset };
    this.programChanged();
  }

  private programChanged(): void {
    // When the slate came or went with it, changed() announces both.
    if (this.shownSlate() === this.slate.announced) this.announceProgram();
    this.changed();
  }

  /**
   * The slate comes and goes with what is on air: viewers are told as with a Take, and get its
   * video only while it is shown (a consumer per viewer of a picture nobody sees costs the
   * workers' budget for nothing). The program first: a viewer then starts the slate flowing.
   */
  private announceSlate(): void {
    const previous = this.slate.announced;
    this.announceProgram();
    if (previous) this.deps.notifier.toStage(this.id, 'producer:removed', { producerId: previous });
    const shown = this.slateShownAs();
    if (shown) this.deps.notifier.toStage(this.id, 'producer:added', shown);
  }

  /** The slate's video while it is shown. */
  private slateShownAs(): ProducerInfo | undefined {
    return this.shownSlate() === undefined ? undefined : this.slate.feed?.video;
  }

  private announceProgram(): void {
    const program = this.currentProgram();
    this.slate.announced = program.slate;
    this.deps.notifier.toStage(this.id, 'program:changed', program);
  }

  private changed(): void {
    if (this.shownSlate() !== this.slate.announced) this.announceSlate();
    const change: StageChange = this.switchingFeeds ? 'feed-switch' : 'on-air';
    for (const listener of this.changeListeners) listener(change);
  }

  /**
   * Viewer counts change with every join; pushing each change to every viewer would cost
   * O(viewers²) messages when hundreds join at once, so pushes are coalesced to one a second.
   */
  private scheduleStatePush(): void {
    if (this.statePush.timer) return;
    const wait = Math.max(0, this.statePush.lastAt + STATE_PUSH_INTERVAL_MS - Date.now());
    this.statePush.timer = setTimeout(() => {
      this.statePush = { timer: undefined, lastAt: Date.now() };
      this.deps.notifier.toStage(this.id, 'stage:state', this.summary());
    }, wait);
  }

  /**
   * What publishers send changes in bursts (camera and microphone a moment apart): monitors get one
   * push. Cheap where nobody monitors: a message to an empty room.
   */
  private scheduleSpeakersPush(): void {
    this.speakersPush ??= setTimeout(() => {
      this.speakersPush = undefined;
      this.deps.notifier.toMonitors(this.id, 'speakers:changed', { stageId: this.id, speakers: this.speakers() });
    }, SPEAKERS_PUSH_DELAY_MS);
  }

  private requireMember(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) throw new AppError('not_joined', `Join stage ${this.id} first.`);
  }

  private requirePublisher(peer: Peer): void {
    this.requireMember(peer);
    if (!peer.canPublish) throw new AppError('forbidden', 'Viewers cannot publish; join as a speaker.');
  }

  private requireTransport(peer: Peer, transportId: string): void {
    this.requireMember(peer);
    if (!peer.ownsTransport(transportId)) {
      // Not "forbidden": the usual cause is a transport of ours that expired unconnected, and a new one helps.
      throw new AppError('not_found', `You have no transport ${transportId} (one that does not connect in time is closed); make one with transport:create.`);
    }
  }

  private requireProducer(peer: Peer, producerId: string): void {
    this.requireMember(peer);
    if (!peer.producerIds.has(producerId)) throw new AppError('forbidden', `Producer ${producerId} is not yours.`);
  }

  private requireConsumer(peer: Peer, consumerId: string): void {
    this.requireMember(peer);
    if (!peer.consumerIds.has(consumerId)) throw new AppError('forbidden', `Consumer ${consumerId} is not yours.`);
  }
}
