/** How many of something (stage memberships, unconnected transports) each client address holds. */
export class AddressCounts {
  private readonly counts = new Map<string, number>();

  of(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  add(address: string): void {
    this.counts.set(address, this.of(address) + 1);
  }

  remove(address: string): void {
    const count = this.of(address) - 1;
    if (count > 0) this.counts.set(address, count);
    else this.counts.delete(address);
  }
}
