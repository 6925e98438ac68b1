import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { IngestTrackTarget, JoinResult, PeerRole, RequestPayload } from '../../shared/protocol.js';
import type { AccessPolicy, Credentials } from '../auth/accessPolicy.js';
import { isLoopbackAddress } from '../auth/loopback.js';
import { Peer, type PeerKind } from '../domain/peer.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import { AppError } from '../errors.js';
import { endViewing, startViewing } from '../storage/viewings.js';
import { stageRoom } from './stageRoom.js';

export interface SessionDependencies {
  registry: StageRegistry;
  policy: AccessPolicy;
  db: Database;
  logger: Logger;
}

interface Membership {
  stage: Stage;
  peer: Peer;
  /** The attendance row of a viewer, closed when they leave. */
  viewingId: string | undefined;
}

/** One socket's membership of (at most) one stage, and what it may do there. */
export class SocketSession {
  private membership: Membership | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly credentials: Credentials,
    private readonly viewerKey: string,
    private readonly deps: SessionDependencies,
  ) {}

  async join(stageId: string, role: PeerRole): Promise<JoinResult> {
    this.deps.policy.authorizeJoin(this.credentials, stageId, role);
    const { stage, peer } = await this.enter(stageId, role);
    const joined = await stage.join(peer);
    if (role === 'viewer' && this.membership?.peer === peer) {
      this.membership.viewingId = startViewing(this.deps.db, { stageId, viewerKey: this.viewerKey });
    }
    return joined;
  }

  /** Local plain-RTP sources (the demo, later RTMP/WHIP bridges) publish through here. */
  async openIngest(stageId: string, tracks: RequestPayload<'ingest:open'>['tracks']): Promise<IngestTrackTarget[]> {
    if (!isLoopbackAddress(this.socket.handshake.address)) {
      throw new AppError('forbidden', 'Plain-RTP ingest is only accepted from this machine.');
    }
    this.deps.policy.existingStage(stageId);
    const { stage, peer } = await this.enter(stageId, 'ingest');
    await stage.join(peer);
    return stage.openIngest(peer, tracks);
  }

  /** Runs an action as a member of the joined stage. */
  member<T>(action: (stage: Stage, peer: Peer) => Promise<T>): Promise<T> {
    if (!this.membership) return Promise.reject(new AppError('not_joined', 'Join a stage first (stage:join).'));
    return action(this.membership.stage, this.membership.peer);
  }

  /**
   * Runs a publishing action, checking the speaker's right again: an invite revoked or expired
   * since the join stops new publishing at once.
   */
  publisher<T>(action: (stage: Stage, peer: Peer) => Promise<T>): Promise<T> {
    return this.member((stage, peer) => {
      if (peer.kind === 'speaker') this.deps.policy.requireSpeaker(this.credentials, stage.id);
      return action(stage, peer);
    });
  }

  async leave(): Promise<void> {
    const membership = this.membership;
    if (!membership) return;
    this.membership = undefined;
    if (membership.viewingId) endViewing(this.deps.db, membership.viewingId);
    await this.socket.leave(stageRoom(membership.stage.id));
    await membership.stage.leave(membership.peer);
    await this.deps.registry.closeIfEmpty(membership.stage);
    this.deps.logger.debug({ stage: membership.stage.id }, 'left stage');
  }

  private async enter(stageId: string, kind: PeerKind): Promise<Membership> {
    await this.leave();
    const stage = this.deps.registry.open(stageId);
    const peer = new Peer(kind, this.socket.id);
    this.membership = { stage, peer, viewingId: undefined };
    await this.socket.join(stageRoom(stageId));
    return this.membership;
  }
}
