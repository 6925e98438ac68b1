import type { Server as HttpServer } from 'node:http';
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
} from '../../shared/protocol.js';
import type { StageNotifier } from '../domain/stage.js';
import type { StageRegistry } from '../domain/stageRegistry.js';
import { AppError } from '../errors.js';
import { EventRateLimiter } from './rateLimiter.js';
import { SocketSession } from './socketSession.js';
import { stageRoom } from './stageRoom.js';

export type SignallingServer = Server<ClientToServerEvents, ServerToClientEvents>;
type SignallingSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Bounds every inbound message; the largest legitimate one (RTP capabilities) is a few KB. */
const MAX_MESSAGE_BYTES = 64 * 1024;

type Handlers = {
  [N in RequestName]: (session: SocketSession, payload: RequestPayload<N>) => Promise<RequestResults[N]>;
};

const empty = {} as Record<string, never>;

const handlers: Handlers = {
  'stage:join': (session, { stageId, role }) => session.join(stageId, role),
  'stage:leave': async (session) => {
    await session.leave();
    return empty;
  },
  'transport:create': (session, payload) => session.member((stage, peer) => stage.createTransport(peer, payload)),
  'transport:connect': (session, { transportId, dtlsParameters }) =>
    session.member((stage, peer) => stage.connectTransport(peer, transportId, dtlsParameters)).then(() => empty),
  'producer:create': async (session, payload) => ({
    producerId: await session.member((stage, peer) => stage.produce(peer, payload)),
  }),
  'producer:pause': (session, { producerId }) =>
    session.member((stage, peer) => stage.setProducerPaused(peer, producerId, true)).then(() => empty),
  'producer:resume': (session, { producerId }) =>
    session.member((stage, peer) => stage.setProducerPaused(peer, producerId, false)).then(() => empty),
  'producer:close': (session, { producerId }) =>
    session.member((stage, peer) => stage.closeProducer(peer, producerId)).then(() => empty),
  'consumer:create': (session, { producerId, rtpCapabilities }) =>
    session.member((stage, peer) => stage.consume(peer, producerId, rtpCapabilities)),
  'consumer:pause': (session, { consumerId }) =>
    session.member((stage, peer) => stage.setConsumerPaused(peer, consumerId, true)).then(() => empty),
  'consumer:resume': (session, { consumerId }) =>
    session.member((stage, peer) => stage.setConsumerPaused(peer, consumerId, false)).then(() => empty),
  'consumer:setPreferredLayers': (session, { consumerId, spatialLayer, temporalLayer }) =>
    session.member((stage, peer) => stage.setPreferredLayers(peer, consumerId, spatialLayer, temporalLayer)).then(() => empty),
  'ingest:open': async (session, { stageId, tracks }) => ({ tracks: await session.openIngest(stageId, tracks) }),
};

export function attachSignalling(httpServer: HttpServer, registry: StageRegistry, logger: Logger): SignallingServer {
  const io: SignallingServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // Short enough that a vanished viewer stops counting within about 20 s.
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });
  io.on('connection', (socket) => handleConnection(socket, registry, logger));
  return io;
}

/** Sends stage events to socket.io rooms: one per stage, and each socket's own room per peer. */
export function socketNotifier(io: () => SignallingServer): StageNotifier {
  return {
    toStage: (stageId, event, ...args) => io().to(stageRoom(stageId)).emit(event, ...args),
    toPeer: (peer, event, ...args) => io().to(peer.address).emit(event, ...args),
  };
}

function handleConnection(socket: SignallingSocket, registry: StageRegistry, logger: Logger): void {
  const log = logger.child({ socket: socket.id });
  const session = new SocketSession(socket, registry, log);
  const limiter = new EventRateLimiter();

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
  socket.on('disconnect', () => void session.leave());
}

async function handleRequest(name: RequestName, args: unknown[], session: SocketSession, log: Logger): Promise<void> {
  if (typeof args.at(-1) !== 'function') {
    log.debug({ event: name }, 'request without acknowledgement callback ignored');
    return;
  }
  const parsed = requestSchemas[name].safeParse(args.length > 1 ? args[0] : undefined);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
      .join('; ');
    reply(args, { ok: false, error: { code: 'invalid_payload', message: `Invalid ${name} payload: ${detail}` } });
    return;
  }
  try {
    const handler = handlers[name] as (session: SocketSession, payload: unknown) => Promise<unknown>;
    reply(args, { ok: true, data: await handler(session, parsed.data) });
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
  if (typeof ack === 'function') ack(response);
}

function isRequestName(event: string): event is RequestName {
  return Object.hasOwn(requestSchemas, event);
}
