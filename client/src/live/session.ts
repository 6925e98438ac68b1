/**
 * The plumbing viewers and speakers share: join a stage, load a mediasoup Device, create one
 * WebRTC transport, and keep doing that again after anything breaks (socket drop, server restart,
 * `stage:reconnect`, a failed or long-disconnected transport), falling back to TCP when UDP never
 * gets through. What to do with the transport is up to a StageMediaHandler.
 */
import type { Device, types } from 'mediasoup-client';
import type {
  JoinResult,
  PublishedSource,
  PeerRole,
  RtpCapabilitiesJson,
  RtpParametersJson,
  ServerToClientEvents,
  StageSummary,
  TransportOptions,
} from '../../../shared/protocol';
import { type ServerEventName, type Signalling, SignallingError } from '../signalling';
import { loadDevice, prepareMediaDevice } from './mediaDevice';
import { markMilestone } from './timeline';

export type TransportDirection = 'send' | 'recv';

/** Where the link stands; each session maps this onto the states it exposes. */
export type LinkStatus = 'connecting' | 'joined' | 'reconnecting' | 'offline' | 'stopped';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;
/** A UDP transport that has not connected by now is most likely firewalled. */
const CONNECT_TIMEOUT_MS = 8_000;
/** ICE often recovers from a short 'disconnected' on its own; only rebuild after this long. */
const DISCONNECTED_GRACE_MS = 5_000;

/** A joined stage with a ready transport, valid until the next teardown. */
export interface StageAttachment {
  readonly join: JoinResult;
  readonly device: Device;
  readonly transport: types.Transport;
  request: Signalling['request'];
  /** False once this attachment was torn down; work started for it must stop quietly. */
  alive(): boolean;
  /** Reports a failure that needs a fresh join (ignored once the attachment is gone). */
  fail(error: unknown): void;
}

/** What a viewer or speaker does with a stage each time it is (re)joined. */
export interface StageMediaHandler {
  readonly role: PeerRole;
  readonly direction: TransportDirection;
  /** The join succeeded; called before the transport exists, so events can be tracked from now. */
  joined(join: JoinResult): void;
  /** Consume or produce on the fresh transport; a rejection triggers a rejoin. */
  attach(attachment: StageAttachment): Promise<void>;
  /** Media is gone (or about to be): drop consumers/producers. Called on every teardown. */
  detach(): void;
}

/**
 * What went wrong, as a code the page translates (the i18n catalogue's `live.problem.*`); the
 * link status says what happens next.
 */
export type LiveProblem =
  | 'server_timeout'
  | 'rate_limited'
  | 'server_error'
  | 'bad_stage'
  | 'stage_not_found'
  | 'request_refused'
  | 'access_refused'
  | 'invite_expired'
  | 'invite_revoked'
  | 'invite_invalid'
  | 'invite_wrong_stage'
  | 'cannot_decode'
  | 'lost_track'
  | 'unsupported_browser'
  | 'unknown'
  | 'device_offline'
  | 'server_lost'
  | 'stage_restarted'
  | 'media_dropped'
  | 'media_blocked'
  | 'media_unreachable';

export interface LinkObserver {
  /** `problem` says what went wrong; the page words it. */
  status(status: LinkStatus, problem?: LiveProblem): void;
  stage(stage: StageSummary): void;
}

export interface StageLinkOptions {
  stageId: string;
  signalling: Signalling;
  handler: StageMediaHandler;
  observer: LinkObserver;
}

/** 0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s, … */
export class Backoff {
  private attempts = 0;

  next(): number {
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.attempts, MAX_RETRY_MS);
    this.attempts++;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
  }
}

export class StageLink {
  private active = false;
  private everJoined = false;
  private subscribed = false;
  /** Bumped on every teardown; async work from an older generation discards its results. */
  private generation = 0;
  private joinedGeneration = -1;
  private attachment: LiveAttachment | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff = new Backoff();
  /** Sticky: once UDP failed to connect, this network will not let it through on a rejoin either. */
  private forceTcp = false;

  constructor(private readonly options: StageLinkOptions) {}

  get stageId(): string {
    return this.options.stageId;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.everJoined = false;
    // The browser's capabilities are asked while the join is on its way, not after its answer.
    prepareMediaDevice();
    this.subscribe();
    this.restart(0);
  }

