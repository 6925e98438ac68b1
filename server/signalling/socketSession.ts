import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { IngestTrackTarget, JoinResult, PeerRole, RequestPayload, RequestResults } from '../../shared/protocol.js';
import type { AccessPolicy, Credentials } from '../auth/accessPolicy.js';
import { Peer, type PeerKind, type SpeakerInviteRef } from '../domain/peer.js';
import type { ChatRoom } from '../audience/chatRoom.js';
import type { PollBoard } from '../audience/pollBoard.js';
import { type Attendee, attendeeOf, type QuestionBoard } from '../audience/questionBoard.js';
import { stageOnAir } from '../audience/talkOnAir.js';
import type { Stage } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import type { AlertCenter } from '../health/alertCenter.js';
import type { HealthMonitor } from '../health/healthMonitor.js';
import { AppError } from '../errors.js';
import { endViewing, startViewing } from '../storage/viewings.js';
import type { PeersPerAddress } from './peersPerAddress.js';
import { attendeeRoom, CONTROL_ROOM, moderationRoom, monitorRoom, stageRoom } from './stageRoom.js';

export interface SessionDependencies {
  registry: StageRegistry;
  policy: AccessPolicy;
  db: Database;
  logger: Logger;
  peersPerAddress: PeersPerAddress;
  questions: QuestionBoard;
  polls: PollBoard;
  health: HealthMonitor;
  alerts: AlertCenter;
  chat: ChatRoom;
}

interface Membership {
  stage: Stage;
  peer: Peer;
  /** The attendance row of a viewer, closed when they leave. */
  viewingId: string | undefined;
  /** The invite a speaker joined with (none for technicians): its revocation takes them off air. */
  inviteId: string | undefined;
  /** Who this socket is to the stage's question board; found on first use. */
  attendee: Attendee | undefined;
}

/**
 * One socket's membership of (at most) one stage, and what it may do there. Its requests run one
 * at a time, in the order they arrived: a join that overlapped another join or the disconnect's
 * leave would otherwise add its peer after that leave ran, a viewer counted forever.
 */
