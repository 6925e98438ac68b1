import { errors, type types } from 'mediasoup';
import type { Logger } from 'pino';
import type { DtlsParametersJson, IngestCodec, MediaKind, RtpCapabilitiesJson, RtpParametersJson, TransportOptions } from '../../shared/protocol.js';
import { AppError } from '../errors.js';
import { ingestCodecs, offeredRtpCapabilities, routerMediaCodecs } from './codecs.js';
import { type FeedStats, FrameCounter, measureFeed } from './feedStats.js';
import { chooseWorkerForViewer } from './placement.js';
import { openRecordingTap, type RecordingTap } from './recordingTap.js';
import { SOCKET_BUFFER_BYTES } from './sockets.js';
import type { WebRtcListenOptions, WorkerPool, WorkerSlot } from './workerPool.js';

export interface RtcOptions extends WebRtcListenOptions {
  /** Loopback port range of plain-RTP transports (recording tap, ingest). */
  minPort: number;
  maxPort: number;
  consumerBudgetPerWorker: number;
}

export interface StageMediaEvents {
  /** A consumer ended because its producer closed; its viewer should drop the track. */
  consumerClosed(consumerId: string, producerId: string): void;
  /** A WebRTC transport finished ICE and DTLS: a client is really there. */
  transportConnected(transportId: string): void;
}

export interface ConsumerParameters {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParametersJson;
  paused: boolean;
}

/** How a new consumer starts: paused (the default), or sending at once, from a chosen simulcast layer. */
export interface ConsumerStart {
  flowing?: boolean | undefined;
  spatialLayer?: number | undefined;
}

export interface IngestTrack {
  transportId: string;
  producerId: string;
  kind: MediaKind;
  ip: string;
  port: number;
  rtcpPort: number;
  payloadType: number;
  ssrc: number;
  clockRate: number;
  channels?: number;
}

interface TransportEntry {
  transport: types.WebRtcTransport | types.PlainTransport;
  slot: WorkerSlot;
  worker: types.Worker;
  /** Consumers this transport is expected to carry, held on its worker before they exist. */
  reservedConsumers: number;
  consumers: number;
}

const INITIAL_OUTGOING_BITRATE = 1_000_000;
const MAX_INCOMING_BITRATE = 6_000_000;

/**
 * The media side of one stage: a source router (where speakers and ingests publish) and routers on
 * the other workers, fed through pipe transports, over which viewers are spread (placement.ts).
 * Ids of producers are the same on every router of the stage, so a viewer consumes by producer id
 * wherever it was placed.
 */
export class StageMedia {
  /** Routers by worker slot, with the worker they were made on (a slot's worker can be replaced). */
  private readonly routers = new Map<number, { worker: types.Worker; router: Promise<types.Router> }>();
  private readonly transports = new Map<string, TransportEntry>();
  private readonly producers = new Map<string, types.Producer>();
  /** Video producers' frame counts, for the control room's health view. */
  private readonly frameCounters = new Map<string, FrameCounter>();
  private readonly consumers = new Map<string, { consumer: types.Consumer; entry: TransportEntry }>();
  private readonly pipes = new Map<string, Promise<void>>();
  /** The recorder's copies: a producer leaving the air leaves them too. */
  private readonly taps = new Set<RecordingTap>();
  private closed = false;

  private constructor(
    readonly stageId: string,
    private readonly source: { slot: WorkerSlot; worker: types.Worker; router: types.Router },
    private readonly pool: WorkerPool,
    private readonly rtc: RtcOptions,
    private readonly logger: Logger,
    private readonly events: StageMediaEvents,
  ) {
    this.routers.set(source.slot.id, { worker: source.worker, router: Promise.resolve(source.router) });
  }

