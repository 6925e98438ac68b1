import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertsResponse, FeedHealth, HealthSnapshot } from '../../shared/health.js';
import { holdsFor, type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { PlainRtpSpeaker } from '../recording/plainRtpSpeaker.js';
import { programmeDocument } from './api-fixtures.js';

const STAGE = 'alerts';

/**
 * "Feed lost" is for losses, not for ends: a real server, a real source (ffmpeg's test pattern
 * over plain RTP on the signalling socket), the health snapshot and the alerts as the control room
 * gets them. The alert rules run on every snapshot, so once a snapshot shows the feed gone, an
 * alert that was coming has come.
 */
describe('feed lost alerts', () => {
  let server: RunningServer;
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  const speakers: PlainRtpSpeaker[] = [];

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV });
    technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('alert-day', 'public', [STAGE, 'alerts-side']));
  });

  afterAll(async () => {
    for (const speaker of speakers) speaker.stop();
    expect(await server?.stop()).toBe(0);
  });

  const feeds = async (): Promise<FeedHealth[]> =>
    (await technician.call<HealthSnapshot>('GET', '/api/health')).stages.find((stage) => stage.stageId === STAGE)?.feeds ?? [];
  const feedLost = async (producerId: string): Promise<Alert | undefined> =>
    (await technician.call<AlertsResponse>('GET', '/api/alerts')).alerts.find((alert) => alert.kind === 'feed_lost' && alert.details.producerId === producerId);

  /** A camera on the stage, sending: its producer id once the snapshot measures media from it. */
  async function sendingCamera(): Promise<{ speaker: PlainRtpSpeaker; producerId: string }> {
    const speaker = await PlainRtpSpeaker.publish(server.url, server.dataDir, STAGE, 'camera');
    speakers.push(speaker);
    let sending: FeedHealth | undefined;
    await waitFor(
      async () => (sending = (await feeds()).find((feed) => feed.bitrateKbps > 0)) !== undefined,
      20_000,
      () => `the camera never sent on stage ${STAGE}`,
    );
    return { speaker, producerId: sending!.producerId };
  }

  async function goneFromHealth(producerId: string): Promise<void> {
    await waitFor(
      async () => !(await feeds()).some((feed) => feed.producerId === producerId),
      10_000,
      () => `the feed ${producerId} stayed in the health snapshot`,
    );
  }

  it('raises none when the source says it leaves (a speaker pressing Stop)', async () => {
    const { speaker, producerId } = await sendingCamera();
    await speaker.leave();
    await goneFromHealth(producerId);
    await holdsFor(
      async () => (await feedLost(producerId)) === undefined,
      3_000,
      () => `a feed_lost alert was raised for ${producerId}, which ended on purpose`,
    );
  });

  it('raises one when the connection drops without a word (a network drop)', async () => {
    const { speaker, producerId } = await sendingCamera();
    speaker.stop();
    await goneFromHealth(producerId);
    await waitFor(
      async () => (await feedLost(producerId)) !== undefined,
      5_000,
      () => `no feed_lost alert for ${producerId}, whose connection dropped`,
    );
    expect(await feedLost(producerId)).toMatchObject({ severity: 'critical', stageId: STAGE, details: { reason: 'gone', kind: 'video' } });
  });

  it('raises one when the encoder dies and the feed stays on air sending nothing', async () => {
    const { speaker, producerId } = await sendingCamera();
    speaker.stopSending();
    await waitFor(
      async () => (await feedLost(producerId)) !== undefined,
      15_000,
      () => `no feed_lost alert for ${producerId}, whose encoder was killed`,
    );
    expect(await feedLost(producerId)).toMatchObject({ details: { reason: 'no_media' } });
  });
});
