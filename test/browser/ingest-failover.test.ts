import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { parse as parsePlaylist, types } from 'hls-parser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertsResponse, FeedSwitchReason, WebhookBody } from '../../shared/health.js';
import type { IngestEncoderSettingsResponse, IngestPointInfo, RecordingInfo } from '../../shared/protocol.js';
import type { PlayerStats } from '../../shared/playerStats.js';
import { programmeDocument } from '../integration/api-fixtures.js';
import { liveRecording, probeSegmentMediaSeconds, probeSegmentVideo } from '../helpers/liveRecording.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { ObsWhipClient } from '../helpers/obsWhipClient.js';
import { playerStats, waitUntilPlaying } from '../helpers/player.js';
import { freePort, holdsFor, waitFor } from '../helpers/server.js';
import { ingestLogs } from '../helpers/ingestLogs.js';
import { encoderValues } from '../helpers/encoderSettings.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { ReconnectingEncoder } from '../helpers/testEncoder.js';
import { startWebhookReceiver } from '../helpers/webhookReceiver.js';

const STAGE = 'failover-hall';
/** The main feed (OBS over WHIP) is 640 wide, the backup (an SRT encoder) 480: the viewer and the recording tell them apart. */
const MAIN_WIDTH = 640;
const BACKUP_WIDTH = 480;
/**
 * The promise: never a gap longer than 2 s, the second of silence the switch waits for
 * included. The viewer hears the backup within 2 s of the kill, and the recording's media of the
 * main and of the backup are less than 2 s apart.
 */
const MAX_GAP_MS = 2_000;
/**
 * A feed passed through as its encoder sends it has a picture only from its next keyframe: the
 * viewer sees the backup at most one keyframe interval (the encoders' 1 s) after hearing it.
 */
const BACKUP_KEYFRAME_INTERVAL_MS = 1_000;
/**
 * The recorder is held this long behind its input before the kill, as ffmpeg ran behind on a
 * loaded machine: the main's last media must still be in the recording when the switch ends its run.
 */
const RECORDER_LAG_MS = 1_500;

interface FeedState {
  onAir: 'main' | 'backup';
  choice: string;
  switches: { main: number; backup: number };
  lastSwitch: { at: string; from: string; to: string; reason: string } | null;
}

/** What the viewer's page shows, sampled every 100 ms: when frames of each width were last decoded. */
class ViewerTimeline {
  private readonly samples: { at: number; stats: PlayerStats }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly page: Page) {}

  start(): void {
    const tick = async () => {
      const stats = await playerStats(this.page).catch(() => undefined);
      if (stats) this.samples.push({ at: Date.now(), stats });
      this.timer = setTimeout(() => void tick(), 100);
    };
    void tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** The first time after `since` that frames of this width were being decoded. */
  firstDecoded(width: number, since: number): number | undefined {
    for (let index = 1; index < this.samples.length; index++) {
      const [before, now] = [this.samples[index - 1]!, this.samples[index]!];
      if (now.at < since || now.stats.video?.frameWidth !== width) continue;
      if ((now.stats.video.framesDecoded ?? 0) > (before.stats.video?.framesDecoded ?? 0)) return now.at;
    }
    return undefined;
  }

  /**
   * The first time after `since` that audio packets were arriving (the count grew; it drops when
   * a consumer of the sound goes).
   */
  firstHeard(since: number): number | undefined {
    for (let index = 1; index < this.samples.length; index++) {
      const [before, now] = [this.samples[index - 1]!, this.samples[index]!];
      if (now.at < since) continue;
      if ((now.stats.audio?.packetsReceived ?? 0) > (before.stats.audio?.packetsReceived ?? 0)) return now.at;
    }
    return undefined;
  }
}

