import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationResponse } from '../../shared/protocol.js';
import { launchChromium } from '../../scripts/bench/chromium.js';
import { prepareRecordedReplays, type RecordedReplay } from '../helpers/recordedReplay.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';

describe('an attendee of a private event downloads a replay from its page', () => {
  let server: RunningServer;
  let browser: Browser;
  let replay: RecordedReplay;

  beforeAll(async () => {
    const folders = prepareRecordedReplays([{ eventId: 'closed-day', stageId: 'closed', visibility: 'private' }]);
    replay = folders.replays[0]!;
    server = await startServer({ DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  it('gets the MP4 by clicking "Download as MP4", not a download.json of a refusal', async () => {
    const registration = await fetch(`${server.url}/api/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: 'closed-day', name: 'Åsa Öberg', email: 'asa@kommun.se' }),
    });
    const { watchUrl } = (await registration.json()) as RegistrationResponse;
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${server.url}${watchUrl}`);
    await page.goto(`${server.url}/replay/${replay.replayId}`);
    await waitFor(
      () => page.isVisible('#replay-download'),
      10_000,
      () => 'the replay page showed no download link',
    );
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('#replay-download')]);
    expect(download.suggestedFilename()).toMatch(/\.mp4$/);
    const file = readFileSync(await download.path());
    expect(file.subarray(4, 8).toString('latin1')).toBe('ftyp');
    await context.close();
  });
});
