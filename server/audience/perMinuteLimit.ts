/** At most so many actions a minute per key (an attendee on a stage), remembered in memory. */
const MINUTE_MS = 60_000;
/** Keys remembered before those quiet for a minute are forgotten. */
const MAX_TRACKED_KEYS = 10_000;

export class PerMinuteLimit {
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly perMinute: number) {}

  /** Counts an action at `now` and answers 0; when the key has had its share this minute, counts nothing and answers how many it had. */
  take(key: string, now: number): number {
    const recent = (this.recent.get(key) ?? []).filter((time) => now - time < MINUTE_MS);
    if (recent.length >= this.perMinute) return recent.length;
    recent.push(now);
    this.recent.set(key, recent);
    if (this.recent.size > MAX_TRACKED_KEYS) this.forgetQuiet(now);
    return 0;
  }

  private forgetQuiet(now: number): void {
    for (const [key, times] of this.recent) if (times.every((time) => now - time >= MINUTE_MS)) this.recent.delete(key);
  }
}
