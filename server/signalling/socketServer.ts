import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import {
  type Ack,
  type ClientToServerEvents,
  type RequestName,
  type RequestPayload,
  type RequestResults,
  requestSchemas,
  type ServerToClientEvents,
  socketAuthSchema,
} from '../../shared/protocol.js';
import type { Credentials } from '../auth/accessPolicy.js';
import type { ChatNotifier } from '../audience/chatRoom.js';
import type { PollNotifier } from '../audience/pollBoard.js';
import type { QuestionNotifier } from '../audience/questionBoard.js';
import type { OnAirNotifier } from '../audience/talkOnAir.js';
import type { StageNotifier } from '../domain/stage.js';
import type { AlertNotifier } from '../health/alertCenter.js';
import type { HealthNotifier } from '../health/healthMonitor.js';
import type { RecordingNotifier } from '../recording/recordingControl.js';
import { AppError } from '../errors.js';
import { clientAddress, type ProxyTrust } from '../http/clientAddress.js';
import { SESSION_COOKIE } from '../http/guards.js';
import { parseInput } from '../validation.js';
import { EventRateLimiter } from './rateLimiter.js';
import { type SessionDependencies, SocketSession } from './socketSession.js';
import { attendeeRoom, CONTROL_ROOM, moderationRoom, monitorRoom, stageRoom } from './stageRoom.js';

export type SignallingServer = Server<ClientToServerEvents, ServerToClientEvents>;
interface SocketData {
  credentials: Credentials;
  viewerKey: string;
  /** By the same rule as HTTP's request.ip (TRUST_PROXY). */
  clientAddress: string;
}
type SignallingSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Bounds every inbound message; the largest legitimate one (RTP capabilities) is a few KB. */
const MAX_MESSAGE_BYTES = 64 * 1024;

type Handlers = {
  [N in RequestName]: (session: SocketSession, payload: RequestPayload<N>) => Promise<RequestResults[N]>;
};

const empty = {} as Record<string, never>;

const handlers: Handlers = {
  'stage:join': (session, { stageId, role, transport }) => session.join(stageId, role, transport),
  'stage:leave': async (session) => {
    await session.leave({ deliberate: true });
    return empty;
  },
  'transport:create': (session, payload) =>
    payload.direction === 'send'
      ? session.publisher((stage, peer) => stage.createTransport(peer, payload))
      : session.member((stage, peer) => stage.createTransport(peer, payload)),
  'transport:connect': (session, { transportId, dtlsParameters }) =>
    session.member((stage, peer) => stage.connectTransport(peer, transportId, dtlsParameters)).then(() => empty),
  'producer:create': async (session, payload) => ({
    producerId: await session.publisher((stage, peer) => stage.produce(peer, payload)),
  }),
  'producer:pause': (session, { producerId }) => session.member((stage, peer) => stage.setProducerPaused(peer, producerId, true)).then(() => empty),
  'producer:resume': (session, { producerId }) => session.publisher((stage, peer) => stage.setProducerPaused(peer, producerId, false)).then(() => empty),
  'producer:close': (session, { producerId }) => session.member((stage, peer) => stage.closeProducer(peer, producerId)).then(() => empty),
  'consumer:create': (session, { producerId, rtpCapabilities, flowing, spatialLayer }) =>
    session.member((stage, peer) => stage.consume(peer, producerId, rtpCapabilities, { flowing, spatialLayer })),
  'consumer:pause': (session, { consumerId }) => session.member((stage, peer) => stage.setConsumerPaused(peer, consumerId, true)).then(() => empty),
  'consumer:resume': (session, { consumerId }) => session.member((stage, peer) => stage.setConsumerPaused(peer, consumerId, false)).then(() => empty),
  'consumer:setPreferredLayers': (session, { consumerId, spatialLayer, temporalLayer }) =>
    session.member((stage, peer) => stage.setPreferredLayers(peer, consumerId, spatialLayer, temporalLayer)).then(() => empty),
  'ingest:open': async (session, { stageId, tracks }) => ({ tracks: await session.openIngest(stageId, tracks) }),
  'questions:list': (session) => session.questionBoard(),
  'questions:ask': (session, payload) => session.askQuestion(payload),
  'questions:vote': (session, payload) => session.voteForQuestion(payload).then(() => empty),
  'questions:group': (session, payload) => session.setGroupSize(payload),
  'questions:moderate': (session, { stageId }) => session.followModeration(stageId),
  'polls:list': (session) => session.pollBoard(),
  'polls:vote': (session, payload) => session.voteInPoll(payload).then(() => empty),
  'health:follow': (session) => session.followHealth(),
  'chat:list': (session) => session.chatBoard(),
  'chat:send': (session, payload) => session.sendChat(payload),
};

