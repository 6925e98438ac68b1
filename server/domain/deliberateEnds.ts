/**
 * Feeds that left the air on purpose: the speaker stopped, a technician took them backstage, the
 * encoder ended its session or the ingest point was revoked. The alert rules raise "feed lost"
 * only for the others (a dropped connection, a dead worker). Shared by every stage, and kept
 * after a stage closes, since the health snapshot that misses the feed comes up to a second later.
 */
const REMEMBERED = 1_000;

export class DeliberateEnds {
  private readonly producerIds = new Set<string>();

  note(producerId: string): void {
    this.producerIds.add(producerId);
    // The oldest go first: by then every snapshot has long seen the feed gone.
    for (const oldest of this.producerIds) {
      if (this.producerIds.size <= REMEMBERED) break;
      this.producerIds.delete(oldest);
    }
  }

  has(producerId: string): boolean {
    return this.producerIds.has(producerId);
  }
}
