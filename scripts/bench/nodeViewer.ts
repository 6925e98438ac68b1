/**
 * A real WebRTC viewer without a browser: the same socket.io signalling as client/ (stage:join →
 * transport:create → consumer:create → transport:connect → consumer:resume), with
 * node-datachannel (libdatachannel) receiving the RTP. Packets are counted, never decoded, so a
 * few hundred of these fit on one machine next to the server they load.
 *
 *   const viewer = new NodeViewer();
 *   await viewer.connect('http://127.0.0.1:3000', 'demo');
 *   viewer.stats(); // { connected, joinMs, video: { packets, bytes, lost }, audio: {…}, videoFrames, lastPacketAt }
 *   viewer.close();
 */
import { PeerConnection, RtcpReceivingSession, type Track } from 'node-datachannel';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  ConsumerOptions,
  JoinResult,
  MediaKind,
  RequestName,
  RequestPayload,
  RequestResults,
  ServerToClientEvents,
  TransportOptions,
} from '../../shared/protocol.js';
import { buildRemoteOffer, type ConsumerMedia, consumerMedia, dtlsParametersFromAnswer, probatorMedia } from './remoteSdp.js';
import { FreezeCounter, type FreezeStats, KindCounter, type KindStats, parseRtpHeader } from './rtpStats.js';
import { readTransportSequence, TRANSPORT_WIDE_CC_URI, TransportFeedbackRecorder } from './transportFeedback.js';

export interface NodeViewerOptions {
  /** Local address for ICE; leave unset to let libjuice use every interface. */
  bindAddress?: string;
  /** How long connect() waits for the signalling and the SDP answer. */
  timeoutMs?: number;
  /** Where the viewer reports what went wrong after connect() (rejoins, disconnects). */
  onProblem?: (message: string) => void;
}

export interface NodeViewerStats {
  /** Signalling is up and the WebRTC transport (ICE + DTLS) is connected. */
  connected: boolean;
  /** From the start of connect() to the first video RTP packet; undefined until one arrives. */
  joinMs: number | undefined;
  video: KindStats;
  audio: KindStats;
  /** Video frames and freezes, from when frames arrive (see FreezeCounter); rejoins included. */
  videoFrames: FreezeStats;
  /** Date.now() of the last RTP packet of either kind. */
  lastPacketAt: number | undefined;
  /** Times the viewer joined again (a producer was added, the media was rebuilt, a reconnect). */
  rejoins: number;
}

type ViewerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type UntypedEmitter = { emitWithAck(event: string, payload: unknown): Promise<unknown> };

/** A refused request, with the server's error code so callers can tell "gone" from "broken". */
export class SignallingError extends Error {
  constructor(
    readonly request: RequestName,
    readonly code: string,
    message: string,
  ) {
    super(`${request} refused: ${code}: ${message}`);
    this.name = 'SignallingError';
  }
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** Producers of one source go on air one after the other; one renegotiation covers them all. */
const REJOIN_DEBOUNCE_MS = 300;
/** How often browsers send transport-wide congestion-control feedback (libwebrtc's default). */
const FEEDBACK_INTERVAL_MS = 100;

let viewerCount = 0;

/** One receive session: the PeerConnection and what its m-sections (by mid) carry. */
interface MediaSession {
  pc: PeerConnection;
  consumersByMid: Map<string, ConsumerMedia>;
  /**
   * Held for the session's life: a Track wrapper nothing references is garbage-collected, and
   * its onMessage callback with it, leaving a connected viewer that silently counts nothing.
   */
  tracks: Track[];
  /** Congestion-control feedback, when the consumers carry transport-wide sequence numbers. */
  feedback: { recorder: TransportFeedbackRecorder; extensionId: number; timer: NodeJS.Timeout } | undefined;
}

export class NodeViewer {
  private socket: ViewerSocket | undefined;
  private stageId = '';
  private session: MediaSession | undefined;
  private readonly counters: Record<MediaKind, KindCounter> = { video: new KindCounter(), audio: new KindCounter() };
  private readonly videoFrames = new FreezeCounter();
  private startedAt = 0;
  private joinMs: number | undefined;
  private lastPacketAt: number | undefined;
  private transportConnected = false;
  private rejoins = 0;
  private rejoinTimer: NodeJS.Timeout | undefined;
  /** Joins run one at a time; a rejoin asked for while one runs waits for it. */
  private joining: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly name = `viewer-${++viewerCount}`;
  private readonly timeoutMs: number;

