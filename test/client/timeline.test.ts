import { describe, expect, it } from 'vitest';
import { markMilestone, milestoneReached } from '../../client/src/live/timeline';

/** Whether the promise has settled by the time the microtasks queued so far have run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('the page’s milestones on its way to the first picture', () => {
  it('keeps waiting work back until the milestone is marked, and lets it run at once afterwards', async () => {
    performance.clearMarks();
    const waiting = milestoneReached('first-frame');
    expect(await settled(waiting)).toBe(false);
    markMilestone('first-frame');
    expect(await settled(waiting)).toBe(true);
    expect(await settled(milestoneReached('first-frame'))).toBe(true);
  });

  it('keeps only the first mark of a milestone, so a reconnect does not move it', () => {
    performance.clearMarks();
    markMilestone('joined');
    const first = performance.getEntriesByName('estrad:joined', 'mark')[0]!.startTime;
    markMilestone('joined');
    expect(performance.getEntriesByName('estrad:joined', 'mark').map((mark) => mark.startTime)).toEqual([first]);
  });
});
