import { randomUUID } from 'node:crypto';
import type { ConsumerOptions, PeerRole } from '../../shared/protocol.js';

/** Who is connected to a stage. `ingest` is a local plain-RTP source such as the demo. */
export type PeerKind = PeerRole | 'ingest';

/** The invite a speaker joined with: who they are to the control room. */
export interface SpeakerInviteRef {
  id: string;
  label: string;
}

/** Ingest points' peers are addressed by the point itself, which outlives every connection. */
const INGEST_POINT_ADDRESS = /^(ingest-point|whip):/;

/** A participant of one stage and the media objects it owns, for ownership checks. */
export class Peer {
  readonly id = randomUUID();
  sendTransportId: string | undefined;
  recvTransportId: string | undefined;
  /** Every transport the peer made, ingest ones included, to close them all when it leaves. */
  readonly transportIds = new Set<string>();
  readonly producerIds = new Set<string>();
  readonly consumerIds = new Set<string>();
  /** The one consumer of each producer, made or being made, so asking again cannot multiply a stream. */
  readonly consumerOfProducer = new Map<string, Promise<ConsumerOptions>>();

  constructor(
    readonly kind: PeerKind,
    /** Where server events for this peer go (a socket id). */
    readonly address: string,
    /** The client's network address, for limits per address. */
    readonly clientAddress: string,
    /** An invited speaker's invite; none for technicians, viewers and ingest. */
    readonly invite?: SpeakerInviteRef,
  ) {}

  /**
   * Who the peer's feeds belong to beyond this connection, so a Take can find a feed again when it
   * returns (a reconnection, a restart): its invite, its ingest point, else its kind (the demo source).
   */
  get feedOwner(): string {
    if (this.invite) return `invite:${this.invite.id}`;
    return INGEST_POINT_ADDRESS.test(this.address) ? this.address : this.kind;
  }

  get canPublish(): boolean {
    return this.kind === 'speaker' || this.kind === 'ingest';
  }

  ownsTransport(transportId: string): boolean {
    return this.transportIds.has(transportId);
  }

  /** Forgets media objects after the stage's media was rebuilt; the peer rejoins from scratch. */
  resetMedia(): void {
    this.sendTransportId = undefined;
    this.recvTransportId = undefined;
    this.transportIds.clear();
    this.producerIds.clear();
    this.forgetConsumers();
  }

  /** The consumers went with the receive transport they were on. */
  forgetConsumers(): void {
    this.consumerIds.clear();
    this.consumerOfProducer.clear();
  }
}