  static async create(stageId: string, pool: WorkerPool, rtc: RtcOptions, logger: Logger, events: StageMediaEvents): Promise<StageMedia> {
    const slot = pool.leastLoadedAlive();
    const worker = slot.worker;
    const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs, appData: { stageId } });
    logger.info({ stage: stageId, worker: slot.id }, 'stage media created');
    return new StageMedia(stageId, { slot, worker, router }, pool, rtc, logger, events);
  }

  get rtpCapabilities(): RtpCapabilitiesJson {
    return offeredRtpCapabilities(this.source.router.rtpCapabilities) as RtpCapabilitiesJson;
  }

  /** Whether a worker's death took part of this stage's media with it. */
  usesWorker(worker: types.Worker): boolean {
    return [...this.routers.values()].some((entry) => entry.worker === worker);
  }

  async createWebRtcTransport(options: { direction: 'send' | 'recv'; forceTcp: boolean; expectedConsumers: number }): Promise<TransportOptions> {
    const slot = options.direction === 'send' ? this.source.slot : this.placeViewer(options.expectedConsumers);
    const router = await this.routerOn(slot);
    const transport = await router.createWebRtcTransport({
      webRtcServer: slot.webRtcServer,
      enableUdp: !options.forceTcp,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { stageId: this.stageId, direction: options.direction },
    });
    if (options.direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected') this.events.transportConnected(transport.id);
      if (state === 'closed' || state === 'failed') transport.close();
    });
    const reserved = options.direction === 'recv' ? options.expectedConsumers : 0;
    this.track({ transport, slot, worker: slot.worker, reservedConsumers: reserved, consumers: 0 });
    return {
      id: transport.id,
      iceParameters: { ...transport.iceParameters },
      iceCandidates: transport.iceCandidates.map((candidate) => ({ ...candidate })),
      dtlsParameters: transport.dtlsParameters as DtlsParametersJson,
    };
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParametersJson): Promise<void> {
    const { transport } = this.transportEntry(transportId);
    await rejectingBadParameters(() => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
  }

  async produce(transportId: string, kind: MediaKind, rtpParameters: RtpParametersJson): Promise<string> {
    const entry = this.transportEntry(transportId);
    if (entry.slot !== this.source.slot) throw new AppError('forbidden', 'Publish on a send transport.');
    const producer = await rejectingBadParameters(() => entry.transport.produce({ kind, rtpParameters: rtpParameters as types.RtpParameters }));
    this.trackProducer(producer);
    return producer.id;
  }

  /**
   * A consumer that starts flowing is active as soon as its transport has connected; mediasoup then
   * asks the producer for a keyframe, as it does on every resume, so the picture starts at once.
   */
  async consume(transportId: string, producerId: string, rtpCapabilities: RtpCapabilitiesJson, start: ConsumerStart = {}): Promise<ConsumerParameters> {
    const entry = this.transportEntry(transportId);
    const producer = this.producers.get(producerId);
    if (!producer) throw new AppError('not_found', `Producer ${producerId} is not on air on this stage.`);
    const router = await this.routerOn(entry.slot);
    await this.pipeTo(entry.slot, router, producerId);
    const capabilities = rtpCapabilities as types.RtpCapabilities;
    if (!rejectingBadParametersSync(() => router.canConsume({ producerId, rtpCapabilities: capabilities }))) {
      throw new AppError('media_rejected', 'This device cannot decode any codec the producer sends.');
    }
    const layered = producer.type === 'simulcast' || producer.type === 'svc';
    const consumer = await rejectingBadParameters(() =>
      entry.transport.consume({
        producerId,
        rtpCapabilities: capabilities,
        paused: !start.flowing,
        ...(layered && start.spatialLayer !== undefined ? { preferredLayers: { spatialLayer: start.spatialLayer } } : {}),
      }),
    );
    this.trackConsumer(consumer, entry);
    return {
      id: consumer.id,
      producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as RtpParametersJson,
      paused: consumer.paused,
    };
  }

  async pauseConsumer(consumerId: string): Promise<void> {
    await this.consumer(consumerId).pause();
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.consumer(consumerId).resume();
  }

  async setPreferredLayers(consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = this.consumer(consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    await consumer.setPreferredLayers({ spatialLayer, temporalLayer });
  }

  async pauseProducer(producerId: string): Promise<void> {
    await this.producer(producerId).pause();
  }

  async resumeProducer(producerId: string): Promise<void> {
    await this.producer(producerId).resume();
  }

  /** Bytes the producer has received so far (all its streams): growing while media flows. */
  async producerBytes(producerId: string): Promise<number> {
    const stats = await this.producer(producerId).getStats();
    return stats.reduce((sum, stat) => sum + (stat.byteCount ?? 0), 0);
  }

  /** What arrives of each of these producers (those of the stage; others are left out). */
  async feedStats(producerIds: readonly string[]): Promise<FeedStats[]> {
    const measured = await Promise.all(
      producerIds.map((producerId) => {
        const producer = this.producers.get(producerId);
        // A producer closing (or its worker dying) as it is asked has no figures to give.
        if (!producer || producer.closed) return Promise.resolve(undefined);
        return measureFeed(producer, this.frameCounters.get(producerId)).catch(() => undefined);
      }),
    );
    return measured.filter((stats) => stats !== undefined);
  }

  /**
   * Hands `onPacket` a copy of every RTP packet of the producer, payload included, until the
   * function it answers is called: a consumer on a direct transport of the source router, for
   * checks that read the media itself (the WHIP pre-flight, the health's picture size). Its start
   * asks for a keyframe, where a picture's size and a check's first frame are.
   */
  async copyRtp(producerId: string, onPacket: (packet: Buffer) => void): Promise<() => void> {
    const producer = this.producer(producerId);
    const { router } = this.source;
    const transport = await router.createDirectTransport({ appData: { stageId: this.stageId, direction: 'check' } });
    try {
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      consumer.on('rtp', onPacket);
      if (consumer.kind === 'video') await consumer.requestKeyFrame();
    } catch (error) {
      transport.close();
      throw error;
    }
    return () => transport.close();
  }

  closeProducer(producerId: string): void {
    this.producer(producerId).close();
    this.forgetProducer(producerId);
  }

  /**
   * Stops sending the producer to everyone but these transports (the monitors'): its consumers
   * elsewhere close, and the recording taps drop it. Answers the ids of the consumers closed.
   */
  withholdProducer(producerId: string, keepTransportIds: ReadonlySet<string>): string[] {
    const closed: string[] = [];
    for (const [consumerId, { consumer, entry }] of this.consumers) {
      if (consumer.producerId !== producerId || keepTransportIds.has(entry.transport.id)) continue;
      consumer.close();
      closed.push(consumerId);
    }
    for (const tap of this.taps) tap.drop(producerId);
    return closed;
  }

  closeTransport(transportId: string): void {
    this.transports.get(transportId)?.transport.close();
  }

  /** A plain-RTP entry on the source router for a local sender such as ffmpeg. */
  async openPlainIngest(codec: IngestCodec): Promise<IngestTrack> {
    const { kind, ...codecParameters } = ingestCodecs[codec];
    const transport = await this.source.router.createPlainTransport({
      // The source worker reads a sender's keyframe bursts while it fans out to every viewer.
      listenInfo: { ...loopbackListenInfo(this.rtc), recvBufferSize: SOCKET_BUFFER_BYTES },
      // Separate RTCP port: ffmpeg sends RTCP from its own source port, which comedia with
      // rtcp-mux would drop as coming from an unknown tuple.
      rtcpMux: false,
      comedia: true,
      appData: { stageId: this.stageId, direction: 'ingest' },
    });
    this.track({ transport, slot: this.source.slot, worker: this.source.worker, reservedConsumers: 0, consumers: 0 });
    const ssrc = randomSsrc();
    const producer = await transport.produce({ kind, rtpParameters: { codecs: [codecParameters], encodings: [{ ssrc }] } });
    this.trackProducer(producer);
    return {
      transportId: transport.id,
      producerId: producer.id,
      kind,
      ip: transport.tuple.localIp,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort ?? transport.tuple.localPort,
      payloadType: codecParameters.payloadType,
      ssrc,
      clockRate: codecParameters.clockRate,
      ...(codecParameters.channels === undefined ? {} : { channels: codecParameters.channels }),
    };
  }

  /** Sends copies of on-air producers as plain RTP to a local recorder. */
  async openRecordingTap(producerIds: string[]): Promise<RecordingTap> {
    const missing = producerIds.find((producerId) => !this.producers.has(producerId));
    if (missing) throw new AppError('not_found', `Producer ${missing} is not on air on stage ${this.stageId}.`);
    const tap = await openRecordingTap(this.source.router, producerIds, loopbackListenInfo(this.rtc), { stageId: this.stageId, direction: 'recording' }, () =>
      this.taps.delete(tap),
    );
    this.taps.add(tap);
    return tap;
  }

  /** Closes every router of the stage, and with them all transports, producers and consumers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.transports.values()) entry.transport.close();
    for (const { router } of this.routers.values()) {
      await router.then((r) => r.close()).catch(() => undefined);
    }
    this.logger.info({ stage: this.stageId }, 'stage media closed');
  }

  private placeViewer(expectedConsumers: number): WorkerSlot {
    const workerId = chooseWorkerForViewer(this.pool.loads(), this.source.slot.id, this.rtc.consumerBudgetPerWorker, expectedConsumers);
    return this.pool.slot(workerId);
  }

  private routerOn(slot: WorkerSlot): Promise<types.Router> {
    const existing = this.routers.get(slot.id);
    if (existing) return existing.router;
    const created = slot.worker.createRouter({ mediaCodecs: routerMediaCodecs, appData: { stageId: this.stageId } });
    this.routers.set(slot.id, { worker: slot.worker, router: created });
    created.then(
      () => this.logger.info({ stage: this.stageId, worker: slot.id }, 'stage fanned out to another worker'),
      () => this.routers.delete(slot.id),
    );
    return created;
  }

  /** Makes a producer of the source router available on another router, once. */
  private pipeTo(slot: WorkerSlot, router: types.Router, producerId: string): Promise<void> {
    if (router === this.source.router) return Promise.resolve();
    const key = `${slot.id}:${producerId}`;
    let pipe = this.pipes.get(key);
    if (!pipe) {
      pipe = this.source.router.pipeToRouter({ producerId, router }).then(() => undefined);
      pipe.catch(() => this.pipes.delete(key));
      this.pipes.set(key, pipe);
    }
    return pipe;
  }

  private track(entry: TransportEntry): void {
    const { transport } = entry;
    this.transports.set(transport.id, entry);
    this.addToWorkerLoad(entry, loadOf(entry));
    // Every transport's observer emits 'close'; the union of their typed observers is not callable.
    const observer: types.TransportObserver = transport.observer;
    observer.once('close', () => {
      this.changeLoad(entry, () => {
        entry.reservedConsumers = 0;
        entry.consumers = 0;
      });
      this.transports.delete(transport.id);
    });
  }

  private trackProducer(producer: types.Producer): void {
    this.producers.set(producer.id, producer);
    if (producer.kind === 'video') this.frameCounters.set(producer.id, new FrameCounter(producer));
    producer.observer.once('close', () => this.forgetProducer(producer.id));
  }

  private forgetProducer(producerId: string): void {
    this.producers.delete(producerId);
    this.frameCounters.delete(producerId);
    for (const key of this.pipes.keys()) if (key.endsWith(`:${producerId}`)) this.pipes.delete(key);
  }

  private trackConsumer(consumer: types.Consumer, entry: TransportEntry): void {
    this.consumers.set(consumer.id, { consumer, entry });
    this.changeLoad(entry, () => entry.consumers++);
    consumer.observer.once('close', () => {
      this.consumers.delete(consumer.id);
      this.changeLoad(entry, () => entry.consumers--);
    });
    consumer.on('producerclose', () => this.events.consumerClosed(consumer.id, consumer.producerId));
  }

  /** Keeps the worker's consumer count equal to the sum of max(reserved, actual) of its transports. */
  private changeLoad(entry: TransportEntry, change: () => void): void {
    const before = loadOf(entry);
    change();
    this.addToWorkerLoad(entry, loadOf(entry) - before);
  }

  private addToWorkerLoad(entry: TransportEntry, delta: number): void {
    // A replaced worker starts from zero; what was placed on the dead one no longer counts.
    if (entry.slot.worker === entry.worker) entry.slot.consumers += delta;
  }

  private transportEntry(transportId: string): TransportEntry {
    const entry = this.transports.get(transportId);
    if (!entry) throw new AppError('not_found', `Transport ${transportId} does not exist; create a transport first.`);
    return entry;
  }

  private consumer(consumerId: string): types.Consumer {
    const found = this.consumers.get(consumerId);
    if (!found) throw new AppError('not_found', `Consumer ${consumerId} does not exist.`);
    return found.consumer;
  }

  private producer(producerId: string): types.Producer {
    const producer = this.producers.get(producerId);
    if (!producer) throw new AppError('not_found', `Producer ${producerId} does not exist.`);
    return producer;
  }
}

/** Plain RTP stays on this machine: a sender or recorder on loopback, ports from a small range. */
function loopbackListenInfo(rtc: RtcOptions): types.TransportListenInfo {
  return { protocol: 'udp', ip: '127.0.0.1', portRange: { min: rtc.minPort, max: rtc.maxPort } };
}

function loadOf(entry: TransportEntry): number {
  return Math.max(entry.reservedConsumers, entry.consumers);
}

function randomSsrc(): number {
  return 100_000_000 + Math.floor(Math.random() * 900_000_000);
}

/**
 * mediasoup throws TypeError for parameters it cannot accept: that is the client's error. A call
 * that reaches a worker as it dies gets WorkerClosedError: the stage is being rebuilt.
 */
async function rejectingBadParameters<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw asClientError(error);
  }
}

function rejectingBadParametersSync<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw asClientError(error);
  }
}

function asClientError(error: unknown): unknown {
  if (error instanceof TypeError || (error instanceof Error && error.name === 'UnsupportedError')) {
    return new AppError('media_rejected', `The media parameters were refused: ${error.message}`);
  }
  if (error instanceof errors.WorkerClosedError) {
    return new AppError('unavailable', 'The media server of this stage restarted; join the stage again.');
  }
  return error;
}
