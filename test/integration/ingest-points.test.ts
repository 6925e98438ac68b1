import type { ChildProcess } from 'node:child_process';
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestPointInfo, StagesResponse } from '../../shared/protocol.js';
import { NodeViewer } from '../../scripts/bench/nodeViewer.js';
import { liveRecording, probeSegmentCodec, segmentUrls } from '../helpers/liveRecording.js';
import { freePort, holdsFor, type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { ingestLogs } from '../helpers/ingestLogs.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller, expectError, programmeDocument } from './api-fixtures.js';
import { type EncoderSettings, ReconnectingEncoder, startMixerEncoder } from '../helpers/testEncoder.js';

const RTMP_STAGE = 'rtmp-hall';
const SRT_STAGE = 'srt-hall';
/** What the test encoder sends: a re-encode (the recorder's libx264 makes High) would show. */
const SENT = { width: 480, height: 272, profile: 'Main' };
const SENT_SETTINGS: EncoderSettings = { width: SENT.width, height: SENT.height, profile: 'main' };
/** After a refused encoder gave up: how long nothing may appear on air. */
const QUIET_MS = 3_000;

/** SRT and RTMP encoders (ffmpeg as vMix or a hardware encoder would send) onto ingest points. */
describe('ingest points for production encoders', () => {
  let server: RunningServer;
  let tech: Awaited<ReturnType<typeof technicianClient>>;
  const encoders: ChildProcess[] = [];
  const reconnecting: ReconnectingEncoder[] = [];
  const viewers: NodeViewer[] = [];
  let rtmpPort: number;
  let srtPort: number;
  const serverEnv = () => ({ ...TECHNICIAN_ENV, INGEST_RTMP_PORTS: String(rtmpPort), INGEST_SRT_PORTS: String(srtPort) });

  beforeAll(async () => {
    rtmpPort = await freePort();
    srtPort = await freePort();
    server = await startServer(serverEnv());
    tech = await technicianClient(server);
    await tech.call('POST', '/api/programme', programmeDocument('ingest-day', 'public', [RTMP_STAGE, SRT_STAGE]));
  });

  afterAll(async () => {
    for (const encoder of reconnecting) encoder.stop();
    for (const encoder of encoders) encoder.kill('SIGKILL');
    for (const viewer of viewers) viewer.close();
    cleanupDataChannels();
    expect(await server?.stop()).toBe(0);
  });

  const createPoint = (stageId: string, protocol: string) =>
    tech.call<IngestPointInfo>('POST', `/api/stages/${stageId}/ingest-points`, { protocol, label: `${protocol} from the mixer` });

  /** The stage's active point of that protocol, created when there is none (each port range holds one). */
  async function activePoint(stageId: string, protocol: 'rtmp' | 'srt'): Promise<IngestPointInfo> {
    const { ingestPoints } = await tech.call<{ ingestPoints: IngestPointInfo[] }>('GET', `/api/stages/${stageId}/ingest-points`);
    return ingestPoints.find((point) => point.protocol === protocol && point.revokedAt === null) ?? createPoint(stageId, protocol);
  }

  function startEncoder(url: string, format: 'flv' | 'mpegts', settings?: Partial<EncoderSettings>): ChildProcess {
    const encoder = startMixerEncoder(url, format, { ...SENT_SETTINGS, ...settings });
    encoders.push(encoder);
    return encoder;
  }

  /** Reconnecting, as OBS and vMix do; stopped by the test or at the end. */
  function startReconnectingEncoder(url: string, format: 'flv' | 'mpegts', settings?: Partial<EncoderSettings>): ReconnectingEncoder {
    const encoder = new ReconnectingEncoder(url, format, { ...SENT_SETTINGS, ...settings });
    reconnecting.push(encoder);
    return encoder;
  }

  /** The pre-flight check once it has measured a few seconds. */
  async function preflightOf(point: IngestPointInfo): Promise<NonNullable<IngestPointInfo['preflight']>> {
    let info: IngestPointInfo | undefined;
    await waitFor(
      async () => {
        info = await tech.call<IngestPointInfo>('GET', `/api/ingest-points/${point.id}`);
        return (info.preflight?.measuredSeconds ?? 0) >= 5.5;
      },
      20_000,
      () => `no pre-flight check: ${JSON.stringify(info)}\n${ingestLogs(server)}`,
    );
    return info!.preflight!;
  }

  async function stage(stageId: string) {
    const { stages } = (await (await fetch(`${server.url}/api/stages`)).json()) as StagesResponse;
    return stages.find((candidate) => candidate.id === stageId);
  }

  async function expectViewerReceives(stageId: string): Promise<void> {
    const viewer = new NodeViewer();
    viewers.push(viewer);
    await viewer.connect(server.url, stageId);
    await waitFor(
      () => viewer.stats().video.packets > 50 && viewer.stats().audio.packets > 25 && viewer.stats().videoFrames.frames > 10,
      20_000,
      () => `the viewer on ${stageId} got no media: ${JSON.stringify(viewer.stats())}\n${ingestLogs(server)}`,
    );
  }

  async function expectRecordedAsSent(stageId: string): Promise<void> {
    let segments: string[] = [];
    await waitFor(
      async () => {
        const recording = await liveRecording(server, stageId);
        segments = recording ? await segmentUrls(server, recording) : [];
        return segments.length > 0;
      },
      30_000,
      () => `no recorded segment on ${stageId}:\n${ingestLogs(server)}`,
    );
    expect(await probeSegmentCodec(segments[0]!)).toEqual({ codec: 'h264', ...SENT, bFrames: 0 });
  }

  /** Refused encoders: the caller gives up, and a bounded wait after finds nothing on air or recorded. */
  async function expectNothingOnAir(stageId: string, encoder: ChildProcess): Promise<void> {
    const exitCode = await new Promise<number | null>((resolve) => encoder.once('exit', (code) => resolve(code)));
    expect(exitCode).not.toBe(0);
    await holdsFor(
      async () => !((await stage(stageId))?.live ?? false) && (await liveRecording(server, stageId)) === undefined,
      QUIET_MS,
      () => `${stageId} went on air or was recorded after its encoder was refused:\n${ingestLogs(server)}`,
    );
  }

  it('lets technicians create, list, rotate and revoke ingest points, with ports from the configured ranges', async () => {
    const anonymous = apiCaller(server);
    expectError(await anonymous('POST', `/api/stages/${RTMP_STAGE}/ingest-points`, { protocol: 'rtmp' }), 401, 'unauthorized');
    const asTechnician = apiCaller(server, { cookie: tech.cookie });
    expectError(await asTechnician('POST', `/api/stages/${RTMP_STAGE}/ingest-points`, { protocol: 'ndi' }), 400, 'invalid_payload', 'protocol');
    expectError(await asTechnician('POST', '/api/stages/no-such-stage/ingest-points', { protocol: 'rtmp' }), 404, 'not_found');

    const first = await createPoint(RTMP_STAGE, 'rtmp');
    expect(first).toMatchObject({ stageId: RTMP_STAGE, protocol: 'rtmp', port: rtmpPort, url: `rtmp://127.0.0.1:${rtmpPort}/live`, revokedAt: null });
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    // INGEST_RTMP_PORTS holds one port, and the first point has it.
    expectError(await asTechnician('POST', `/api/stages/${RTMP_STAGE}/ingest-points`, { protocol: 'rtmp' }), 409, 'conflict', 'INGEST_RTMP_PORTS');

    const rotated = await tech.call<IngestPointInfo>('POST', `/api/ingest-points/${first.id}/rotate`);
    expect(rotated).toMatchObject({ id: first.id, port: rtmpPort });
    expect(rotated.secret).not.toBe(first.secret);
    expect(rotated.rotatedAt).not.toBeNull();

    await tech.call('DELETE', `/api/ingest-points/${first.id}`);
    expectError(await asTechnician('DELETE', `/api/ingest-points/${first.id}`), 404, 'not_found');
    const { ingestPoints } = await tech.call<{ ingestPoints: IngestPointInfo[] }>('GET', `/api/stages/${RTMP_STAGE}/ingest-points`);
    expect(ingestPoints.map(({ id, revokedAt }) => ({ id, revoked: revokedAt !== null }))).toEqual([{ id: first.id, revoked: true }]);
    // Revoking gave the port back.
    expect((await createPoint(RTMP_STAGE, 'rtmp')).port).toBe(rtmpPort);
  });

  it('refuses an RTMP encoder with a wrong stream key: nothing goes on air, nothing is recorded', async () => {
    const point = await activePoint(RTMP_STAGE, 'rtmp');
    await expectNothingOnAir(RTMP_STAGE, startEncoder(`${point.url}/wrong-${point.secret}`, 'flv'));
  });

  it('stops taking the old stream key once the technicians rotate it', async () => {
    const before = await activePoint(RTMP_STAGE, 'rtmp');
    const rotated = await tech.call<IngestPointInfo>('POST', `/api/ingest-points/${before.id}/rotate`);
    expect(rotated.secret).not.toBe(before.secret);
    await expectNothingOnAir(RTMP_STAGE, startEncoder(`${before.url}/${before.secret}`, 'flv'));
  });

  it('puts an RTMP encoder with the stream key on air: a viewer receives it and the recording holds its H.264 as sent', async () => {
    const point = await activePoint(RTMP_STAGE, 'rtmp');
    // Reconnecting, as encoders do: the listener may just be starting again after the last test's caller.
    const encoder = startReconnectingEncoder(`${point.url}/${point.secret}`, 'flv');
    await waitFor(
      async () => (await stage(RTMP_STAGE))?.live === true,
      20_000,
      () => `RTMP never went on air:\n${ingestLogs(server)}`,
    );
    await expectViewerReceives(RTMP_STAGE);
    await expectRecordedAsSent(RTMP_STAGE);
    expect(await preflightOf(point)).toMatchObject({
      codec: 'h264',
      profile: 'Main',
      width: SENT.width,
      height: SENT.height,
      bFrames: false,
      keyframeIntervalSeconds: 1,
      warnings: [],
    });

    // The encoder drops out: the stage goes off air, and the same settings work again.
    encoder.stop();
    await waitFor(
      async () => (await stage(RTMP_STAGE))?.live === false,
      10_000,
      () => 'still on air after the encoder left',
    );
    const reconnecting = startReconnectingEncoder(`${point.url}/${point.secret}`, 'flv');
    await waitFor(
      async () => (await stage(RTMP_STAGE))?.live === true,
      20_000,
      () => `the reconnected encoder never went on air:\n${ingestLogs(server)}`,
    );
    await expectViewerReceives(RTMP_STAGE);
    reconnecting.stop();
    await waitFor(
      async () => (await stage(RTMP_STAGE))?.live === false,
      10_000,
      () => 'still on air after the encoder left',
    );
  });

  it('warns of B-frames and a 5 s keyframe interval in the pre-flight check, and sends viewers video without B-frames', async () => {
    const point = await activePoint(RTMP_STAGE, 'rtmp');
    const encoder = startReconnectingEncoder(`${point.url}/${point.secret}`, 'flv', { bFrames: 2, keyframeEverySeconds: 5 });
    const preflight = await preflightOf(point);
    expect(preflight).toMatchObject({ bFrames: true, keyframeIntervalSeconds: 5 });
    expect(preflight.warnings.map((warning) => warning.code)).toEqual(['b_frames', 'keyframe_interval']);
    expect(ingestLogs(server, 200)).toContain('the encoder sends B-frames');

    await expectViewerReceives(RTMP_STAGE);
    // The pre-flight check measured 6 s of the transcoded connection: the newest segment is from it.
    const recording = await liveRecording(server, RTMP_STAGE);
    const segments = recording ? await segmentUrls(server, recording) : [];
    expect(await probeSegmentCodec(segments.at(-1)!)).toMatchObject({ codec: 'h264', width: SENT.width, height: SENT.height, bFrames: 0 });
    encoder.stop();
  });

  it('refuses an SRT caller with a wrong passphrase, and puts one with it on air, viewed and recorded as sent', async () => {
    const point = await activePoint(SRT_STAGE, 'srt');
    expect(point).toMatchObject({ protocol: 'srt', port: srtPort, streamId: point.id });
    const wrong = new URL(point.url);
    wrong.searchParams.set('passphrase', 'not-the-passphrase-at-all');
    await expectNothingOnAir(SRT_STAGE, startEncoder(wrong.toString(), 'mpegts'));

    startReconnectingEncoder(point.url, 'mpegts');
    await waitFor(
      async () => (await stage(SRT_STAGE))?.live === true,
      20_000,
      () => `SRT never went on air:\n${ingestLogs(server)}`,
    );
    await expectViewerReceives(SRT_STAGE);
    await expectRecordedAsSent(SRT_STAGE);
  });

  it('listens on its ingest points again after the server restarts, with the same secrets', async () => {
    const point = await activePoint(SRT_STAGE, 'srt');
    expect(await server.stop()).toBe(0);
    server = await startServer({ ...serverEnv(), DATA_DIR: server.dataDir, RECORDINGS_DIR: server.recordingsDir });
    tech = await technicianClient(server);
    expect((await activePoint(SRT_STAGE, 'srt')).secret).toBe(point.secret);
    startReconnectingEncoder(point.url, 'mpegts');
    await waitFor(
      async () => (await stage(SRT_STAGE))?.live === true,
      30_000,
      () => `nothing on air after the restart:\n${ingestLogs(server)}`,
    );
  });
});
