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