export class SocketSession {
  private membership: Membership | undefined;
  /** The stage this socket moderates and the moderator link it came with (none for a technician). */
  private moderating: { stageId: string; inviteId: string | undefined } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly socket: Socket,
    private readonly credentials: Credentials,
    private readonly viewerKey: string,
    /** The client's address by the proxy-trust rule (server/http/clientAddress.ts). */
    private readonly clientAddress: string,
    private readonly deps: SessionDependencies,
  ) {}

  /** Runs a request after every request before it has finished. */
  serially<T>(action: () => Promise<T>): Promise<T> {
    if (this.ended) return Promise.reject(new AppError('not_joined', 'This connection has closed; connect again.'));
    const run = this.queue.then(action);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The socket disconnected: leaves after the requests already queued, and takes no more. */
  end(): Promise<void> {
    const leaving = this.serially(() => this.leave());
    this.ended = true;
    return leaving;
  }

  /** Joins the stage; with `transport`, also creates the peer's one transport (receive for viewers, send for speakers). */
  async join(stageId: string, role: PeerRole, transport?: RequestPayload<'stage:join'>['transport']): Promise<JoinResult> {
    const { invite } = this.deps.policy.authorizeJoin(this.credentials, stageId, role);
    const membership = await this.enter(stageId, role, invite);
    membership.inviteId = invite?.id;
    const { stage, peer } = membership;
    if (role === 'monitor') await this.socket.join(monitorRoom(stageId));
    const joined = await stage.join(peer);
    if (role === 'viewer' && this.membership?.peer === peer) {
      this.membership.viewingId = startViewing(this.deps.db, { stageId, viewerKey: this.viewerKey });
    }
    // Later changes reach the stage's room; this one is for the page that just joined.
    this.socket.emit('programme:onAir', stageOnAir(this.deps.db, stageId));
    if (!transport) return joined;
    const direction = role === 'speaker' ? 'send' : 'recv';
    return { ...joined, transport: await stage.createTransport(peer, { direction, forceTcp: transport.forceTcp }) };
  }

  /** Plain-RTP sources (the demo, later RTMP/WHIP bridges) publish through here, with their stage's ingest key. */
  async openIngest(stageId: string, tracks: RequestPayload<'ingest:open'>['tracks']): Promise<IngestTrackTarget[]> {
    try {
      this.deps.policy.requireIngest(this.credentials, stageId);
    } catch (error) {
      // Someone tried to put media on air without the key: worth an operator's attention.
      if (error instanceof AppError && error.code === 'forbidden') this.deps.logger.warn({ stage: stageId }, 'plain-RTP ingest refused: no valid ingest key');
      throw error;
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

  /** The joined stage's questions as this attendee sees them; from now on their own questions' changes reach this socket. */
  questionBoard(): Promise<RequestResults['questions:list']> {
    return this.asAttendee(async (stageId, attendee) => ({
      board: this.deps.questions.publicBoard(stageId),
      mine: this.deps.questions.attendeeQuestions(stageId, attendee),
    }));
  }

  askQuestion(input: RequestPayload<'questions:ask'>): Promise<RequestResults['questions:ask']> {
    return this.asAttendee(async (stageId, attendee) => this.deps.questions.ask(stageId, attendee, input));
  }

  voteForQuestion({ questionId, vote }: RequestPayload<'questions:vote'>): Promise<void> {
    return this.asAttendee(async (stageId, attendee) => this.deps.questions.vote(stageId, attendee, questionId, vote));
  }

  setGroupSize({ size }: RequestPayload<'questions:group'>): Promise<RequestResults['questions:group']> {
    return this.asAttendee(async (stageId, attendee) => ({ groupSize: this.deps.questions.setGroupSize(stageId, attendee, size) }));
  }

  pollBoard(): Promise<RequestResults['polls:list']> {
    return this.asAttendee(async (stageId, attendee) => ({ board: this.deps.polls.board(stageId), ballots: this.deps.polls.ballots(stageId, attendee) }));
  }

  voteInPoll({ pollId, options }: RequestPayload<'polls:vote'>): Promise<void> {
    return this.asAttendee(async (stageId, attendee) => this.deps.polls.vote(stageId, attendee, pollId, options));
  }

  chatBoard(): Promise<RequestResults['chat:list']> {
    return this.asAttendee(async (stageId) => this.deps.chat.board(stageId));
  }

  sendChat(input: RequestPayload<'chat:send'>): Promise<RequestResults['chat:send']> {
    return this.asAttendee(async (stageId, attendee) => this.deps.chat.send(stageId, attendee, input));
  }

  /**
   * A moderator (a technician, or a moderator link's holder for this stage) follows every question
   * and poll of a stage (moderation happens over HTTP). One stage at a time: following another
   * stops the first.
   */
  async followModeration(stageId: string): Promise<RequestResults['questions:moderate']> {
    const stage = this.deps.policy.existingStage(stageId);
    const moderator = this.moderatorOf(stage.id);
    await this.stopModerating();
    this.moderating = { stageId: stage.id, inviteId: 'invite' in moderator ? moderator.invite.id : undefined };
    await this.socket.join(moderationRoom(stage.id));
    return this.deps.questions.moderatorBoard(stage.id);
  }

  /**
   * A technician's control room follows the health of every stage at once, beside whatever stage
   * this socket joined: the control room is not a member of any stage, and counts as no viewer.
   */
  async followHealth(): Promise<RequestResults['health:follow']> {
    if (!this.deps.policy.technician(this.credentials)) throw new AppError('unauthorized', 'Following the health of the broadcast needs a technician sign-in.');
    await this.socket.join(CONTROL_ROOM);
    return { snapshot: await this.deps.health.current(), alerts: this.deps.alerts.open() };
  }

  private asAttendee<T>(action: (stageId: string, attendee: Attendee) => Promise<T>): Promise<T> {
    return this.member(async (stage) => {
      const membership = this.membership!;
      membership.attendee ??= attendeeOf(this.deps.policy.registrationFor(this.credentials, stage.id), this.viewerKey);
      await this.socket.join(attendeeRoom(stage.id, membership.attendee.voterKey));
      return action(stage.id, membership.attendee);
    });
  }

  /** A revoked moderator link stops its moderation pushes at once (its HTTP actions are refused from now on too). */
  async endModerationWith(inviteId: string): Promise<void> {
    if (this.moderating?.inviteId !== inviteId) return;
    this.deps.logger.info({ stage: this.moderating.stageId, invite: inviteId }, 'moderator invite revoked; moderation pushes stop');
    await this.stopModerating();
    this.socket.emit('moderation:ended', {
      code: 'invite_revoked',
      message: 'The technicians revoked your moderator link, so you no longer moderate this stage. Ask them for a new link.',
    });
  }

  /** Over the socket a missing sign-in is refused like every other right it lacks (forbidden), as the connection carries no session to renew. */
  private moderatorOf(stageId: string): ReturnType<AccessPolicy['requireModerator']> {
    try {
      return this.deps.policy.requireModerator(this.credentials, stageId);
    } catch (error) {
      throw error instanceof AppError && error.code === 'unauthorized' ? new AppError('forbidden', error.message) : error;
    }
  }

  private async stopModerating(): Promise<void> {
    const moderating = this.moderating;
    this.moderating = undefined;
    if (moderating) await this.socket.leave(moderationRoom(moderating.stageId));
  }

  /** A revoked invite ends its speaker's publishing at once: their producers close as they leave the stage. */
  async endPublishingWith(inviteId: string): Promise<void> {
    if (this.membership?.inviteId !== inviteId) return;
    this.deps.logger.info({ stage: this.membership.stage.id, invite: inviteId }, 'speaker invite revoked; taking the speaker off air');
    // Deliberate: the invite is gone, and so is its place on air.
    await this.leave({ deliberate: true });
    this.socket.emit('publishing:ended', {
      code: 'invite_revoked',
      message: 'The technicians revoked your speaker invite, so you are no longer on air. Ask them for a new link.',
    });
  }

  /**
   * Leaves the joined stage. `deliberate`: the client asked (a speaker pressed Stop), so an
   * invited speaker comes back backstage; a dropped connection keeps their place.
   */
  async leave(options: { deliberate?: boolean } = {}): Promise<void> {
    const membership = this.membership;
    if (!membership) return;
    this.membership = undefined;
    this.deps.peersPerAddress.release(this.clientAddress);
    if (membership.viewingId) endViewing(this.deps.db, membership.viewingId);
    await this.socket.leave(stageRoom(membership.stage.id));
    await this.socket.leave(monitorRoom(membership.stage.id));
    if (membership.attendee) await this.socket.leave(attendeeRoom(membership.stage.id, membership.attendee.voterKey));
    await membership.stage.leave(membership.peer, options);
    await this.deps.registry.closeIfEmpty(membership.stage);
    this.deps.logger.debug({ stage: membership.stage.id }, 'left stage');
  }

  private async enter(stageId: string, kind: PeerKind, invite?: SpeakerInviteRef): Promise<Membership> {
    await this.leave();
    this.deps.peersPerAddress.acquire(this.clientAddress);
    const stage = this.deps.registry.open(stageId);
    const peer = new Peer(kind, this.socket.id, this.clientAddress, invite);
    this.membership = { stage, peer, viewingId: undefined, inviteId: undefined, attendee: undefined };
    await this.socket.join(stageRoom(stageId));
    return this.membership;
  }
}