export interface SignallingDependencies extends SessionDependencies {
  /** Origins besides the server's own whose pages may connect (the CORS list). */
  allowedOrigins: string[];
  trustProxy: ProxyTrust;
}

export function attachSignalling(httpServer: HttpServer, deps: SignallingDependencies): SignallingServer {
  const io: SignallingServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // Short enough that a vanished viewer stops counting within about 20 s.
    pingInterval: 10_000,
    pingTimeout: 10_000,
    // WebSockets are not covered by CORS: without this, any site could act with a visitor's cookie.
    allowRequest: (request, callback) => callback(null, isAllowedOrigin(request, deps.allowedOrigins)),
  });
  io.use((socket, next) => {
    try {
      const auth = parseInput(socketAuthSchema, socket.handshake.auth ?? {}, 'connection credentials');
      const cookies = fastifyCookie.parse(socket.handshake.headers.cookie ?? '');
      socket.data = {
        credentials: { sessionToken: cookies[SESSION_COOKIE], invite: auth.invite, access: auth.access, ingest: auth.ingest },
        viewerKey: auth.viewerKey ?? socket.id,
        clientAddress: clientAddress(socket.request, deps.trustProxy),
      };
      next();
    } catch (error) {
      next(error instanceof Error ? error : new Error(String(error)));
    }
  });
  const sessions = new Set<SocketSession>();
  deps.policy.onInviteRevoked((inviteId) => {
    for (const session of sessions) {
      session
        .endPublishingWith(inviteId)
        .catch((error: unknown) => deps.logger.error({ err: error, invite: inviteId }, 'could not take a revoked speaker off air'));
      session
        .endModerationWith(inviteId)
        .catch((error: unknown) => deps.logger.error({ err: error, invite: inviteId }, 'could not end a revoked moderator’s moderation'));
    }
  });
  io.on('connection', (socket) => handleConnection(socket, deps, sessions));
  return io;
}

