/**
 * A token bucket per socket: a burst of requests is fine (joining a stage takes about ten), a
 * sustained flood is refused, and a client that keeps flooding after refusals is cut off, so one
 * misbehaving client cannot slow the signalling of everyone else.
 */
export class EventRateLimiter {
  private tokens: number;
  private lastRefill: number | undefined;
  private refusals = 0;

  constructor(
    private readonly burst = 100,
    private readonly perSecond = 50,
    private readonly refusalsBeforeDisconnect = 200,
  ) {
    this.tokens = burst;
  }

  allow(now = Date.now()): boolean {
    const elapsedMs = this.lastRefill === undefined ? 0 : Math.max(0, now - this.lastRefill);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs / 1000) * this.perSecond);
    this.lastRefill = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusals = 0;
      return true;
    }
    this.refusals++;
    return false;
  }

  shouldDisconnect(): boolean {
    return this.refusals >= this.refusalsBeforeDisconnect;
  }
}
