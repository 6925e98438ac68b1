import { AppError } from '../errors.js';

/**
 * Stage memberships per client address, across sockets and stages. The limit is generous (a venue
 * or an office shares one public address), but bounds what one machine can hold with anonymous
 * sockets.
 */
export class PeersPerAddress {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  acquire(address: string): void {
    const count = this.counts.get(address) ?? 0;
    if (count >= this.limit) {
      throw new AppError(
        'unavailable',
        `${count} connections from your network address are already on stages; close other tabs or wait a minute and try again.`,
      );
    }
    this.counts.set(address, count + 1);
  }

  release(address: string): void {
    const count = (this.counts.get(address) ?? 0) - 1;
    if (count > 0) this.counts.set(address, count);
    else this.counts.delete(address);
  }
}
