import { describe, expect, it } from 'vitest';
import { sv } from '../helpers/catalogue.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { stageOnAir } from '../helpers/liveRecording.js';
import { demoEventDataDir, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

describe('a speaker whose invite is revoked mid-talk', () => {
  const fixture = useBrowserFixture({ env: () => ({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() }) });

  it('is taken off air at once, and their page says why', async () => {
    const { page, server } = fixture;
    const technician = await technicianClient(server);
    await technician.createStage(DEMO_EVENT_ID, 'podium', 'Talarstolen');
    const invite = await technician.createOnAirInvite('podium');
    await page.goto(`${server.url}${invite.speakUrl}`);
    await page.click('#go-live');
    await waitFor(
      async () => (await page.evaluate(() => document.body.dataset.state)) === 'live',
      20_000,
      () => 'the speaker did not go live',
    );
    const podiumLive = () => stageOnAir(server, 'podium');
    expect(await podiumLive()).toBe(true);

    await technician.call('DELETE', `/api/invites/${invite.id}`);
    await waitFor(
      async () => !(await podiumLive()),
      5_000,
      () => 'the stage stayed live after the invite was revoked',
    );
    await waitFor(
      async () => (await page.textContent('#speaker-problem'))?.includes(sv['speak.problem.inviteRevoked']) ?? false,
      5_000,
      () => 'the page did not say why the speaker went off air',
    );
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
  });
});
