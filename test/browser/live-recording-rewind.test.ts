import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../shared/protocol.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { type RunningServer, waitFor } from '../helpers/server.js';

/** Long enough that a seek to 5 s is far behind the live edge (hls.js would jump at 5.5 s). */
const RECORDED_SECONDS = 25;
const SEEK_TO = 5;
/** How far playback must get from the seek point before the position is judged. */
const PLAYED_SECONDS = 6;

interface Position {
  currentTime: number;
  /** Where the live edge is: the end of what the browser can play. */
  edge: number;
}

function position(page: Page): Promise<Position> {
  return page.evaluate(() => {
    const video = document.querySelector('video')!;
    const { seekable } = video;
    return { currentTime: video.currentTime, edge: seekable.length ? seekable.end(seekable.length - 1) : 0 };
  });
}

async function liveDemoRecording(server: RunningServer): Promise<RecordingInfo | undefined> {
  const response = await fetch(`${server.url}/api/recordings?stage=demo`);
  const { recordings } = (await response.json()) as { recordings: RecordingInfo[] };
  return recordings.find((recording) => recording.status === 'recording' && recording.durationSeconds >= RECORDED_SECONDS);
}

describe('a viewer rewinding a live recording stays where they seeked', () => {
  const fixture = useBrowserFixture({ env: { DEMO: '1' } });

  it('plays on from a point far behind live instead of snapping back to the live edge', async () => {
    const { page, server } = fixture;
    await waitFor(
      async () => (await liveDemoRecording(server)) !== undefined,
      60_000,
      () => `no live recording of ${RECORDED_SECONDS} s`,
    );
    const recording = (await liveDemoRecording(server))!;
    await page.goto(`${server.url}/replay/${recording.id}`);
    await waitFor(
      async () => (await position(page)).currentTime > RECORDED_SECONDS - 10,
      20_000,
      () => 'live playback did not start',
    );

    await page.evaluate((to) => {
      document.querySelector('video')!.currentTime = to;
    }, SEEK_TO);
    await waitFor(
      async () => (await position(page)).currentTime >= SEEK_TO + PLAYED_SECONDS,
      20_000,
      () => `playback did not progress ${PLAYED_SECONDS} s from the seek point`,
    );
    const after = await position(page);
    // Played on from the seek point (a snap lands near the edge, 20+ s further on).
    expect(after.currentTime).toBeLessThan(SEEK_TO + PLAYED_SECONDS + 3);
    expect(after.edge - after.currentTime).toBeGreaterThan(10);
    expect(await page.isVisible('#replay-to-live')).toBe(true);
  });

  it('goes back to the live edge, and follows it again, when asked', async () => {
    const { page } = fixture;
    await page.click('#replay-to-live');
    let last: Position | undefined;
    await waitFor(
      async () => {
        last = await position(page);
        return last.edge - last.currentTime < 5;
      },
      15_000,
      () => `still behind after "Back to live": ${JSON.stringify(last)}`,
    );
    await waitFor(
      async () => !(await page.isVisible('#replay-to-live')),
      5_000,
      () => '"Back to live" still shown at the live edge',
    );
  });
});
