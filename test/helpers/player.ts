import type { Page } from 'playwright-core';
import { waitFor } from './server.js';

export interface PlayerStats {
  video: { framesDecoded: number; frameWidth: number; frameHeight: number; packetsReceived: number; packetsLost: number } | null;
  audio: { packetsReceived: number; packetsLost: number } | null;
}

/** Reads the watch page's WebRTC statistics (getStats() of its receive transport). */
export function playerStats(page: Page): Promise<PlayerStats> {
  return page.evaluate(() => (window as unknown as { estradPlayer: { stats(): Promise<PlayerStats> } }).estradPlayer.stats());
}

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
