import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { languageNames } from '../../client/src/i18n/messages.js';
import { sv } from '../helpers/catalogue.js';
import { translate } from '../../client/src/i18n/translate.js';
import type { InviteResponse, RecordingInfo, StageSpeakersResponse } from '../../shared/protocol.js';
import { LAPTOP, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { playerStats } from '../helpers/player.js';
import { holdsFor, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

/** The talk-back and program return: the control room talks to backstage only; speakers see what is on air. */
describe('the control room talks to backstage, and speakers see what is on air', () => {
  // The control room is the fixture's page; speakers and the viewer have contexts of their own, without a technician session.
  const fixture = useBrowserFixture({ env: { ...TECHNICIAN_ENV, DEMO: '0' }, context: { viewport: LAPTOP } });
  let backstage: Page;
  let onAir: Page;
  let viewer: Page;
  let control: Page;
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  /** The backstage speaker's. */
  let invite: InviteResponse;
  // programmeDocument names the first stage so.
  const stageTitle = 'Stora salen';
  const talk = () =>
    control.locator('li[data-stage="aula"] section[data-talkback]').getByRole('button', { name: translate('sv', 'talkback.talk', { stage: stageTitle }) });
  const notice = (page: Page) => page.locator('#talkback-notice');
  const signIn = async (page: Page) => {
    await page.goto(`${fixture.server.url}/control`);
    await page.getByLabel(sv['control.username']).fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await page.getByLabel(sv['control.password']).fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await page.getByRole('button', { name: sv['control.signIn'] }).click();
  };

  beforeAll(async () => {
    technician = await technicianClient(fixture.server);
    await technician.call('POST', '/api/programme', programmeDocument('baksidan', 'public', ['aula', 'lilla']));
    backstage = await (await fixture.newContext()).newPage();
    onAir = await (await fixture.newContext()).newPage();
    viewer = await (await fixture.newContext()).newPage();
    control = fixture.page;
  });

  it('plays the technician’s microphone on the backstage speaker’s page, which says the control room is talking', async () => {
    invite = await technician.call<InviteResponse>('POST', '/api/stages/aula/invites', { label: 'Anna Berg' });
    await backstage.goto(`${fixture.server.url}${invite.speakUrl}`);
    await backstage.click('#go-live');
    await waitForPlacement(backstage, 'backstage');
    expect(await notice(backstage).getAttribute('data-talking')).toBe('false');

    await signIn(control);
    await talk().click();
    await control
      .locator('li[data-stage="aula"] section[data-talkback="talking"]')
      .getByText(translate('sv', 'talkback.talking', { stage: stageTitle }))
      .waitFor({ timeout: 20_000 });
    expect(await talk().getAttribute('aria-pressed')).toBe('true');

    await notice(backstage).getByText(sv['speak.talkback']).waitFor({ timeout: 20_000 });
    await expectAudioArriving(backstage);
  });

  it('sends the viewer nothing of it and records nothing, while the backstage speaker goes on hearing it', async () => {
    await viewer.goto(`${fixture.server.url}/watch/aula`);
    await waitFor(
      async () => (await viewer.evaluate(() => document.body.dataset.state)) === 'waiting',
      20_000,
      () => 'the viewer did not join the stage',
    );
    const heardBefore = await receivedAudioBytes(backstage);
    await holdsFor(
      async () => {
        const stats = await playerStats(viewer);
        // Its picture, if any, is the slate's (nothing is on air): the talk-back is sound, and none may arrive.
        return stats.audio === null && (await viewer.evaluate(() => document.body.dataset.state)) === 'waiting';
      },
      3_000,
      () => 'the viewer received the control room’s talk-back',
    );
    expect(await receivedAudioBytes(backstage)).toBeGreaterThan(heardBefore);
    const recordings = (await (await fetch(`${fixture.server.url}/api/recordings?stage=aula`)).json()) as { recordings: RecordingInfo[] };
    expect(recordings.recordings).toEqual([]);
  });

  it('lets another technician in the control room hear it too', async () => {
    const colleague = await (await fixture.newContext({ viewport: LAPTOP })).newPage();
    await signIn(colleague);
    const panel = colleague.locator('li[data-stage="aula"] section[data-talkback="off"]');
    await panel.getByText(translate('sv', 'talkback.colleagueTalking', { stage: stageTitle })).waitFor({ timeout: 20_000 });
    await waitFor(
      async () =>
        panel
          .locator('audio')
          .evaluate((audio: HTMLAudioElement) => audio.srcObject instanceof MediaStream && audio.srcObject.getAudioTracks().length === 1 && !audio.paused),
      10_000,
      () => 'the colleague’s control room does not play the talk-back',
    );
    // The one talking does not hear themselves.
    expect(await control.locator('li[data-stage="aula"] section[data-talkback] audio').count()).toBe(0);
    await colleague.close();
  });

  it('shows the backstage speaker what is on air (the lowest layer, muted); a speaker on air does not hear the control room', async () => {
    const { speakUrl } = await technician.createOnAirInvite('aula');
    await onAir.goto(`${fixture.server.url}${speakUrl}`);
    await onAir.click('#go-live');
    await waitForPlacement(onAir, 'on-air');

    const programReturn = backstage.locator('#program-return video');
    let firstHeight: number | undefined;
    let before = { frames: 0, height: 0, muted: false };
    // The fake camera sends 1280×720 in three layers; the lowest is a quarter of that. Under load a
    // lower layer may start late, and mediasoup sends the next one up meanwhile.
    await waitFor(
      async () => {
        before = await pictureOf(programReturn);
        if (before.frames > 0) firstHeight ??= before.height;
        return before.frames > 0 && before.height <= 200;
      },
      20_000,
      () => `the backstage speaker’s program return shows no picture at the lowest layer (${before.frames} frames, ${before.height} px high)`,
    );
    console.log(`program return: first picture ${firstHeight} px high, then ${before.height} px`);
    await waitFor(
      async () => (await pictureOf(programReturn)).frames > before.frames,
      10_000,
      () => 'the program return stopped decoding',
    );
    expect(before.muted).toBe(true);
    await holdsFor(
      async () => (await notice(onAir).getAttribute('data-talking')) === 'false' && (await onAir.locator('audio.talkback-audio').count()) === 0,
      2_000,
      () => 'the speaker on air hears the control room',
    );
  });

  it('follows the program: the speaker’s own camera once taken as main, the picture before once they are backstage again, without rejoining', async () => {
    const programTrack = () =>
      backstage.locator('#program-return video').evaluate((video: HTMLVideoElement) => (video.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id);
    const producersOf = async () =>
      (await technician.call<StageSpeakersResponse>('GET', '/api/stages/aula/speakers')).speakers.find((speaker) => speaker.inviteId === invite.id)!.producers;
    const shownBefore = await programTrack();
    const before = await producersOf();
    const camera = before.find((producer) => producer.kind === 'video')!;
    expect(shownBefore).toBeTruthy();
    await technician.placeSpeaker('aula', invite.id, 'on-air');
    await technician.call('PUT', '/api/stages/aula/program', { main: camera.producerId, inset: null });
    await waitFor(
      async () => (await programTrack()) !== shownBefore,
      10_000,
      () => 'the program return does not follow the program',
    );
    await technician.placeSpeaker('aula', invite.id, 'backstage');
    await waitForPlacement(backstage, 'backstage');
    await waitFor(
      async () => (await programTrack()) === shownBefore,
      10_000,
      () => 'the program return does not come back to the picture on air',
    );
    const frames = (await pictureOf(backstage.locator('#program-return video'))).frames;
    await waitFor(
      async () => (await pictureOf(backstage.locator('#program-return video'))).frames > frames,
      10_000,
      () => 'the program return does not decode again',
    );
    // The same connection all along: its producers are the ones it had.
    expect((await producersOf()).map((producer) => producer.producerId)).toEqual(before.map((producer) => producer.producerId));
    // Backstage again, the speaker hears the control room again.
    await notice(backstage).getByText(sv['speak.talkback']).waitFor({ timeout: 10_000 });
  });

  it('has no serious accessibility violations on the speak page with the talk-back and the program return, in Swedish and English', async () => {
    const found = await violationsInEveryLanguageAndSize(backstage, 'speak-talkback', async () => {
      await backstage.locator('#talkback-notice[data-talking="true"]').waitFor();
      await backstage.locator('#program-return[data-picture="on"]').waitFor();
    });
    expect(found).toEqual({});
  });

  it('has no serious accessibility violations in the control room while talking to backstage, in Swedish and English', async () => {
    const found = await violationsInEveryLanguageAndSize(control, 'control-talkback', () =>
      control.locator('li[data-stage="aula"] section[data-talkback="talking"]').waitFor(),
    );
    expect(found).toEqual({});
    await control.getByRole('button', { name: languageNames.sv }).click();
  });

  it('stops when the technician presses again: the speaker’s notice goes, the microphone is released', async () => {
    await talk().click();
    await waitFor(
      async () => (await notice(backstage).getAttribute('data-talking')) === 'false',
      10_000,
      () => 'the speaker page still says the control room is talking',
    );
    expect(await backstage.locator('audio.talkback-audio').count()).toBe(0);
    expect(await talk().getAttribute('aria-pressed')).toBe('false');
  });
});

async function waitForPlacement(page: Page, placement: 'backstage' | 'on-air'): Promise<void> {
  await waitFor(
    async () => (await page.evaluate(() => document.body.dataset.placement)) === placement,
    20_000,
    () => `the speaker did not arrive ${placement}`,
  );
}

/** Audio bytes the speaker page's receive transport took in so far (inbound RTP, from getStats). */
function receivedAudioBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const report = await (window as unknown as { estradSpeaker: { receiveStats(): Promise<RTCStatsReport | undefined> } }).estradSpeaker.receiveStats();
    let bytes = 0;
    report?.forEach((stat: { type: string; kind?: string; bytesReceived?: number }) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'audio') bytes += stat.bytesReceived ?? 0;
    });
    return bytes;
  });
}

async function expectAudioArriving(page: Page): Promise<void> {
  let first = 0;
  await waitFor(
    async () => (first = await receivedAudioBytes(page)) > 0,
    10_000,
    () => 'no talk-back audio arrives on the speaker page (no inbound audio bytes)',
  );
  await waitFor(
    async () => (await receivedAudioBytes(page)) > first,
    10_000,
    () => `the talk-back audio stopped arriving (inbound audio bytes stay at ${first})`,
  );
}

function pictureOf(video: ReturnType<Page['locator']>): Promise<{ frames: number; height: number; muted: boolean }> {
  return video.evaluate((element: HTMLVideoElement) => ({
    frames: element.getVideoPlaybackQuality().totalVideoFrames,
    height: element.videoHeight,
    muted: element.muted,
  }));
}