  /** True from start() until stop() or an error that retrying cannot fix. */
  get running(): boolean {
    return this.active;
  }

  /** Leaves the stage for good (until start() is called again). */
  async stop(): Promise<void> {
    this.active = false;
    this.teardown();
    this.options.observer.status('stopped');
    if (this.options.signalling.connected) {
      await this.options.signalling.request('stage:leave', {}).catch(() => undefined);
    }
  }

  /** Subscribes to a server event, delivered only while joined (events of a stale join are dropped). */
  on<E extends ServerEventName>(event: E, listener: ServerToClientEvents[E]): () => void {
    const guarded = ((...args: Parameters<ServerToClientEvents[E]>) => {
      if (this.isJoined()) (listener as (...a: typeof args) => void)(...args);
    }) as ServerToClientEvents[E];
    return this.options.signalling.on(event, guarded);
  }

  private isJoined(): boolean {
    return this.active && this.joinedGeneration === this.generation;
  }

  private isCurrent(generation: number): boolean {
    return this.active && generation === this.generation;
  }

  private subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    const { signalling } = this.options;
    signalling.onConnectionChange((connected, reason) => this.onSocketChange(connected, reason));
    this.on('stage:reconnect', () => this.restart(this.backoff.next(), 'stage_restarted'));
    this.on('stage:state', (stage) => this.options.observer.stage(stage));
    window.addEventListener('offline', () => this.onBrowserOffline());
    window.addEventListener('online', () => this.onBrowserOnline());
  }

  private onSocketChange(connected: boolean, reason?: string): void {
    if (!this.active) return;
    if (connected) {
      this.restart(0);
      return;
    }
    // The server drops a peer's media together with its socket, so nothing here is usable any more.
    this.teardown();
    this.setWaitingStatus('server_lost');
    if (reason === 'io server disconnect') {
      setTimeout(() => this.options.signalling.reconnect(), this.backoff.next());
    }
  }

  private onBrowserOffline(): void {
    if (this.active) this.options.observer.status('offline', 'device_offline');
  }

  private onBrowserOnline(): void {
    if (!this.active) return;
    const transportState = this.attachment?.transport.connectionState;
    if (this.options.signalling.connected && transportState === 'connected') {
      this.options.observer.status('joined');
    } else if (this.options.signalling.connected) {
      this.restart(0);
    } else {
      this.options.signalling.reconnect();
    }
  }

  private setWaitingStatus(problem?: LiveProblem): void {
    if (!navigator.onLine) this.options.observer.status('offline', 'device_offline');
    else this.options.observer.status(this.everJoined ? 'reconnecting' : 'connecting', problem);
  }

  private restart(delayMs: number, problem?: LiveProblem): void {
    if (!this.active) return;
    this.teardown();
    this.setWaitingStatus(problem);
    const generation = this.generation;
    this.retryTimer = setTimeout(() => void this.attempt(generation), delayMs);
  }

  private teardown(): void {
    this.generation++;
    clearTimeout(this.retryTimer);
    this.options.handler.detach();
    this.attachment?.dispose();
    this.attachment = undefined;
  }

  private async attempt(generation: number): Promise<void> {
    const { signalling, handler, observer } = this.options;
    // Without a socket there is nothing to try; its 'connect' event starts the next attempt.
    if (!this.isCurrent(generation) || !navigator.onLine || !signalling.connected) return;
    try {
      // The transport comes with the join: one round trip, not two, before media can start.
      const join = await signalling.request('stage:join', {
        stageId: this.stageId,
        role: handler.role,
        transport: this.forceTcp ? { forceTcp: true } : {},
      });
      if (!this.isCurrent(generation)) return;
      markMilestone('joined');
      this.joinedGeneration = generation;
      observer.stage(join.stage);
      handler.joined(join);
      const device = await loadDevice(join.routerRtpCapabilities);
      if (!this.isCurrent(generation)) return;
      const transport = this.createTransport(device, join);
      if (!this.isCurrent(generation)) {
        transport.close();
        return;
      }
      const attachment = new LiveAttachment(
        join,
        device,
        transport,
        signalling,
        () => this.isCurrent(generation),
        (error) => this.recover(error),
      );
      this.attachment = attachment;
      this.watchTransport(attachment);
      await handler.attach(attachment);
      if (!this.isCurrent(generation)) return;
      this.everJoined = true;
      this.backoff.reset();
      observer.status('joined');
    } catch (error) {
      if (this.isCurrent(generation)) this.recover(error);
    }
  }

  private recover(error: unknown): void {
    if (isPermanent(error)) {
      this.halt(error);
      return;
    }
    this.restart(this.backoff.next(), problemOf(error));
  }

  /** Retrying cannot help (bad stage address, refused role, unsupported browser). */
  private halt(error: unknown): void {
    this.active = false;
    this.teardown();
    this.options.observer.status('offline', problemOf(error));
  }

  private createTransport(device: Device, join: JoinResult): types.Transport {
    if (!join.transport) throw new Error('The server answered the join without the transport it was asked for.');
    const clientOptions = toClientTransportOptions(join.transport);
    return this.options.handler.direction === 'send' ? device.createSendTransport(clientOptions) : device.createRecvTransport(clientOptions);
  }

  private watchTransport(attachment: LiveAttachment): void {
    const { transport } = attachment;
    relayConnect(transport, attachment, () => attachment.startTimer('connect', CONNECT_TIMEOUT_MS, () => this.onMediaUnreachable(attachment)));
    relayProduce(transport, attachment);
    transport.on('connectionstatechange', (state) => {
      if (!attachment.alive()) return;
      if (state === 'connected') {
        markMilestone('connected');
        attachment.markConnected();
        this.backoff.reset();
      } else if (state === 'disconnected') {
        attachment.startTimer('disconnected', DISCONNECTED_GRACE_MS, () => this.restart(this.backoff.next(), 'media_dropped'));
      } else if (state === 'failed') {
        this.onMediaUnreachable(attachment);
      }
    });
  }

  private onMediaUnreachable(attachment: LiveAttachment): void {
    if (!attachment.alive()) return;
    if (!attachment.everConnected && !this.forceTcp) {
      this.forceTcp = true;
      this.restart(0, 'media_blocked');
      return;
    }
    // Never connected over either route: a firewall most likely blocks media (viewers fall back to HLS).
    this.restart(this.backoff.next(), attachment.everConnected ? 'media_dropped' : 'media_unreachable');
  }
}

