import { AddressCounts } from '../domain/addressCounts.js';
import { AppError } from '../errors.js';

/**
 * Stage memberships per client address, across sockets and stages. The limit is generous (a venue
 * or an office shares one public address), but bounds what one machine can hold with anonymous
 * sockets.
 */
export class PeersPerAddress {
  private readonly counts = new AddressCounts();

  constructor(private readonly limit: number) {}

  acquire(address: string): void {
    const count = this.counts.of(address);
    if (count >= this.limit) {
      throw new AppError(
        'unavailable',
        `${count} connections from your network address are already on stages; close other tabs or wait a minute and try again.`,
      );
    }
    this.counts.add(address);
  }

  release(address: string): void {
    this.counts.remove(address);
  }
}
