/**
 * Milestones of a page's way to its first live picture, as marks in the browser's performance
 * timeline (`estrad:<milestone>`, times from navigation). Only the first of each is kept, so a
 * later reconnect does not move them; the browser tests print them.
 */
export type Milestone = 'script' | 'socket' | 'joined' | 'device' | 'consumer' | 'connected' | 'first-frame';

const waiting = new Map<Milestone, (() => void)[]>();

export function markMilestone(milestone: Milestone): void {
  if (hasReached(milestone)) return;
  performance.mark(markName(milestone));
  for (const resolve of waiting.get(milestone) ?? []) resolve();
  waiting.delete(milestone);
}

/** Resolves once the page has reached the milestone (at once when it has): for work that should not compete with it. */
export function milestoneReached(milestone: Milestone): Promise<void> {
  if (hasReached(milestone)) return Promise.resolve();
  return new Promise((resolve) => waiting.set(milestone, [...(waiting.get(milestone) ?? []), resolve]));
}

function hasReached(milestone: Milestone): boolean {
  return performance.getEntriesByName(markName(milestone), 'mark').length > 0;
}

function markName(milestone: Milestone): string {
  return `estrad:${milestone}`;
}
