import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sv } from '../helpers/catalogue.js';
import { translate } from '../../client/src/i18n/translate.js';
import type { RecordingInfo } from '../../shared/protocol.js';
import type { StageSlate } from '../../shared/slate.js';
import { LAPTOP, seriousAccessibilityViolations } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { liveRecording, probeSegmentVideo, segmentUrls } from '../helpers/liveRecording.js';
import { demoEventDataDir, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { PlainRtpSpeaker } from '../recording/plainRtpSpeaker.js';

const STAGE = 'foajen';
const STAGE_TITLE = 'Foajén';
/** The slate's picture is 1280×720; the test source's camera 640×360: frames and segments tell them apart. */
const SLATE_WIDTH = 1280;
const CAMERA_WIDTH = 640;
/** Mean brightness (0–255) of a black frame is about 16 at most; the default slate is well above. */
const BLACK_LUMA = 20;

interface Frame {
  width: number;
  luma: number;
}

/** The slate: what viewers and the recording get when the on-air feed is lost or stopped, or a technician puts it up. */
describe('the slate instead of black', () => {
  // Reduced motion: axe reads the buttons' colours as they settle, not halfway through a hover transition.
  const fixture = useBrowserFixture({
    env: () => ({ ...TECHNICIAN_ENV, DEMO: '0', DATA_DIR: demoEventDataDir() }),
    context: { viewport: LAPTOP, reducedMotion: 'reduce' },
  });
  let source: PlainRtpSpeaker | undefined;
  let viewer: Page;
  let control: Page;
  let recording: RecordingInfo;

  beforeAll(async () => {
    const { server } = fixture;
    await (await technicianClient(server)).createStage(DEMO_EVENT_ID, STAGE, STAGE_TITLE);
    source = await PlainRtpSpeaker.publish(server.url, server.dataDir, STAGE, 'camera');
    viewer = await (await fixture.newContext({ viewport: LAPTOP })).newPage();
    control = fixture.page;
  });

  afterAll(() => source?.stop());

  const shownSource = () => viewer.evaluate(() => (window as unknown as { estradPlayer: { shownSource(): string | null } }).estradPlayer.shownSource());

  /** A frame of the viewer's main video, drawn on a canvas: its width and mean brightness. */
  const frame = (): Promise<Frame> =>
    viewer.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('#player-video')!;
      const canvas = document.createElement('canvas');
      canvas.width = 160;
      canvas.height = 90;
      const context = canvas.getContext('2d')!;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      for (let index = 0; index < data.length; index += 4) sum += 0.2126 * data[index]! + 0.7152 * data[index + 1]! + 0.0722 * data[index + 2]!;
      return { width: video.videoWidth, luma: sum / (data.length / 4) };
    });

  async function waitForSlate(what: string): Promise<Frame> {
    let last: Frame | undefined;
    let lastSource: string | null = null;
    await waitFor(
      async () => {
        lastSource = await shownSource();
        last = await frame();
        return lastSource === 'slate' && last.width === SLATE_WIDTH && last.luma > BLACK_LUMA;
      },
      20_000,
      () => `${what}: the viewer shows ${String(lastSource)}, a frame ${JSON.stringify(last)}, not the slate`,
    );
    return last!;
  }

  async function newestSegmentWidth(): Promise<number> {
    const newest = (await segmentUrls(fixture.server, recording)).at(-1);
    return newest ? (await probeSegmentVideo(newest)).width : 0;
  }

  const slatePanel = () => control.locator(`section[data-slate-panel="${STAGE}"]`);

  it('shows the viewer the source, recorded', async () => {
    const { server } = fixture;
    await viewer.goto(`${server.url}/watch/${STAGE}`);
    // The source has no sound: its picture is what plays.
    let last: Frame | undefined;
    await waitFor(
      async () => (await shownSource()) === 'camera' && (last = await frame()).width === CAMERA_WIDTH,
      20_000,
      () => `the viewer does not show the source’s camera: a frame ${JSON.stringify(last)}`,
    );
    await waitFor(
      async () => (recording = (await liveRecording(server, STAGE))!) !== undefined,
      20_000,
      () => 'the stage is not recorded',
    );
  });

  it('puts the slate up from the control room: the viewer sees it, and the recording has slate segments', async () => {
    const { server } = fixture;
    await control.goto(`${server.url}/control`);
    await control.getByLabel(sv['control.username']).fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await control.getByLabel(sv['control.password']).fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await control.getByRole('button', { name: sv['control.signIn'] }).click();
    const panel = slatePanel();
    await panel.getByRole('img', { name: translate('sv', 'slate.preview', { stage: STAGE_TITLE }) }).waitFor({ timeout: 20_000 });
    await waitFor(
      () => panel.getByRole('img').evaluate((image: HTMLImageElement, width) => image.complete && image.naturalWidth === width, SLATE_WIDTH),
      10_000,
      () => 'the control room shows no preview of the slate',
    );
    await panel.getByText(sv['slate.notShown']).waitFor();
    expect(await seriousAccessibilityViolations(control)).toEqual([]);

    await panel.getByRole('button', { name: translate('sv', 'slate.putUp', { stage: STAGE_TITLE }) }).click();
    await waitForSlate('the slate was put up');
    await panel.getByText(sv['slate.shown.put-up']).waitFor({ timeout: 10_000 });
    await waitFor(
      async () => (await newestSegmentWidth()) === SLATE_WIDTH,
      20_000,
      () => 'the recording has no segment of the slate',
    );

    await panel.getByRole('button', { name: translate('sv', 'slate.takeDown', { stage: STAGE_TITLE }) }).click();
    await waitFor(
      async () => (await shownSource()) === 'camera',
      10_000,
      () => 'the viewer does not show the camera again after the slate was taken down',
    );
    expect(await seriousAccessibilityViolations(control)).toEqual([]);
  });

  it('shows the slate when the on-air feed is lost (the encoder stopped, its connection open)', async () => {
    source!.stopSending();
    const shown = await waitForSlate('the feed was lost');
    console.log(`feed lost: the viewer shows the slate, ${shown.width} px wide, mean brightness ${shown.luma.toFixed(0)}`);
    const slate = await (await technicianClient(fixture.server)).call<StageSlate>('GET', `/api/stages/${STAGE}/slate`);
    expect(slate).toMatchObject({ shown: true, reason: 'feed-lost' });
  });

  it('with the source stopped, the viewer sees the slate under “the broadcast has ended”', async () => {
    source!.stop();
    source = undefined;
    await waitFor(
      async () => (await viewer.evaluate(() => document.body.dataset.state)) === 'ended',
      20_000,
      () => 'the viewer does not say the broadcast ended',
    );
    await waitForSlate('the source stopped');
    await viewer.getByText(sv['watch.notice.ended']).waitFor();
  });
});
