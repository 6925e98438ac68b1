/**
 * Pushes that wait a moment for more changes: a burst of votes on one stage becomes one push of
 * its board, computed when it is sent, so every client gets the latest state and no more pushes
 * than a few a second.
 */
export class CoalescedPushes {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly delayMs: number) {}

  /** Runs `push` once, `delayMs` from the first call for this key since the last push. */
  schedule(key: string, push: () => void): void {
    if (this.closed || this.pending.has(key)) return;
    const timer = setTimeout(() => {
      this.pending.delete(key);
      push();
    }, this.delayMs);
    this.pending.set(key, timer);
  }

  /** Stops pushing: what has not been pushed yet is dropped, as the server is going away with its sockets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
