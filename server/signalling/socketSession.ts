import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { IngestTrackTarget, JoinResult, PeerRole, RequestPayload } from '../../shared/protocol.js';
import { Peer, type PeerKind } from '../domain/peer.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import { AppError } from '../errors.js';
import { stageRoom } from './stageRoom.js';

/** One socket's membership of (at most) one stage. */
export class SocketSession {
  private membership: { stage: Stage; peer: Peer } | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly registry: StageRegistry,
    private readonly logger: Logger,
  ) {}

  async join(stageId: string, role: PeerRole): Promise<JoinResult> {
    const { stage, peer } = await this.enter(stageId, role);
    return stage.join(peer);
  }

  /** Local plain-RTP sources (the demo, later RTMP/WHIP bridges) publish through here. */
  async openIngest(stageId: string, tracks: RequestPayload<'ingest:open'>['tracks']): Promise<IngestTrackTarget[]> {
    if (!isLoopback(this.socket.handshake.address)) {
      throw new AppError('forbidden', 'Plain-RTP ingest is only accepted from this machine.');
    }
    const { stage, peer } = await this.enter(stageId, 'ingest');
    await stage.join(peer);
    return stage.openIngest(peer, tracks);
  }

  /** Runs an action as a member of the joined stage. */
  member<T>(action: (stage: Stage, peer: Peer) => Promise<T>): Promise<T> {
    if (!this.membership) return Promise.reject(new AppError('not_joined', 'Join a stage first (stage:join).'));
    return action(this.membership.stage, this.membership.peer);
  }

  async leave(): Promise<void> {
    const membership = this.membership;
    if (!membership) return;
    this.membership = undefined;
    await this.socket.leave(stageRoom(membership.stage.id));
    await membership.stage.leave(membership.peer);
    await this.registry.closeIfEmpty(membership.stage);
    this.logger.debug({ stage: membership.stage.id }, 'left stage');
  }

  private async enter(stageId: string, kind: PeerKind): Promise<{ stage: Stage; peer: Peer }> {
    await this.leave();
    const stage = this.registry.open(stageId);
    const peer = new Peer(kind, this.socket.id);
    this.membership = { stage, peer };
    await this.socket.join(stageRoom(stageId));
    return this.membership;
  }
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
