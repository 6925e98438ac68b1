import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { languageNames } from '../../client/src/i18n/messages.js';
import { sv } from '../helpers/catalogue.js';
import { translate } from '../../client/src/i18n/translate.js';
import type { AlertsResponse } from '../../shared/health.js';
import type { InviteResponse, RecordingInfo } from '../../shared/protocol.js';
import { LAPTOP, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { holdsFor, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

/** The browser test: a speaker waits backstage unseen, a technician previews and takes them to air. */
describe('a speaker who opens an invite waits backstage until the technician takes them to air', () => {
  // The control room is the fixture's page; the viewer and the speaker have contexts of their own, without a technician session.
  const fixture = useBrowserFixture({ env: { ...TECHNICIAN_ENV, DEMO: '0' }, context: { viewport: LAPTOP } });
  let speaker: Page;
  let viewer: Page;
  let control: Page;
  let invite: InviteResponse;
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  const speakerName = 'Anna Berg';
  const takeToAir = translate('sv', 'backstage.takeToAir', { speaker: speakerName });
  const sendBackstage = translate('sv', 'backstage.sendBackstage', { speaker: speakerName });

  beforeAll(async () => {
    technician = await technicianClient(fixture.server);
    await technician.call('POST', '/api/programme', programmeDocument('gronarummet', 'public', ['aula', 'lilla']));
    invite = await technician.call<InviteResponse>('POST', '/api/stages/aula/invites', { label: speakerName });
    speaker = await (await fixture.newContext()).newPage();
    viewer = await (await fixture.newContext()).newPage();
    control = fixture.page;
  });

  const speakerCard = () => control.locator(`li[data-stage="aula"] li[data-invite="${invite.id}"]`);
  const preview = () => speakerCard().locator('video');
  const recordingsOfAula = async () =>
    ((await (await fetch(`${fixture.server.url}/api/recordings?stage=aula`)).json()) as { recordings: RecordingInfo[] }).recordings;

  it('puts the speaker backstage, and their page says so', async () => {
    await speaker.goto(`${fixture.server.url}${invite.speakUrl}`);
    await speaker.click('#go-live');
    await waitFor(
      async () => (await speaker.evaluate(() => document.body.dataset.placement)) === 'backstage',
      20_000,
      () => 'the speaker did not arrive backstage',
    );
    expect(await speaker.evaluate(() => document.body.dataset.state)).toBe('live');
    expect(await speaker.locator('#speaker-state').innerText()).toContain(sv['speak.state.backstage']);
    expect(await speaker.locator('#speaker-placement').textContent()).toBe(sv['backstage.placementBackstage']);
  });

  it('shows the technician a live preview at the lowest simulcast layer and the speaker’s sound level', async () => {
    await control.goto(`${fixture.server.url}/control`);
    await control.getByLabel(sv['control.username']).fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await control.getByLabel(sv['control.password']).fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await control.getByRole('button', { name: sv['control.signIn'] }).click();
    await speakerCard().waitFor({ timeout: 20_000 });
    expect(await speakerCard().getAttribute('data-placement')).toBe('backstage');
    let size = { width: 0, height: 0 };
    await waitFor(
      async () => {
        size = await preview().evaluate((video: HTMLVideoElement) => ({ width: video.videoWidth, height: video.videoHeight }));
        return size.width > 0;
      },
      20_000,
      () => 'no backstage preview',
    );
    // The fake camera sends 1280×720 in three layers; the lowest is a quarter of that.
    expect(size.height).toBeLessThanOrEqual(200);
    const level = speakerCard().getByLabel(translate('sv', 'backstage.level', { speaker: speakerName }));
    await waitFor(
      async () => (await level.evaluate((meter: HTMLMeterElement) => meter.value)) > 0,
      10_000,
      () => 'the backstage level meter does not move',
    );
  });

  it('sends the viewer nothing of the speaker backstage, and records nothing', async () => {
    await viewer.goto(`${fixture.server.url}/watch/aula`);
    await waitFor(
      async () => (await viewer.evaluate(() => document.body.dataset.state)) === 'waiting',
      20_000,
      () => 'the viewer did not join the stage',
    );
    // Meanwhile the speaker's media flows: the technician's preview keeps decoding frames.
    const framesBefore = await decodedFrames(preview());
    // The stage's slate is all the viewer gets: its picture, no sound.
    await holdsFor(
      async () => {
        const stats = await playerStats(viewer);
        const shown = await viewer.evaluate(() => (window as unknown as { estradPlayer: { shownSource(): string | null } }).estradPlayer.shownSource());
        return (shown === null || shown === 'slate') && stats.audio === null && (await viewer.evaluate(() => document.body.dataset.state)) === 'waiting';
      },
      3_000,
      () => 'the viewer received media of a speaker backstage',
    );
    expect(await decodedFrames(preview())).toBeGreaterThan(framesBefore);
    expect(await recordingsOfAula()).toEqual([]);
  });

  it('has no serious accessibility violations in the control room with a speaker backstage, in Swedish and English', async () => {
    const found = await violationsInEveryLanguageAndSize(control, 'control-backstage', () => speakerCard().waitFor());
    expect(found).toEqual({});
    await control.getByRole('button', { name: languageNames.sv }).click();
  });

  it('takes the speaker to air from the keyboard: the viewer sees them within 2 s, the recording starts', async () => {
    const take = speakerCard().getByRole('button', { name: takeToAir });
    await take.focus();
    // Until the Take the viewer shows the slate: what counts is the first frame presented while the speaker's camera is shown.
    const cameraFrameAt = viewer.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const video = document.querySelector<HTMLVideoElement>('#player-video')!;
          const player = (window as unknown as { estradPlayer: { shownSource(): string | null } }).estradPlayer;
          const onFrame = () => {
            if (player.shownSource() === 'camera') resolve(performance.timeOrigin + performance.now());
            else video.requestVideoFrameCallback(onFrame);
          };
          video.requestVideoFrameCallback(onFrame);
        }),
    );
    const tookAt = Date.now();
    await control.keyboard.press('Enter');
    await waitUntilPlaying(viewer, 20_000);
    const firstFrameAt = await Promise.race([
      cameraFrameAt,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the viewer presented no frame of the speaker’s camera within 20 s')), 20_000)),
    ]);
    const shownAfterMs = Math.round(firstFrameAt - tookAt);
    console.log(`backstage → on air: the viewer decoded the speaker's first frame ${shownAfterMs} ms after Take`);
    expect(shownAfterMs).toBeLessThan(2_000);

    await waitFor(
      async () => (await speaker.evaluate(() => document.body.dataset.placement)) === 'on-air',
      5_000,
      () => 'the speaker page does not say they are on air',
    );
    expect(await speaker.locator('#speaker-state').innerText()).toContain(sv['speak.state.live']);
    await speakerCard().getByRole('button', { name: sendBackstage }).waitFor();
    await control
      .getByRole('status')
      .getByText(translate('sv', 'control.done', { what: takeToAir }))
      .waitFor();
    await waitFor(
      async () => (await recordingsOfAula()).some((recording) => recording.status === 'recording'),
      15_000,
      () => 'the stage was not recorded once on air',
    );
  });

  it('sends the speaker backstage again: the viewer’s stream ends, the speaker is told, no feed is called lost', async () => {
    await speakerCard().getByRole('button', { name: sendBackstage }).click();
    await waitFor(
      async () => (await viewer.evaluate(() => document.body.dataset.state)) === 'ended',
      5_000,
      () => 'the viewer still plays the speaker sent backstage',
    );
    await waitFor(
      async () => (await speaker.evaluate(() => document.body.dataset.placement)) === 'backstage',
      5_000,
      () => 'the speaker page does not say they are backstage again',
    );
    expect(await speaker.locator('#speaker-state').innerText()).toContain(sv['speak.state.backstage']);
    // The technician meant it: nothing on air is no loss.
    let raised: unknown[] = [];
    await holdsFor(
      async () => (raised = (await technician.call<AlertsResponse>('GET', '/api/alerts')).alerts.filter((alert) => alert.kind === 'feed_lost')).length === 0,
      3_000,
      () => `sending the speaker backstage raised: ${JSON.stringify(raised)}`,
    );
  });
});

function decodedFrames(video: Locator): Promise<number> {
  return video.evaluate((element: HTMLVideoElement) => element.getVideoPlaybackQuality().totalVideoFrames);
}
