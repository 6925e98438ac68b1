import { io, type Socket } from 'socket.io-client';
import type { Ack, SocketAuth } from '../../shared/protocol.js';

/** A raw socket.io client, so tests can send what a well-behaved client never would. */
export type RawSocket = Socket;

export interface ConnectOptions {
  /** A loopback source address (127.0.0.x), so tests can act as several clients from one machine. */
  localAddress?: string;
  /** Headers on the WebSocket upgrade request, as a reverse proxy's X-Forwarded-For would be. */
  extraHeaders?: Record<string, string>;
}

export async function connect(url: string, auth: SocketAuth = {}, options: ConnectOptions = {}): Promise<RawSocket> {
  // engine.io-client hands localAddress to the ws library in Node; its option types omit it.
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, ...options } as Parameters<typeof io>[1]);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function request<T = unknown>(socket: RawSocket, event: string, ...payload: unknown[]): Promise<Ack<T>> {
  return socket.timeout(10_000).emitWithAck(event, ...payload) as Promise<Ack<T>>;
}
