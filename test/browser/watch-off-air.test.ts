import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlainRtpSpeaker } from '../recording/plainRtpSpeaker.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { liveRecording } from '../helpers/liveRecording.js';
import { demoEventDataDir, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

const STAGE = 'workshop';

describe('the watch page when the broadcast stops', () => {
  const fixture = useBrowserFixture({ env: () => ({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() }) });
  let speaker: PlainRtpSpeaker | undefined;

  beforeAll(async () => {
    await (await technicianClient(fixture.server)).createStage(DEMO_EVENT_ID, STAGE, 'Workshoprummet');
  });

  afterAll(() => speaker?.stop());

  let lastState: string | undefined;
  const state = async () => (lastState = await fixture.page.evaluate(() => document.body.dataset.state));

  it('waits for a broadcast that has not started, then plays it when it does', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/watch/${STAGE}`);
    await waitFor(
      async () => (await state()) === 'waiting',
      20_000,
      () => `not waiting for the broadcast: ${String(lastState)}`,
    );
    await page.getByText('Sändningen har inte börjat än.', { exact: false }).waitFor();
    speaker = await PlainRtpSpeaker.publish(server.url, server.dataDir, STAGE, 'camera');
    await waitFor(
      async () => (await state()) === 'playing',
      20_000,
      () => `the broadcast did not play: ${String(lastState)}`,
    );
    await waitFor(
      async () => (await liveRecording(server, STAGE)) !== undefined,
      20_000,
      () => 'the broadcast is not recorded',
    );
  });

  it('shows the off-air state with a link to the recording once the source stops', async () => {
    const { page, server } = fixture;
    const recording = (await liveRecording(server, STAGE))!;
    speaker!.stop();
    speaker = undefined;
    await waitFor(
      async () => (await state()) === 'ended',
      20_000,
      () => `no off-air state after the source stopped: ${String(lastState)}`,
    );
    expect(await page.locator('#connection-state').innerText()).toBe('Sändningen är slut.');
    await page.getByText('Sändningen är slut. Tack för att du tittade!').waitFor();
    const replay = page.getByRole('link', { name: 'Se inspelningen' });
    await replay.waitFor();
    expect(await replay.getAttribute('href')).toBe(`/archive/${recording.id}`);
    await waitFor(
      async () => (await page.locator('#live-badge').textContent()) === 'Inte i sändning',
      20_000,
      () => 'the badge still says live',
    );
  });
});
