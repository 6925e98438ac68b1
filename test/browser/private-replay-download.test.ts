import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RegistrationResponse } from '../../shared/protocol.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { prepareRecordedReplays, type RecordedReplay } from '../helpers/recordedReplay.js';
import { waitFor } from '../helpers/server.js';

describe('an attendee of a private event downloads a replay from its page', () => {
  let replay: RecordedReplay;
  const fixture = useBrowserFixture({
    env: () => {
      const folders = prepareRecordedReplays([{ eventId: 'closed-day', stageId: 'closed', visibility: 'private' }]);
      replay = folders.replays[0]!;
      return { DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir };
    },
    context: { acceptDownloads: true },
  });

  it('gets the MP4 by clicking "Download as MP4", not a download.json of a refusal', async () => {
    const { page, server } = fixture;
    const registration = await fetch(`${server.url}/api/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: 'closed-day', name: 'Åsa Öberg', email: 'asa@kommun.se' }),
    });
    const { watchUrl } = (await registration.json()) as RegistrationResponse;
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
  });
});
