import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestEncoderSettingsResponse } from '../../shared/protocol.js';
import { IngestKeys } from '../../server/auth/ingestKeys.js';
import { createIngestPoint, type IngestPoint, revokeIngestPoint, rotateIngestPoint } from '../../server/storage/ingestPoints.js';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { encoderValues } from '../helpers/encoderSettings.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { type Caller, expectError, programmeDocument } from '../integration/api-fixtures.js';

/** The name the technician's browser reached the server by: encoders must reach the same one. */
const HOST = 'estrad.sundsvall.se';
const CEILING_KBPS = 5000;

interface StreamingXml {
  streaming: {
    service: {
      name: string;
      key: string;
      servers: { server: { name: string; url: string } };
      profiles: {
        profile: {
          name: string;
          config: { resolution: string; fps: string; codec: string; bitrate: number; 'audio-bitrate': number; 'keyframe-interval': number }[];
        };
      };
    };
  };
}

/** Each setting's value by what it is about, for one encoder of the answer. */
describe('encoder settings of ingest points (OBS, vMix, Blackmagic)', () => {
  let server: ApiServer;
  let asTechnician: Caller;
  let anonymous: Caller;
  let keys: IngestKeys;
  const points: Record<'whip' | 'srt' | 'rtmp', IngestPoint> = {} as never;

  beforeAll(async () => {
    server = await startApiServer({ ...TECHNICIAN_ENV, INGEST_MAX_BITRATE_KBPS: String(CEILING_KBPS) });
    asTechnician = injectCaller(server, { cookie: await technicianCookie(server), host: HOST });
    anonymous = injectCaller(server, { host: HOST });
    expect((await asTechnician('POST', '/api/programme', programmeDocument('halsodagen', 'public', ['aulan', 'foajen']))).status).toBe(201);
    // A name XML must escape.
    expect((await asTechnician('PATCH', '/api/stages/aulan', { title: 'Aulan & <Foajén>' })).status).toBe(200);
    keys = IngestKeys.fromDataDir(server.dataDir);
    points.whip = createIngestPoint(server.db, { stageId: 'aulan', protocol: 'whip', label: 'OBS', role: 'main', port: null });
    points.srt = createIngestPoint(server.db, { stageId: 'aulan', protocol: 'srt', label: 'vMix', role: 'backup', port: 9001 });
    points.rtmp = createIngestPoint(server.db, { stageId: 'aulan', protocol: 'rtmp', label: 'ATEM', role: 'main', port: 1935 });
  });

  afterAll(async () => {
    await server?.close();
  });

  const settingsOf = (point: IngestPoint, caller = asTechnician) =>
    caller<IngestEncoderSettingsResponse>('GET', `/api/ingest-points/${point.id}/encoder-settings`);
  const secretOf = (point: IngestPoint, generation = 1) => keys.ingestPointSecret(point.id, generation);

  it('gives OBS the WHIP URL and bearer token, a keyframe a second and no B-frames', async () => {
    const answer = await settingsOf(points.whip);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({ ingestPointId: points.whip.id, stageId: 'aulan', protocol: 'whip', role: 'main' });
    expect(answer.body.encoders.map((encoder) => encoder.encoder)).toEqual(['obs']);
    expect(encoderValues(answer.body, 'obs')).toMatchObject({
      service: 'WHIP',
      server: `http://${HOST}/whip/${points.whip.id}`,
      bearerToken: secretOf(points.whip),
      keyframeInterval: '1',
      bFrames: '0',
      rateControl: 'CBR',
      videoBitrate: '4500',
      audioCodec: 'Opus',
    });
    const token = answer.body.encoders[0]!.settings.find((setting) => setting.setting === 'bearerToken');
    expect(token).toMatchObject({ label: 'Bearer Token', secret: true });
  });

  it('gives vMix the SRT caller URL with stream id and passphrase, and its fields one by one', async () => {
    const answer = await settingsOf(points.srt);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.encoders.map((encoder) => encoder.encoder)).toEqual(['vmix', 'obs']);
    const vmix = encoderValues(answer.body, 'vmix');
    const url = new URL(vmix.srtUrl!);
    expect({ protocol: url.protocol, host: url.host }).toEqual({ protocol: 'srt:', host: `${HOST}:9001` });
    expect(Object.fromEntries(url.searchParams)).toEqual({ streamid: points.srt.id, passphrase: secretOf(points.srt) });
    expect(vmix).toMatchObject({
      srtMode: 'Caller',
      host: HOST,
      port: '9001',
      streamId: points.srt.id,
      passphrase: secretOf(points.srt),
      keyLength: '16',
      keyframeInterval: '1',
      profile: 'Baseline',
      audioCodec: 'AAC',
    });
    // OBS takes the same URL as its server, and no key.
    expect(encoderValues(answer.body, 'obs')).toMatchObject({ service: 'Custom…', server: vmix.srtUrl, keyframeInterval: '1', bFrames: '0' });
    expect(encoderValues(answer.body, 'obs').streamKey).toBeUndefined();
  });

  it('gives a Blackmagic encoder the RTMP URL and key, and a streaming XML that carries them', async () => {
    const answer = await settingsOf(points.rtmp);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.encoders.map((encoder) => encoder.encoder)).toEqual(['blackmagic', 'vmix', 'obs']);
    const blackmagic = answer.body.encoders[0]!;
    expect(encoderValues(answer.body, 'blackmagic')).toMatchObject({
      server: `rtmp://${HOST}:1935/live`,
      streamKey: secretOf(points.rtmp),
      keyframeInterval: '1',
    });
    expect(encoderValues(answer.body, 'vmix')).toMatchObject({ server: `rtmp://${HOST}:1935/live`, streamKey: secretOf(points.rtmp) });
    expect(blackmagic.streamingXmlUrl).toBe(`/api/ingest-points/${points.rtmp.id}/blackmagic-streaming.xml`);

    const file = await asTechnician('GET', blackmagic.streamingXmlUrl!);
    expect(file.status, file.text).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="estrad-aulan-main.xml"');
    expect(file.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<streaming>')).toBe(true);
    // The Web Presenter's protocol refuses blank lines.
    expect(file.text).not.toMatch(/\n\s*\n/);
    expect(XMLValidator.validate(file.text)).toBe(true);
    const { service } = (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(file.text) as StreamingXml).streaming;
    expect(service.name).toBe('Estrad Aulan & <Foajén> ATEM (main)');
    expect(service.key).toBe(secretOf(points.rtmp));
    expect(service.servers.server.url).toBe(`rtmp://${HOST}:1935/live`);
    const configs = service.profiles.profile.config;
    expect(configs.map((config) => `${config.resolution}${config.fps}`)).toEqual(['1080p60', '1080p30', '720p60', '720p30']);
    for (const config of configs) {
      expect(config).toMatchObject({ codec: 'H264', 'keyframe-interval': 1, 'audio-bitrate': 128_000 });
      expect(config.bitrate).toBeLessThanOrEqual(CEILING_KBPS * 1000);
    }
    expect(configs[0]!.bitrate).toBe(CEILING_KBPS * 1000);
  });

  it('follows a rotated secret, and refuses revoked points, other protocols’ XML and callers who are not technicians', async () => {
    rotateIngestPoint(server.db, points.rtmp.id);
    const rotated = await settingsOf(points.rtmp);
    expect(encoderValues(rotated.body, 'blackmagic').streamKey).toBe(secretOf(points.rtmp, 2));
    const xml = await asTechnician('GET', `/api/ingest-points/${points.rtmp.id}/blackmagic-streaming.xml`);
    expect(xml.text).toContain(`<key>${secretOf(points.rtmp, 2)}</key>`);
    expect(xml.text).not.toContain(secretOf(points.rtmp, 1));

    expectError(await asTechnician('GET', `/api/ingest-points/${points.srt.id}/blackmagic-streaming.xml`), 404, 'not_found', 'RTMP', 'SRT');
    expectError(await settingsOf(points.whip, anonymous), 401, 'unauthorized');
    expectError(await anonymous('GET', `/api/ingest-points/${points.rtmp.id}/blackmagic-streaming.xml`), 401, 'unauthorized');
    expectError(await asTechnician('GET', '/api/ingest-points/no-such-point/encoder-settings'), 404, 'not_found', 'no-such-point');
    expectError(await asTechnician('GET', '/api/ingest-points/not%20an%20id/encoder-settings'), 400, 'invalid_payload');
    revokeIngestPoint(server.db, points.whip.id);
    expectError(await settingsOf(points.whip), 404, 'not_found', 'revoked');
  });
});
