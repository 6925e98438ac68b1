import { AppError } from '../errors.js';
import { AddressCounts } from './addressCounts.js';

export interface PendingTransportLimits {
  /** How long a transport may stay unconnected (no ICE + DTLS) before it is closed. */
  connectTimeoutMs: number;
  /** Unconnected transports one client address may hold at once, across sockets and stages. */
  perAddress: number;
}

interface Pending {
  address: string;
  timer: NodeJS.Timeout;
}

/**
 * WebRTC transports that were made but have not connected yet, by client address. Each costs
 * the media server ports and memory while it waits; one that never connects is closed after the
 * connect timeout, and an address holding many at once is refused more until some connect or
 * expire. Connected transports are the viewers we serve and are not limited here.
 */
export class PendingTransports {
  private readonly counts = new AddressCounts();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly limits: PendingTransportLimits) {}

  /** Claims a place for a transport about to be made; call track() or release() after. */
  reserve(address: string): void {
    const count = this.counts.of(address);
    if (count >= this.limits.perAddress) {
      throw new AppError(
        'unavailable',
        `Your network address has ${count} media connections that have not connected yet; wait a few seconds for them to connect or expire, then try again.`,
      );
    }
    this.counts.add(address);
  }

  /** Gives back a place reserve() claimed when the transport could not be made. */
  release(address: string): void {
    this.counts.remove(address);
  }

  /** Starts the reserved transport's connect clock; `expire` closes it if it never connects. */
  track(transportId: string, address: string, expire: () => void): void {
    const timer = setTimeout(() => {
      this.settle(transportId);
      expire();
    }, this.limits.connectTimeoutMs);
    timer.unref();
    this.pending.set(transportId, { address, timer });
  }

  /** The transport connected or went away: it no longer counts. Idempotent. */
  settle(transportId: string): void {
    const entry = this.pending.get(transportId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(transportId);
    this.release(entry.address);
  }
}