  constructor(private readonly options: NodeViewerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Resolves once the viewer has joined and resumed its consumers; media follows shortly after. */
  async connect(url: string, stageId: string): Promise<void> {
    if (this.socket) throw new Error('connect() was already called');
    this.startedAt = performance.now();
    this.stageId = stageId;
    const socket: ViewerSocket = io(url, { transports: ['websocket'], forceNew: true, reconnectionDelayMax: 2000 });
    this.socket = socket;
    await waitForConnect(socket, this.timeoutMs);
    this.listen(socket);
    await this.runExclusive(() => this.join());
  }

  stats(): NodeViewerStats {
    return {
      connected: this.socket?.connected === true && this.transportConnected,
      joinMs: this.joinMs,
      video: this.counters.video.stats(),
      audio: this.counters.audio.stats(),
      videoFrames: this.videoFrames.stats(),
      lastPacketAt: this.lastPacketAt,
      rejoins: this.rejoins,
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.rejoinTimer);
    this.closeMedia();
    this.socket?.disconnect();
  }

  private listen(socket: ViewerSocket): void {
    // A new producer needs a new m-section; renegotiating from scratch is the simplest correct way.
    socket.on('producer:added', () => this.scheduleRejoin('a producer went on air'));
    socket.on('stage:reconnect', ({ reason }) => this.scheduleRejoin(`the server rebuilt the stage media (${reason})`));
    socket.on('disconnect', (reason) => {
      this.closeMedia();
      if (!this.closed) this.report(`signalling disconnected (${reason})`);
    });
    // socket.io reconnects by itself; the server forgot the peer, so join again.
    socket.io.on('reconnect', () => this.scheduleRejoin('signalling reconnected'));
  }

  private scheduleRejoin(reason: string): void {
    if (this.closed) return;
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = setTimeout(() => {
      this.rejoins++;
      this.runExclusive(() => this.join()).catch((error: unknown) => this.report(`rejoin after "${reason}" failed: ${errorMessage(error)}`));
    }, REJOIN_DEBOUNCE_MS);
  }

  private runExclusive(action: () => Promise<void>): Promise<void> {
    const run = this.joining.catch(() => undefined).then(() => (this.closed ? undefined : action()));
    this.joining = run;
    return run;
  }

  /** The whole receive setup, from a fresh stage membership to resumed consumers. */
  private async join(): Promise<void> {
    this.closeMedia();
    const joined = await this.request('stage:join', { stageId: this.stageId, role: 'viewer' });
    const transport = await this.request('transport:create', { direction: 'recv' });
    const consumers = await this.consumeAll(joined);
    // Nothing on air yet: producer:added will bring us back here.
    if (consumers.length === 0) return;
    const media = consumers.map(consumerMedia);
    const answer = await this.negotiate(transport, media);
    await this.request('transport:connect', { transportId: transport.id, dtlsParameters: dtlsParametersFromAnswer(answer) });
    // Consumers start paused so no packet arrives before the receiver knows its SSRC.
    await Promise.all(consumers.map((consumer) => this.request('consumer:resume', { consumerId: consumer.id })));
  }

  private async consumeAll(joined: JoinResult): Promise<ConsumerOptions[]> {
    const consumers: ConsumerOptions[] = [];
    for (const producer of joined.producers) {
      try {
        consumers.push(
          await this.request('consumer:create', {
            producerId: producer.producerId,
            rtpCapabilities: joined.routerRtpCapabilities,
          }),
        );
      } catch (error) {
        // The producer went off air between join and consume; its removal is not our failure.
        if (error instanceof SignallingError && error.code === 'not_found') continue;
        throw error;
      }
    }
    return consumers;
  }

  /** Gives the server's offer to a fresh PeerConnection and returns its SDP answer. */
  private async negotiate(transport: TransportOptions, media: ConsumerMedia[]): Promise<string> {
    const pc = new PeerConnection(this.name, {
      iceServers: [],
      ...(this.options.bindAddress ? { bindAddress: this.options.bindAddress } : {}),
    });
    const session: MediaSession = {
      pc,
      consumersByMid: new Map(media.map((consumer) => [consumer.mid, consumer])),
      tracks: [],
      feedback: undefined,
    };
    session.feedback = this.startFeedback(session, media);
    this.session = session;
    this.transportConnected = false;
    pc.onStateChange((state) => {
      if (this.session !== session) return;
      this.transportConnected = state === 'connected';
      // ICE consent or DTLS lost (the server closed the transport, a port vanished): start over.
      if (state === 'failed') this.scheduleRejoin('the WebRTC connection failed');
    });
    pc.onTrack((track) => this.receive(session, track));
    const answer = new Promise<string>((resolve) =>
      pc.onLocalDescription((sdp, type) => {
        if (type === 'answer') resolve(sdp);
      }),
    );
    const video = media.find((consumer) => consumer.kind === 'video');
    const offered = session.feedback && video ? [...media, probatorMedia(video)] : media;
    pc.setRemoteDescription(buildRemoteOffer(transport, offered, Date.now()), 'offer');
    return withTimeout(answer, this.timeoutMs, 'the PeerConnection produced no SDP answer');
  }

  /** Answers transport-cc as a browser does, so the crowd costs mediasoup what browsers cost. */
  private startFeedback(session: MediaSession, media: ConsumerMedia[]): MediaSession['feedback'] {
    const extension = media.flatMap((consumer) => consumer.headerExtensions).find((candidate) => candidate.uri === TRANSPORT_WIDE_CC_URI);
    if (!extension || media.length === 0) return undefined;
    const recorder = new TransportFeedbackRecorder(randomSsrc(), media[0]!.ssrc);
    const timer = setInterval(() => {
      const packet = recorder.takeFeedback();
      const track = session.tracks[0];
      if (packet && track?.isOpen()) track.sendMessageBinary(packet);
    }, FEEDBACK_INTERVAL_MS);
    return { recorder, extensionId: extension.id, timer };
  }

  private receive(session: MediaSession, track: Track): void {
    session.tracks.push(track);
    // Sends receiver reports (and REMB) back, as a browser would; mediasoup uses them for its stats.
    track.setMediaHandler(new RtcpReceivingSession());
    const consumer = session.consumersByMid.get(track.mid()); // none for the probe track
    track.onMessage((packet) => {
      if (this.session === session) this.count(session, consumer, packet);
    });
  }

  private count(session: MediaSession, consumer: ConsumerMedia | undefined, packet: Buffer): void {
    const header = parseRtpHeader(packet);
    if (!header) return; // RTCP (sender reports) arrives on the track too
    const { feedback } = session;
    const transportSequence = feedback && readTransportSequence(packet, feedback.extensionId);
    if (transportSequence !== undefined) feedback!.recorder.record(transportSequence, performance.now() * 1000);
    if (!consumer) return; // a bandwidth probe: acknowledged above, not media
    const isMediaStream = header.ssrc === consumer.ssrc && consumer.mediaPayloadTypes.includes(header.payloadType);
    this.counters[consumer.kind].record(header, packet.byteLength, isMediaStream);
    if (consumer.kind === 'video' && isMediaStream) this.videoFrames.record(header, performance.now());
    this.lastPacketAt = Date.now();
    if (consumer.kind === 'video' && this.joinMs === undefined) this.joinMs = performance.now() - this.startedAt;
  }

  private closeMedia(): void {
    const session = this.session;
    this.session = undefined;
    this.transportConnected = false;
    clearInterval(session?.feedback?.timer);
    session?.pc.close();
  }

  private async request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<RequestResults[N]> {
    const socket = this.socket;
    if (!socket) throw new Error('not connected');
    // socket.io's typed emitWithAck cannot follow a generic event name; the signature of
    // request() pins payload and result to the protocol instead.
    const emitter = socket.timeout(this.timeoutMs) as unknown as UntypedEmitter;
    const response = (await emitter.emitWithAck(name, payload)) as Ack<RequestResults[N]>;
    if (!response.ok) throw new SignallingError(name, response.error.code, response.error.message);
    return response.data;
  }

  private report(message: string): void {
    this.options.onProblem?.(`${this.name}: ${message}`);
  }
}

function waitForConnect(socket: ViewerSocket, timeoutMs: number): Promise<void> {
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return withTimeout(connected, timeoutMs, 'the signalling socket did not connect').catch((error: unknown) => {
    socket.disconnect();
    throw error;
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function randomSsrc(): number {
  return Math.floor(Math.random() * 0xffff_ffff) + 1;
}
