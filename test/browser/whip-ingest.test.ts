import type { Page } from 'playwright-core';
import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsResponse } from '../../shared/health.js';
import type { IngestEncoderSettingsResponse, IngestPointInfo } from '../../shared/protocol.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { expectError, programmeDocument, type Answer, answerOf } from '../integration/api-fixtures.js';
import { liveRecording, probeSegmentVideo, segmentUrls, stageOnAir } from '../helpers/liveRecording.js';
import { ObsWhipClient } from '../helpers/obsWhipClient.js';
import { waitUntilPlaying } from '../helpers/player.js';
import { holdsFor, waitFor } from '../helpers/server.js';
import { encoderValues } from '../helpers/encoderSettings.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

const OBS_STAGE = 'whip-hall';
const BROWSER_STAGE = 'whip-annex';
/** After a refusal: how long nothing may appear on air. */
const QUIET_MS = 3_000;

/** WHIP (RFC 9725) from OBS (its offer, made by libdatachannel as OBS makes it) and from a browser. */
describe('WHIP ingest', () => {
  const fixture = useBrowserFixture({ env: TECHNICIAN_ENV });
  let tech: Awaited<ReturnType<typeof technicianClient>>;
  const clients: ObsWhipClient[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    tech = await technicianClient(fixture.server);
    await tech.call('POST', '/api/programme', programmeDocument('whip-day', 'public', [OBS_STAGE, BROWSER_STAGE]));
  });

  afterAll(() => {
    for (const client of clients) client.stop();
    cleanupDataChannels();
  });

  const createPoint = (stageId: string) => tech.call<IngestPointInfo>('POST', `/api/stages/${stageId}/ingest-points`, { protocol: 'whip', label: 'OBS' });

  const live = (stageId: string) => stageOnAir(fixture.server, stageId);
  const feedLostOn = async (stageId: string) =>
    (await tech.call<AlertsResponse>('GET', '/api/alerts')).alerts.some((alert) => alert.kind === 'feed_lost' && alert.stageId === stageId);

  async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
    const response = await fetch(url, { method: 'POST', headers, body });
    return answerOf(response.status, response.headers, new Uint8Array(await response.arrayBuffer()));
  }

  const whipLogs = () =>
    fixture.server
      .logs()
      .split('\n')
      .filter((line) => /whip|WHIP|error/.test(line))
      .slice(-20)
      .join('\n');

  /** A viewer's watch page decodes the stage's video at one of these widths. */
  async function expectViewerDecodes(stageId: string, widths: number[]): Promise<void> {
    const viewer = await fixture.context.newPage();
    pages.push(viewer);
    await viewer.goto(`${fixture.server.url}/watch/${stageId}`);
    const stats = await waitUntilPlaying(viewer, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${whipLogs()}`);
    });
    expect(widths).toContain(stats.video?.frameWidth);
    await viewer.close();
  }

  it('gives technicians a WHIP point whose URL is the HTTP endpoint and whose secret is the bearer token', async () => {
    const { server } = fixture;
    const point = await createPoint(OBS_STAGE);
    expect(point).toMatchObject({ protocol: 'whip', port: null, url: `${server.url}/whip/${point.id}`, streamId: null });
    expect(point.secret.length).toBeGreaterThanOrEqual(32);
  });

  it("puts OBS's offer, sent with the settings Estrad gives for OBS, on air: 201 with the complete answer, a viewer decodes its H.264, the pre-flight check reads it, the recording holds it, DELETE takes the stage off air", async () => {
    const { server } = fixture;
    const point = await createPoint(OBS_STAGE);
    const obs = new ObsWhipClient();
    clients.push(obs);
    const offer = obs.offer();
    // What OBS's libdatachannel offers: bundled, rtcp-mux, Opus 111 and H.264 42e01f on 96.
    expect(offer).toMatch(/a=group:BUNDLE 0 1/);
    expect(offer).toMatch(/a=rtcp-mux/);
    expect(offer).toMatch(/a=rtpmap:111 opus\/48000\/2/);
    expect(offer).toMatch(/a=rtpmap:96 H264\/90000/);
    expect(offer).toMatch(/a=fmtp:96 .*profile-level-id=42e01f/);

    // What a technician pastes into OBS: the server and bearer token of its encoder settings.
    const pasted = encoderValues(await tech.call<IngestEncoderSettingsResponse>('GET', `/api/ingest-points/${point.id}/encoder-settings`), 'obs');
    expect(pasted).toMatchObject({ service: 'WHIP', keyframeInterval: '1', bFrames: '0' });
    const answer = await obs.publish(pasted.server!, pasted.bearerToken!, offer);
    expect(answer.status, answer.body).toBe(201);
    expect(answer.contentType).toMatch(/^application\/sdp/);
    expect(answer.location).toMatch(new RegExp(`^/whip/${point.id}/[0-9a-f-]{36}$`));
    // ice-lite and every candidate in the answer: nothing is trickled.
    expect(answer.body).toMatch(/a=ice-lite/);
    expect(answer.body).toMatch(/a=candidate:/);
    expect(answer.body).toMatch(/a=end-of-candidates/);
    expect(answer.body).toMatch(/a=rtpmap:111 opus\/48000\/2/);
    expect(answer.body).toMatch(/a=rtpmap:96 H264\/90000/);
    expect(answer.body).toMatch(/a=recvonly/);

    await obs.startMedia();
    await waitFor(
      () => live(OBS_STAGE),
      20_000,
      () => `the stage never went on air:\n${whipLogs()}`,
    );
    await expectViewerDecodes(OBS_STAGE, [640]);
    // The pre-flight check reads what OBS really sends (its SPS: Constrained Baseline whatever it
    // offered), over the first seconds of its video.
    let preflight: IngestPointInfo['preflight'] = null;
    await waitFor(
      async () => ((preflight = (await tech.call<IngestPointInfo>('GET', `/api/ingest-points/${point.id}`)).preflight)?.measuredSeconds ?? 0) >= 5,
      20_000,
      () => `no pre-flight check of the WHIP video: ${JSON.stringify(preflight)}\n${whipLogs()}`,
    );
    console.log(`WHIP pre-flight: ${JSON.stringify(preflight)}`);
    expect(preflight).toMatchObject({
      codec: 'h264',
      profile: 'Constrained Baseline',
      width: 640,
      height: 360,
      bFrames: false,
      keyframeIntervalSeconds: 1,
      warnings: [],
    });
    expect(preflight!.frameRate).toBeGreaterThan(20);
    expect(preflight!.bitrateKbps).toBeGreaterThan(50);
    let segments: string[] = [];
    await waitFor(
      async () => {
        const recording = await liveRecording(server, OBS_STAGE);
        segments = recording ? await segmentUrls(server, recording) : [];
        return segments.length > 0;
      },
      30_000,
      () => `nothing recorded:\n${whipLogs()}`,
    );
    // Stored as OBS sent it: its Constrained Baseline (a re-encode would be libx264's High).
    expect(await probeSegmentVideo(segments[0]!)).toEqual({ codec: 'h264', profile: 'Constrained Baseline', width: 640, height: 360, bFrames: 0 });

    // PATCH (trickle, ICE restart) is not supported: RFC 9725 says 405.
    const patch = await fetch(obs.resourceUrl!, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag', authorization: `Bearer ${point.secret}` },
      body: 'a=end-of-candidates\r\n',
    });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toContain('DELETE');

    expect(await obs.deleteSession(point.secret)).toBe(200);
    await waitFor(
      async () => !(await live(OBS_STAGE)),
      10_000,
      () => 'still on air after DELETE',
    );
    // The session is gone: a second DELETE finds nothing.
    expect(await obs.deleteSession(point.secret)).toBe(404);
    // The encoder ended it on purpose: that is no feed lost.
    await holdsFor(
      async () => !(await feedLostOn(OBS_STAGE)),
      QUIET_MS,
      () => 'the DELETE raised a feed_lost alert',
    );
  });

  it('ends a session whose encoder went away without DELETE once its media stopped 15 s ago: the stage goes off air', async () => {
    const { server } = fixture;
    const point = await createPoint(OBS_STAGE);
    const obs = new ObsWhipClient();
    clients.push(obs);
    expect((await obs.publish(point.url, point.secret)).status).toBe(201);
    await obs.startMedia();
    await waitFor(
      () => live(OBS_STAGE),
      20_000,
      () => `the stage never went on air:\n${whipLogs()}`,
    );
    const goneAt = Date.now();
    // OBS crashed: no DELETE, no media.
    obs.stop();
    await waitFor(
      async () => !(await live(OBS_STAGE)),
      30_000,
      () => `still on air after the encoder went:\n${whipLogs()}`,
    );
    expect(Date.now() - goneAt).toBeGreaterThanOrEqual(14_000);
    expect(server.logs()).toContain('no media for 15 s');
    // A crash is a loss: the control room was told.
    expect(await feedLostOn(OBS_STAGE)).toBe(true);
    expect(await obs.deleteSession(point.secret)).toBe(404);
  });

  it('refuses a wrong bearer token with 401 and WWW-Authenticate: nothing goes on air', async () => {
    const { server } = fixture;
    const point = await createPoint(OBS_STAGE);
    const obs = new ObsWhipClient();
    clients.push(obs);
    const wrong = await obs.publish(point.url, `not-${point.secret}`);
    expect(wrong.status).toBe(401);
    expect(wrong.location).toBeNull();
    const missing = await post(point.url, obs.offer(), { 'content-type': 'application/sdp' });
    expectError(missing, 401, 'unauthorized', 'Bearer');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // A rotated token stops working.
    const rotated = await tech.call<IngestPointInfo>('POST', `/api/ingest-points/${point.id}/rotate`);
    expect((await obs.publish(point.url, point.secret)).status).toBe(401);
    expect(rotated.secret).not.toBe(point.secret);
    await holdsFor(
      async () => !(await live(OBS_STAGE)),
      QUIET_MS,
      () => 'a refused publisher went on air',
    );
    expect(await liveRecording(server, OBS_STAGE)).toBeUndefined();
  });

  it('answers a malformed offer with 400, another content type with 415, media it cannot take with 422, and keeps serving', async () => {
    const { server } = fixture;
    const point = await createPoint(OBS_STAGE);
    const auth = { authorization: `Bearer ${point.secret}` };
    expectError(await post(point.url, 'this is not sdp', { ...auth, 'content-type': 'application/sdp' }), 400, 'invalid_payload', 'v=0');
    expectError(
      await post(point.url, 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n', { ...auth, 'content-type': 'application/sdp' }),
      400,
      'invalid_payload',
      'm=',
    );
    expectError(await post(point.url, '{"sdp":"v=0"}', { ...auth, 'content-type': 'application/json' }), 415, 'unsupported_media_type', 'application/sdp');
    const obs = new ObsWhipClient();
    clients.push(obs);
    // Only a codec the server does not have (H.265) in the video section, no audio.
    const h265Only = obs
      .offer()
      .replace(/a=rtpmap:96 H264\/90000/, 'a=rtpmap:96 H265/90000')
      .replace(/m=audio [^\r\n]*\r\n(?:(?!m=)[^\r\n]*\r\n)*/, '');
    expectError(await post(point.url, h265Only, { ...auth, 'content-type': 'application/sdp' }), 422, 'media_rejected', 'H.264');
    await holdsFor(
      async () => !(await live(OBS_STAGE)),
      QUIET_MS,
      () => 'a refused offer went on air',
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers CORS preflights so that browser WHIP clients on other origins can publish', async () => {
    const point = await createPoint(OBS_STAGE);
    const preflight = await fetch(point.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://whip-client.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('accept-post')).toBe('application/sdp');
    // A refusal is readable across origins too, so a browser client can show why.
    const refused = await post(point.url, 'v=0\r\n', {
      origin: 'https://whip-client.example',
      'content-type': 'application/sdp',
      authorization: 'Bearer wrong',
    });
    expectError(refused, 401, 'unauthorized');
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    expect(refused.headers.get('access-control-expose-headers')).toContain('Location');
  });

  /** A browser WHIP client on about:blank, another origin than the server's: its POST goes through a CORS preflight. */
  async function browserPublisher(point: IngestPointInfo, video: { width: number; height: number; rids: string[] }) {
    const page = await fixture.context.newPage();
    pages.push(page);
    const result = await page.evaluate(
      async ({ url, token, width, height, rids }) => {
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext('2d')!;
        let tick = 0;
        setInterval(() => {
          context.fillStyle = `hsl(${(tick += 7) % 360} 80% 50%)`;
          context.fillRect(0, 0, canvas.width, canvas.height);
        }, 40);
        const audio = new AudioContext();
        const tone = audio.createOscillator();
        const destination = audio.createMediaStreamDestination();
        tone.connect(destination);
        tone.start();
        const pc = new RTCPeerConnection();
        pc.addTransceiver(destination.stream.getAudioTracks()[0]!, { direction: 'sendonly' });
        // Simulcast layers best first, each half the size of the one before.
        const sendEncodings = rids.map((rid, index) => ({ rid, scaleResolutionDownBy: 2 ** index }));
        pc.addTransceiver(canvas.captureStream(25).getVideoTracks()[0]!, { direction: 'sendonly', ...(rids.length > 0 ? { sendEncodings } : {}) });
        await pc.setLocalDescription(await pc.createOffer());
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp', authorization: `Bearer ${token}` },
          body: pc.localDescription!.sdp,
        });
        const body = await response.text();
        const location = response.headers.get('location');
        if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: body });
        (window as unknown as { whipSession: unknown }).whipSession = { pc, location };
        return { status: response.status, location, body, offer: pc.localDescription!.sdp };
      },
      { url: point.url, token: point.secret, ...video },
    );
    // DELETE, then the page goes: its encoder would load the machine the next tests share.
    const remove = async () => {
      const status = await page.evaluate(
        async ({ url, token }) => {
          const { location } = (window as unknown as { whipSession: { location: string } }).whipSession;
          return (await fetch(new URL(location, url), { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status;
        },
        { url: point.url, token: point.secret },
      );
      await page.close();
      return status;
    };
    return { ...result, remove };
  }

  it("takes Chromium's RTCPeerConnection as a WHIP client from another origin; a viewer decodes it, DELETE ends it", async () => {
    const point = await createPoint(BROWSER_STAGE);
    const publisher = await browserPublisher(point, { width: 320, height: 240, rids: [] });
    expect(publisher.status, publisher.body).toBe(201);
    expect(publisher.location).not.toBeNull();
    await waitFor(
      () => live(BROWSER_STAGE),
      20_000,
      () => `the browser's WHIP session never went on air:\n${whipLogs()}`,
    );
    await expectViewerDecodes(BROWSER_STAGE, [320]);
    expect(await publisher.remove()).toBe(200);
    await waitFor(
      async () => !(await live(BROWSER_STAGE)),
      10_000,
      () => 'still on air after DELETE',
    );
  });

  it('takes simulcast with rids from a browser WHIP client: the answer receives the layers lowest first, a viewer decodes one', async () => {
    const point = await createPoint(BROWSER_STAGE);
    // Two layers: Chromium sends at most two of a 640 × 360 picture, and three of 720p load this machine too much.
    const publisher = await browserPublisher(point, { width: 640, height: 360, rids: ['f', 'h'] });
    expect(publisher.offer).toMatch(/a=simulcast:send f;h/);
    expect(publisher.status, publisher.body).toBe(201);
    expect(publisher.body).toMatch(/a=simulcast:recv h;f/);
    await waitFor(
      () => live(BROWSER_STAGE),
      20_000,
      () => `the simulcast session never went on air:\n${whipLogs()}`,
    );
    await expectViewerDecodes(BROWSER_STAGE, [640, 320]);
    expect(await publisher.remove()).toBe(200);
  });
});