function isAllowedOrigin(request: IncomingMessage, allowedOrigins: string[]): boolean {
  const origin = request.headers.origin;
  // Non-browser clients (the demo source, load generators) send no Origin.
  if (!origin) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Sends stage events to socket.io rooms: one per stage, and each socket's own room per peer. */
export function socketNotifier(io: () => SignallingServer): StageNotifier {
  return {
    toStage: (stageId, event, ...args) =>
      io()
        .to(stageRoom(stageId))
        .emit(event, ...args),
    toPeer: (peer, event, ...args) =>
      io()
        .to(peer.address)
        .emit(event, ...args),
    toMonitors: (stageId, event, ...args) =>
      io()
        .to(monitorRoom(stageId))
        .emit(event, ...args),
  };
}

/** Sends question boards to socket.io rooms: the stage's members, its moderators, one attendee's sockets. */
export function socketQuestionNotifier(io: () => SignallingServer): QuestionNotifier {
  return {
    toAttendees: (stageId, board) => io().to(stageRoom(stageId)).emit('questions:board', board),
    toModerators: (stageId, board) => io().to(moderationRoom(stageId)).emit('questions:moderation', board),
    toAttendee: (stageId, voterKey, mine) => io().to(attendeeRoom(stageId, voterKey)).emit('questions:mine', mine),
  };
}

/** Sends health snapshots and alerts to the control rooms following them (health:follow). */
export function socketHealthNotifier(io: () => SignallingServer): HealthNotifier & AlertNotifier {
  return {
    snapshot: (snapshot) => io().to(CONTROL_ROOM).emit('health:snapshot', snapshot),
    alertChanged: (alert) => io().to(CONTROL_ROOM).emit('alerts:alert', alert),
  };
}

/** The chat as attendees see it goes to the stage's members; held and deleted messages only to its moderators. */
export function socketChatNotifier(io: () => SignallingServer): ChatNotifier {
  return {
    toStage: (stageId, board) => io().to(stageRoom(stageId)).emit('chat:board', board),
    toModerators: (stageId, board) => io().to(moderationRoom(stageId)).emit('chat:moderation', board),
  };
}

/** Poll boards go to the stage's members and its moderators (a socket in both gets one). */
export function socketPollNotifier(io: () => SignallingServer): PollNotifier {
  return {
    toStage: (stageId, board) =>
      io()
        .to([stageRoom(stageId), moderationRoom(stageId)])
        .emit('polls:board', board),
  };
}

/** The talk on air and the next one, to everyone on the stage and to the control rooms (a socket in both gets one). */
export function socketOnAirNotifier(io: () => SignallingServer): OnAirNotifier {
  return {
    toStage: (stageId, onAir) =>
      io()
        .to([stageRoom(stageId), CONTROL_ROOM])
        .emit('programme:onAir', onAir),
  };
}

/** A stage's recording switch and markers, to the control rooms (its duration and size come with every health snapshot). */
export function socketRecordingNotifier(io: () => SignallingServer): RecordingNotifier {
  return { recordingChanged: (state) => io().to(CONTROL_ROOM).emit('recording:control', state) };
}

function handleConnection(socket: SignallingSocket, deps: SessionDependencies, sessions: Set<SocketSession>): void {
  const { credentials, viewerKey, clientAddress: address } = socket.data as SocketData;
  const log = deps.logger.child({ socket: socket.id, address });
  const session = new SocketSession(socket, credentials, viewerKey, address, { ...deps, logger: log });
  const limiter = new EventRateLimiter();
  sessions.add(session);

  socket.onAny((event: string, ...args: unknown[]) => {
    if (!limiter.allow()) {
      reply(args, { ok: false, error: { code: 'rate_limited', message: 'Too many requests; slow down.' } });
      if (limiter.shouldDisconnect()) {
        log.warn({ event }, 'socket flooded the server with events; disconnecting it');
        socket.disconnect(true);
      }
      return;
    }
    if (!isRequestName(event)) {
      reply(args, { ok: false, error: { code: 'not_found', message: `Unknown event "${event}".` } });
      return;
    }
    void handleRequest(event, args, session, log);
  });
  socket.on('disconnect', () => {
    sessions.delete(session);
    void session.end();
  });
}

async function handleRequest(name: RequestName, args: unknown[], session: SocketSession, log: Logger): Promise<void> {
  if (typeof args.at(-1) !== 'function') {
    log.debug({ event: name }, 'request without acknowledgement callback ignored');
    return;
  }
  let payload: unknown;
  try {
    payload = parseInput(requestSchemas[name], args.length > 1 ? args[0] : undefined, `${name} payload`);
  } catch (error) {
    reply(args, { ok: false, error: (error as AppError).toApiError() });
    return;
  }
  try {
    const handler = handlers[name] as (session: SocketSession, payload: unknown) => Promise<unknown>;
    reply(args, { ok: true, data: await session.serially(() => handler(session, payload)) });
  } catch (error) {
    if (error instanceof AppError) {
      reply(args, { ok: false, error: error.toApiError() });
      return;
    }
    log.error({ err: error, event: name }, 'request failed');
    reply(args, { ok: false, error: { code: 'internal', message: `The server failed to handle ${name}; try again.` } });
  }
}

function reply(args: unknown[], response: Ack<unknown>): void {
  const ack = args.at(-1);
  if (typeof ack === 'function') (ack as (response: Ack<unknown>) => void)(response);
}

function isRequestName(event: string): event is RequestName {
  return Object.hasOwn(requestSchemas, event);
}