/** Tells the server of each track the transport produces, with the source its appData names. */
/** The transport's DTLS parameters to the server as it connects (`connecting` first, when given); a failure rejoins. */
function relayConnect(transport: types.Transport, attachment: StageAttachment, connecting?: () => void): void {
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    connecting?.();
    attachment
      .request('transport:connect', { transportId: transport.id, dtlsParameters })
      .then(() => callback())
      .catch((error: unknown) => {
        errback(asError(error));
        attachment.fail(error);
      });
  });
}

function relayProduce(transport: types.Transport, attachment: StageAttachment): void {
  transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
    const source = appData['source'];
    if (!isPublishedSource(source)) {
      errback(new Error('produce() needs appData.source to say what the track carries.'));
      return;
    }
    attachment
      .request('producer:create', { transportId: transport.id, kind, source, rtpParameters: toRtpParametersJson(rtpParameters) })
      .then(({ producerId }) => callback({ id: producerId }))
      .catch((error: unknown) => errback(asError(error)));
  });
}

/**
 * A second transport on the same join, the other way round: a speaker's receive transport (talk-back,
 * program return), a technician's send transport (talk-back). The caller closes it on detach; a
 * failure rejoins the stage, as one of the link's own transport does.
 */
export async function openSecondTransport(attachment: StageAttachment, direction: TransportDirection): Promise<types.Transport> {
  const options = toClientTransportOptions(await attachment.request('transport:create', { direction }));
  const transport = direction === 'send' ? attachment.device.createSendTransport(options) : attachment.device.createRecvTransport(options);
  relayConnect(transport, attachment);
  if (direction === 'send') relayProduce(transport, attachment);
  transport.on('connectionstatechange', (state) => {
    if (state === 'failed') attachment.fail(new Error(`The ${direction} transport beside the stage link failed.`));
  });
  return transport;
}

