/**
 * Milestones of a page's way to its first live picture, as marks in the browser's performance
 * timeline (`estrad:<milestone>`, times from navigation). Only the first of each is kept, so a
 * later reconnect does not move them; the browser tests print them.
 */
export type Milestone = 'script' | 'socket' | 'joined' | 'consumer' | 'connected' | 'first-frame';

export function markMilestone(milestone: Milestone): void {
  const name = `estrad:${milestone}`;
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
