import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ErrorCode, RequestName, RequestPayload, RequestResults, ServerToClientEvents } from '../../shared/protocol';
import { connectionCredentials } from './credentials';

export type SignallingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ServerEventName = keyof ServerToClientEvents;

/** Long enough for a busy server to set up media, short enough that a lost reply is noticed. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Codes the client adds to the server's own when a request never got an answer. */
export type SignallingErrorCode = ErrorCode | 'timeout' | 'disconnected';

/** A request the server refused (its `code` comes from the protocol) or that got no answer. */
export class SignallingError extends Error {
  override readonly name = 'SignallingError';

  constructor(
    readonly code: SignallingErrorCode,
    message: string,
    readonly request?: RequestName,
  ) {
    super(message);
  }
}

type TimedEmit = (event: string, payload: unknown, callback: (error: Error | null, response?: Ack<unknown>) => void) => void;

/** The typed request/response layer over one socket.io connection to the same origin. */
export class Signalling {
  readonly socket: SignallingSocket;

  constructor() {
    this.socket = io({
      auth: connectionCredentials(),
      transports: ['websocket', 'polling'],
      // Same schedule as the media rejoin: 0.5 s doubling up to 5 s.
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<RequestResults[N]> {
    return new Promise((resolve, reject) => {
      // socket.io would buffer the request and send it after reconnecting, to a server that no
      // longer knows this client; failing now lets the caller rejoin instead.
      if (!this.socket.connected) {
        reject(new SignallingError('disconnected', 'Not connected to the server.', name));
        return;
      }
      // The typed emit cannot follow a generic request name, hence the narrow cast.
      const timed = this.socket.timeout(REQUEST_TIMEOUT_MS);
      (timed.emit as unknown as TimedEmit).call(timed, name, payload, (error, response) => {
        if (error || !response) {
          reject(new SignallingError('timeout', `The server did not answer ${name} within 10 seconds.`, name));
        } else if (response.ok) {
          resolve(response.data as RequestResults[N]);
        } else {
          reject(new SignallingError(response.error.code, response.error.message, name));
        }
      });
    });
  }

  /** Subscribes to a server event; returns the unsubscribe function. */
  on<E extends ServerEventName>(event: E, listener: ServerToClientEvents[E]): () => void {
    const socket = this.socket as unknown as UntypedEmitter;
    socket.on(event, listener);
    return () => socket.off(event, listener);
  }

  onConnectionChange(listener: (connected: boolean, reason?: string) => void): () => void {
    const onConnect = () => listener(true);
    const onDisconnect = (reason: string) => listener(false, reason);
    this.socket.on('connect', onConnect);
    this.socket.on('disconnect', onDisconnect);
    return () => {
      this.socket.off('connect', onConnect);
      this.socket.off('disconnect', onDisconnect);
    };
  }

  /** socket.io stops retrying after the server closed the socket on purpose; try again anyway. */
  reconnect(): void {
    if (!this.socket.connected) this.socket.connect();
  }

  close(): void {
    this.socket.disconnect();
  }
}

type UntypedEmitter = {
  on(event: string, listener: (...args: never[]) => void): void;
  off(event: string, listener: (...args: never[]) => void): void;
};
