import type { Page } from 'playwright-core';
import { playerStats } from '../../scripts/bench/browserViewer.js';
import type { PlayerStats } from '../../shared/playerStats.js';
import { waitFor } from './server.js';

/** Shared with the viewer benchmark, which reads the same page. */
export { playerStats };

/** Waits until video frames are being decoded now (the count grows) and audio packets arrive. */
export async function waitUntilPlaying(page: Page, timeoutMs: number): Promise<PlayerStats> {
  let previous: PlayerStats | undefined;
  let latest: PlayerStats | undefined;
  await waitFor(
    async () => {
      latest = await playerStats(page);
      const growing =
        previous?.video != null &&
        latest.video != null &&
        latest.video.framesDecoded > previous.video.framesDecoded &&
        latest.video.frameWidth > 0 &&
        (latest.audio?.packetsReceived ?? 0) > (previous.audio?.packetsReceived ?? 0);
      previous = latest;
      return growing;
    },
    timeoutMs,
    () => `the player did not play within ${timeoutMs} ms; last stats: ${JSON.stringify(latest)}`,
  );
  return latest!;
}

/**
 * The page's way to its first live picture (the `estrad:*` marks of client/src/live/timeline.ts,
 * after the navigation's own response end), as one line: where the time goes.
 */
export async function firstFrameTimeline(page: Page): Promise<{ firstFrameMs: number | undefined; line: string }> {
  const { marks, responseEnd } = await page.evaluate(() => ({
    marks: performance
      .getEntriesByType('mark')
      .filter((mark) => mark.name.startsWith('estrad:'))
      .map((mark) => ({ name: mark.name.slice('estrad:'.length), at: mark.startTime })),
    responseEnd: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.responseEnd,
  }));
  const steps = [...(responseEnd === undefined ? [] : [{ name: 'html', at: responseEnd }]), ...marks].sort((a, b) => a.at - b.at);
  const firstFrameMs = marks.find((mark) => mark.name === 'first-frame')?.at;
  return { firstFrameMs, line: steps.map((step) => `${step.name} ${step.at.toFixed(0)}`).join(' → ') };
}