type AttachmentTimer = 'connect' | 'disconnected';

class LiveAttachment implements StageAttachment {
  everConnected = false;
  private readonly timers = new Map<AttachmentTimer, ReturnType<typeof setTimeout>>();
  readonly request: Signalling['request'];

  constructor(
    readonly join: JoinResult,
    readonly device: Device,
    readonly transport: types.Transport,
    signalling: Signalling,
    private readonly isAlive: () => boolean,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.request = signalling.request.bind(signalling);
  }

  alive(): boolean {
    return this.isAlive();
  }

  fail(error: unknown): void {
    if (this.alive()) this.onFailure(error);
  }

  startTimer(name: AttachmentTimer, delayMs: number, action: () => void): void {
    this.stopTimer(name);
    this.timers.set(name, setTimeout(action, delayMs));
  }

  markConnected(): void {
    this.everConnected = true;
    this.stopTimer('connect');
    this.stopTimer('disconnected');
  }

  dispose(): void {
    for (const name of [...this.timers.keys()]) this.stopTimer(name);
    this.transport.close();
  }

  private stopTimer(name: AttachmentTimer): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }
}

// ---------------------------------------------------------------------------------------------
// Wire adapters: the protocol bounds these objects' size only; mediasoup checks their inside on
// both ends, so the client hands them across unchanged.

function toClientTransportOptions(options: TransportOptions): types.TransportOptions {
  return options as unknown as types.TransportOptions;
}

export function toClientRtpParameters(parameters: RtpParametersJson): types.RtpParameters {
  return parameters as unknown as types.RtpParameters;
}

function toRtpParametersJson(parameters: types.RtpParameters): RtpParametersJson {
  return parameters as unknown as RtpParametersJson;
}

export function toRtpCapabilitiesJson(capabilities: types.RtpCapabilities): RtpCapabilitiesJson {
  return capabilities as unknown as RtpCapabilitiesJson;
}

/** Compile-time complete: adding a source to the protocol breaks the build here until listed. */
const mediaSources: Record<PublishedSource, true> = { camera: true, microphone: true, screen: true, 'screen-audio': true };

function isPublishedSource(value: unknown): value is PublishedSource {
  return typeof value === 'string' && Object.hasOwn(mediaSources, value);
}

// ---------------------------------------------------------------------------------------------
// Errors, as the user should read them

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function isPermanent(error: unknown): boolean {
  if (error instanceof SignallingError) {
    return (
      ['invalid_payload', 'forbidden', 'unauthorized', 'invite_expired', 'invite_revoked', 'invite_invalid', 'invite_wrong_stage'].includes(error.code) ||
      (error.code === 'not_found' && error.request === 'stage:join')
    );
  }
  return error instanceof Error && error.name === 'UnsupportedError';
}

/** What went wrong, as a code the page translates. */
export function problemOf(error: unknown): LiveProblem {
  if (error instanceof SignallingError) return signallingProblem(error);
  if (error instanceof Error && error.name === 'UnsupportedError') return 'unsupported_browser';
  return 'unknown';
}

function signallingProblem(error: SignallingError): LiveProblem {
  switch (error.code) {
    case 'timeout':
    case 'disconnected':
      return 'server_timeout';
    case 'rate_limited':
      return 'rate_limited';
    case 'unavailable':
    case 'internal':
      return 'server_error';
    case 'invalid_payload':
      return error.request === 'stage:join' ? 'bad_stage' : 'request_refused';
    case 'forbidden':
    case 'unauthorized':
      return 'access_refused';
    case 'invite_expired':
    case 'invite_revoked':
    case 'invite_invalid':
    case 'invite_wrong_stage':
      return error.code;
    case 'conflict':
    case 'chat_off':
    case 'chat_muted':
    case 'payload_too_large':
    case 'unsupported_media_type':
    case 'method_not_allowed':
    case 'uri_too_long':
    case 'headers_too_large':
    case 'request_timeout':
      return 'request_refused';
    case 'media_rejected':
      return 'cannot_decode';
    case 'not_found':
      return error.request === 'stage:join' ? 'stage_not_found' : 'lost_track';
    case 'not_joined':
      return 'lost_track';
  }
}