/** Main and backup ingest feeds of one stage: the backup takes over when the main stops, and hands back. */
describe('a backup feed takes over from a failed main feed', () => {
  const fixture = useBrowserFixture({ env: async () => ({ ...TECHNICIAN_ENV, INGEST_SRT_PORTS: String(await freePort()) }) });
  let tech: Awaited<ReturnType<typeof technicianClient>>;
  const clients: ObsWhipClient[] = [];
  const encoders: ReconnectingEncoder[] = [];
  let webhookReceiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    tech = await technicianClient(fixture.server);
    await tech.call('POST', '/api/programme', programmeDocument('failover-day', 'public', [STAGE, 'failover-annex']));
    webhookReceiver = await startWebhookReceiver();
    await tech.call('POST', '/api/webhooks', { url: webhookReceiver.url, secret: 'the-production-teams-pager-secret' });
  });

  afterAll(async () => {
    for (const client of clients) client.stop();
    for (const encoder of encoders) encoder.stop();
    cleanupDataChannels();
    await webhookReceiver.close();
  });

  const feedState = () => tech.call<FeedState>('GET', `/api/stages/${STAGE}/feed`);

  /** The stage's feed switch alerts in GET /api/alerts (open: not acknowledged yet), oldest first. */
  const feedSwitchAlerts = async (state: 'open' | 'all') =>
    (await tech.call<AlertsResponse>('GET', `/api/alerts?state=${state}`)).alerts
      .filter((alert) => alert.kind === 'feed_switched' && alert.stageId === STAGE)
      .reverse();

  /** What an unacknowledged alert of one switch holds. */
  const switchAlert = (from: 'main' | 'backup', to: 'main' | 'backup', reason: FeedSwitchReason): unknown =>
    expect.objectContaining({ severity: 'warning', acknowledgedAt: null, details: { stage: STAGE, from, to, reason } });

  /** The feed switch alerts the webhook received for an event, in the order they came. */
  const webhookSwitchAlerts = (event: WebhookBody['event']): Alert[] =>
    webhookReceiver.received
      .map((request) => JSON.parse(request.body) as WebhookBody)
      .filter((body) => body.event === event && body.alert?.kind === 'feed_switched')
      .map((body) => body.alert!);

  /** OBS with the server and bearer token Estrad gives OBS. */
  async function startObs(point: IngestPointInfo): Promise<ObsWhipClient> {
    const { server, bearerToken } = await pastedSettings(point, 'obs');
    const obs = new ObsWhipClient();
    clients.push(obs);
    const answer = await obs.publish(server!, bearerToken!);
    expect(answer.status, answer.body).toBe(201);
    await obs.startMedia();
    return obs;
  }

  /** What a technician pastes into an encoder for the point. */
  const pastedSettings = async (point: IngestPointInfo, encoder: 'obs' | 'vmix') =>
    encoderValues(await tech.call<IngestEncoderSettingsResponse>('GET', `/api/ingest-points/${point.id}/encoder-settings`), encoder);

  /** A vMix-like SRT caller with the SRT URL Estrad gives vMix, calling again whenever its connection ends, as encoders do. */
  async function startSrtEncoder(point: IngestPointInfo): Promise<void> {
    const { srtUrl } = await pastedSettings(point, 'vmix');
    encoders.push(new ReconnectingEncoder(srtUrl!, 'mpegts', { width: BACKUP_WIDTH, height: 272, zeroLatency: true, toneHz: 660 }));
  }

  /** The process id of the recorder's ffmpeg for the recording's first run, from the server's log. */
  function firstRecorderPid(logs: string): number {
    const started = logs.split('\n').find((line) => line.includes('"msg":"recorder run started"'));
    const pid = started && (JSON.parse(started) as { pid?: number }).pid;
    if (!pid) throw new Error(`the server's log names no recorder run:\n${logs.slice(-2000)}`);
    return pid;
  }

  /** A technician signs in to the control room (in Swedish): its open feed switch alerts say these, oldest first. */
  async function expectControlRoomShows(texts: string[]): Promise<void> {
    const page = await (await fixture.newContext()).newPage();
    await page.goto(`${fixture.server.url}/control`);
    await page.getByLabel('Användarnamn').fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await page.getByLabel('Lösenord').fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Logga in' }).click();
    const shown = page.locator('li[data-alert="feed_switched"]');
    let count = 0;
    await waitFor(
      async () => (count = await shown.count()) === texts.length,
      15_000,
      () => `the control room shows ${count} feed switch alerts, not ${texts.length}`,
    );
    // Listed newest first.
    expect((await shown.allInnerTexts()).reverse()).toEqual(texts.map((text): unknown => expect.stringContaining(text)));
    await page.close();
  }

  async function recordingSegments(recording: RecordingInfo): Promise<types.Segment[]> {
    const text = await (await fetch(`${fixture.server.url}${recording.playlistUrl}`)).text();
    return (parsePlaylist(text) as types.MediaPlaylist).segments;
  }

  it('switches viewers and the recording to the backup within 2 s of the main failing, keeping the main to its end, and back when the main returns', async () => {
    const { server } = fixture;
    const main = await tech.call<IngestPointInfo>('POST', `/api/stages/${STAGE}/ingest-points`, { protocol: 'whip', label: 'OBS (main)' });
    const backup = await tech.call<IngestPointInfo>('POST', `/api/stages/${STAGE}/ingest-points`, { protocol: 'srt', label: 'vMix (backup)', role: 'backup' });
    expect({ main: main.role, backup: backup.role }).toEqual({ main: 'main', backup: 'backup' });

    await startSrtEncoder(backup);
    const obs = await startObs(main);
    // The backup is connected and measured (its media flows) while the main is on air.
    await waitFor(
      async () => (await tech.call<IngestPointInfo>('GET', `/api/ingest-points/${backup.id}`)).preflight !== null,
      30_000,
      () => `the backup encoder never connected:\n${ingestLogs(server)}`,
    );
    expect(await feedState()).toMatchObject({ onAir: 'main', choice: 'auto', switches: { main: 0, backup: 0 } });

    const viewer = fixture.page;
    await viewer.goto(`${server.url}/watch/${STAGE}`);
    expect((await waitUntilPlaying(viewer, 30_000)).video?.frameWidth).toBe(MAIN_WIDTH);
    const timeline = new ViewerTimeline(viewer);
    timeline.start();
    let recording: RecordingInfo | undefined;
    await waitFor(
      async () => (recording = await liveRecording(server, STAGE)) !== undefined && (await recordingSegments(recording)).length > 0,
      30_000,
      () => 'the main feed is not being recorded',
    );

    // The recorder falls behind its input, as on a loaded machine; the main encoder dies then
    // (OBS's connection stays up, silent), and the recorder catches up only after the switch.
    const recorderPid = firstRecorderPid(server.logs());
    process.kill(recorderPid, 'SIGSTOP');
    try {
      await holdsFor(
        async () => (await feedState()).onAir === 'main',
        RECORDER_LAG_MS,
        () => 'the main feed left the air while its encoder was sending',
      );
    } catch (error) {
      process.kill(recorderPid, 'SIGCONT');
      throw error;
    }
    const killedAt = Date.now();
    obs.stopEncoder();
    await waitFor(
      async () => (await feedState()).onAir === 'backup',
      15_000,
      () => `the stage never switched to the backup:\n${ingestLogs(server)}`,
    ).finally(() => process.kill(recorderPid, 'SIGCONT'));
    const failedOver = await feedState();
    const switchedAt = Date.parse(failedOver.lastSwitch!.at);
    // Sound after the switch is the backup's: the main's stopped with its encoder, a second before.
    await waitFor(
      () => timeline.firstHeard(switchedAt) !== undefined && timeline.firstDecoded(BACKUP_WIDTH, killedAt) !== undefined,
      15_000,
      () => `the viewer never heard and saw the backup:\n${ingestLogs(server)}`,
    );
    const backupHeardAfterMs = timeline.firstHeard(switchedAt)! - killedAt;
    const backupShownAfterMs = timeline.firstDecoded(BACKUP_WIDTH, killedAt)! - killedAt;
    console.log(
      `failover, viewer: switched ${switchedAt - killedAt} ms after the kill; backup heard after ${backupHeardAfterMs} ms, seen after ${backupShownAfterMs} ms`,
    );
    expect(backupHeardAfterMs).toBeLessThan(MAX_GAP_MS);
    expect(backupShownAfterMs).toBeLessThan(MAX_GAP_MS + BACKUP_KEYFRAME_INTERVAL_MS);
    expect(failedOver).toMatchObject({ onAir: 'backup', switches: { main: 0, backup: 1 }, lastSwitch: { from: 'main', to: 'backup' } });
    // The switch is an alert for the control room, open until a technician acknowledges it.
    expect(await feedSwitchAlerts('open')).toEqual([switchAlert('main', 'backup', 'main_silent')]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`estrad_ingest_feed_switches_total{stage="${STAGE}",to="backup"} 1`);

    // The same recording goes on with the backup, after a discontinuity and less than 2 s of
    // missing media: from the end of the main's last media (its last segment's start and what
    // ffprobe finds in it) to the start of the backup's first segment.
    let segments: types.Segment[] = [];
    await waitFor(
      async () => {
        segments = await recordingSegments(recording!);
        const switched = segments.findIndex((segment, index) => index > 0 && segment.discontinuity);
        return switched > 0 && segments.length > switched + 1;
      },
      30_000,
      () => `the recording did not continue after the switch: ${segments.length} segments`,
    );
    expect((await liveRecording(server, STAGE))?.id).toBe(recording!.id);
    const switched = segments.findIndex((segment, index) => index > 0 && segment.discontinuity);
    const [lastMain, firstBackup] = [segments[switched - 1]!, segments[switched]!];
    const segmentUrl = (segment: types.Segment) => new URL(segment.uri, `${server.url}${recording!.playlistUrl}`).href;
    const mainEndedAt = lastMain.programDateTime!.getTime() + (await probeSegmentMediaSeconds(segmentUrl(lastMain))) * 1000;
    const backupStartedAt = firstBackup.programDateTime!.getTime();
    const recordedGapMs = Math.round(backupStartedAt - mainEndedAt);
    console.log(
      `failover, recording: ${recordedGapMs} ms of media missing between the main and the backup; the main's media ends ${Math.round(mainEndedAt - killedAt)} ms after the kill (recorder ${RECORDER_LAG_MS} ms behind), the backup's starts ${backupStartedAt - switchedAt} ms after the switch`,
    );
    expect(recordedGapMs).toBeLessThan(MAX_GAP_MS);
    expect((await probeSegmentVideo(segmentUrl(lastMain))).width).toBe(MAIN_WIDTH);
    expect((await probeSegmentVideo(segmentUrl(firstBackup))).width).toBe(BACKUP_WIDTH);

    // OBS reconnects: the main takes over again.
    const returnedAt = Date.now();
    await startObs(main);
    await waitFor(
      () => timeline.firstDecoded(MAIN_WIDTH, returnedAt) !== undefined,
      20_000,
      () => `the returned main never reached the viewer:\n${ingestLogs(server)}`,
    );
    expect(await feedState()).toMatchObject({ onAir: 'main', switches: { main: 1, backup: 1 }, lastSwitch: { from: 'backup', to: 'main' } });
    // Switching back is an alert of its own.
    expect(await feedSwitchAlerts('open')).toEqual([switchAlert('main', 'backup', 'main_silent'), switchAlert('backup', 'main', 'main_returned')]);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain(`estrad_ingest_feed_switches_total{stage="${STAGE}",to="main"} 1`);

    // A technician pins the backup while the main is fine, then lets the feeds switch by themselves again.
    expect(await tech.call<FeedState>('POST', `/api/stages/${STAGE}/feed`, { use: 'backup' })).toMatchObject({ onAir: 'backup', choice: 'backup' });
    const pinnedAt = Date.now();
    await waitFor(
      () => timeline.firstDecoded(BACKUP_WIDTH, pinnedAt) !== undefined,
      15_000,
      () => 'the pinned backup never reached the viewer',
    );
    expect(await tech.call<FeedState>('POST', `/api/stages/${STAGE}/feed`, { use: 'auto' })).toMatchObject({ choice: 'auto' });
    const autoAt = Date.now();
    await waitFor(
      () => timeline.firstDecoded(MAIN_WIDTH, autoAt) !== undefined,
      15_000,
      () => 'the main did not take over again after "auto"',
    );
    timeline.stop();

    // Four switches, four open alerts, each also sent to the webhook.
    const expectedAlerts = [
      switchAlert('main', 'backup', 'main_silent'),
      switchAlert('backup', 'main', 'main_returned'),
      switchAlert('main', 'backup', 'technician_choice'),
      switchAlert('backup', 'main', 'main_returned'),
    ];
    const raised = await feedSwitchAlerts('open');
    expect(raised).toEqual(expectedAlerts);
    await expectControlRoomShows([
      'bytte från huvudsignal till reservsignal: huvudsignalen tystnade',
      'bytte från reservsignal till huvudsignal: huvudsignalen är tillbaka',
      'bytte från huvudsignal till reservsignal: vald av en tekniker',
      'bytte från reservsignal till huvudsignal: huvudsignalen är tillbaka',
    ]);
    await waitFor(
      () => webhookSwitchAlerts('alert.raised').length >= raised.length,
      15_000,
      () => `the webhook got ${webhookSwitchAlerts('alert.raised').length} of the ${raised.length} feed switch alerts`,
    );
    // Each delivery goes on its own: they may arrive in any order.
    expect(new Set(webhookSwitchAlerts('alert.raised').map((alert) => alert.id))).toEqual(new Set(raised.map((alert) => alert.id)));

    // They stay open until acknowledged; then they leave the open list and are kept with who did it.
    expect(await feedSwitchAlerts('open')).toHaveLength(raised.length);
    for (const alert of raised) await tech.call<Alert>('POST', `/api/alerts/${alert.id}/acknowledge`);
    expect(await feedSwitchAlerts('open')).toEqual([]);
    const kept = await feedSwitchAlerts('all');
    expect(kept.map((alert) => [alert.id, alert.acknowledgedBy])).toEqual(raised.map((alert) => [alert.id, TECHNICIAN_ENV.ADMIN_USERNAME]));
    await waitFor(
      () => webhookSwitchAlerts('alert.acknowledged').length >= raised.length,
      15_000,
      () => `the webhook got ${webhookSwitchAlerts('alert.acknowledged').length} of the ${raised.length} acknowledgements`,
    );
    expect(new Set(webhookSwitchAlerts('alert.acknowledged').map((alert) => alert.acknowledgedBy))).toEqual(new Set([TECHNICIAN_ENV.ADMIN_USERNAME]));
  });
});
