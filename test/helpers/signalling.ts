import { io, type Socket } from 'socket.io-client';
import type { Ack, SocketAuth } from '../../shared/protocol.js';

/** A raw socket.io client, so tests can send what a well-behaved client never would. */
export type RawSocket = Socket;

/** `headers` go on the WebSocket upgrade request, as a reverse proxy's X-Forwarded-For would. */
export async function connect(url: string, auth: SocketAuth = {}, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function request<T = unknown>(socket: RawSocket, event: string, ...payload: unknown[]): Promise<Ack<T>> {
  return socket.timeout(10_000).emitWithAck(event, ...payload) as Promise<Ack<T>>;
}
