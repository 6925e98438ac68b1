import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResult } from '../../shared/protocol.js';
import type { StageSlate } from '../../shared/slate.js';
import { SLATE_IMAGE_MAX_BYTES } from '../../shared/slateDefaults.js';
import { TEST_FFMPEG } from '../helpers/mediaTools.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { connect, type RawSocket, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { type Answer, answerOf, apiCaller, type Caller, expectError, programmeDocument } from './api-fixtures.js';

/** A picture as ffmpeg encodes it (`format`: png or mjpeg), of this size. */
function picture(format: 'png' | 'mjpeg', size: string): Buffer {
  return execFileSync(TEST_FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}`, '-frames:v', '1', '-c:v', format, '-f', 'image2pipe', '-']);
}

/** The width and height a PNG's header gives. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The slate over the real server: its API, its checks of uploads, and the program that shows it. */
describe('the slate API', () => {
  let server: RunningServer;
  let asTechnician: Caller;
  let asAnyone: Caller;
  let cookie: string;
  const sockets: RawSocket[] = [];

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0' });
    cookie = (await technicianClient(server)).cookie;
    asTechnician = apiCaller(server, { cookie });
    asAnyone = apiCaller(server);
    expect((await asTechnician('POST', '/api/programme', programmeDocument('slate-day', 'public', ['hall', 'side']))).status).toBe(201);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  async function upload(bytes: Buffer, contentType: string, headers: Record<string, string> = { cookie }): Promise<Answer<StageSlate>> {
    const response = await fetch(`${server.url}/api/stages/hall/slate/image`, {
      method: 'PUT',
      headers: { 'content-type': contentType, ...headers },
      body: new Uint8Array(bytes),
    });
    return answerOf(response.status, response.headers, new Uint8Array(await response.arrayBuffer()));
  }

  /**
   * An upload one byte over the limit, over plain HTTP: the server answers from the declared length
   * before reading the body and closes, so writing the rest fails once the answer is in (fetch
   * would report only that failure).
   */
  function uploadTooLarge(): Promise<Answer> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const headers = { cookie, 'content-type': 'image/png', 'content-length': SLATE_IMAGE_MAX_BYTES + 1 };
      const upload = httpRequest(`${server.url}/api/stages/hall/slate/image`, { method: 'PUT', headers }, (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve(answerOf(response.statusCode ?? 0, new Headers({ 'content-type': response.headers['content-type'] ?? '' }), Buffer.concat(chunks))),
        );
      });
      upload.on('error', (error) => {
        if (!answered) reject(error);
      });
      upload.end(Buffer.alloc(SLATE_IMAGE_MAX_BYTES + 1, 1));
    });
  }

  async function shownImage(): Promise<Buffer> {
    const response = await fetch(`${server.url}/api/stages/hall/slate/image`, { headers: { cookie } });
    expect(response.headers.get('content-type')).toBe('image/png');
    return Buffer.from(await response.arrayBuffer());
  }

  async function viewer(): Promise<{ socket: RawSocket; joined: JoinResult }> {
    const socket = await connect(server.url);
    sockets.push(socket);
    const answer = await request<JoinResult>(socket, 'stage:join', { stageId: 'hall', role: 'viewer' });
    if (!answer.ok) throw new Error(`stage:join: ${answer.error.message}`);
    return { socket, joined: answer.data };
  }

  it('is refused to anyone but a signed-in technician, and to other sites', async () => {
    expectError(await asAnyone('GET', '/api/stages/hall/slate'), 401, 'unauthorized');
    expectError(await asAnyone('POST', '/api/stages/hall/slate'), 401, 'unauthorized');
    expectError(await asAnyone('GET', '/api/stages/hall/slate/image'), 401, 'unauthorized');
    expectError(await upload(picture('png', '320x180'), 'image/png', {}), 401, 'unauthorized');
    expectError(await asTechnician('POST', '/api/stages/hall/slate', undefined, { origin: 'https://elsewhere.example' }), 403, 'forbidden', 'another site');
    expectError(await upload(picture('png', '320x180'), 'image/png', { cookie, origin: 'https://elsewhere.example' }), 403, 'forbidden', 'another site');
    expectError(await asTechnician('GET', '/api/stages/no-such-stage/slate'), 404, 'not_found');
  });

  it('shows the default slate until a PNG or JPEG is uploaded, each fitted into 1280×720', async () => {
    const initial = (await asTechnician<StageSlate>('GET', '/api/stages/hall/slate')).body;
    expect(initial).toMatchObject({ stageId: 'hall', up: false, image: { custom: false } });
    expect(pngSize(await shownImage())).toEqual({ width: 1280, height: 720 });

    const png = await upload(picture('png', '640x480'), 'image/png');
    expect(png.status, png.text).toBe(200);
    expect(png.body.image).toMatchObject({ custom: true, type: 'image/png' });
    expect(pngSize(await shownImage())).toEqual({ width: 1280, height: 720 });

    const jpeg = await upload(picture('mjpeg', '1920x1080'), 'image/jpeg');
    expect(jpeg.status, jpeg.text).toBe(200);
    expect(jpeg.body.image).toMatchObject({ custom: true, type: 'image/jpeg' });

    const reset = await asTechnician<StageSlate>('DELETE', '/api/stages/hall/slate/image');
    expect(reset.body.image).toEqual({ custom: false, type: 'image/png', updatedAt: null });
  });

  it('refuses uploads that are not a whole PNG or JPEG of a sane size, saying why', async () => {
    const png = picture('png', '320x180');
    expectError(await upload(Buffer.from('just some text, not a picture'), 'image/png'), 400, 'invalid_payload', 'not a PNG');
    expectError(await upload(png, 'image/jpeg'), 400, 'invalid_payload', 'not a JPEG');
    expectError(await upload(png.subarray(0, 200), 'image/png'), 400, 'invalid_payload', 'could not be decoded');
    const hugeCanvas = Buffer.from(png);
    hugeCanvas.writeUInt32BE(20_000, 16);
    expectError(await upload(hugeCanvas, 'image/png'), 400, 'invalid_payload', '20000×180', '8192');
    expectError(await upload(png, 'image/gif'), 415, 'unsupported_media_type');
    expectError(await upload(png, 'text/plain'), 415, 'unsupported_media_type', 'image/png');
    expectError(await uploadTooLarge(), 413, 'payload_too_large');
    expect((await asTechnician<StageSlate>('GET', '/api/stages/hall/slate')).body.image.custom).toBe(false);
  });

  it('is shown while nothing is on air, and stays up once a technician puts it up', async () => {
    await viewer();
    const state = async () => (await asTechnician<StageSlate>('GET', '/api/stages/hall/slate')).body;
    let last: StageSlate | undefined;
    await waitFor(
      async () => (last = await state()).reason === 'nothing-on-air',
      20_000,
      () => `the slate is not shown on an empty stage: ${JSON.stringify(last)}`,
    );
    const { joined } = await viewer();
    const slateVideo = joined.producers.find((producer) => producer.source === 'slate');
    expect(slateVideo?.kind).toBe('video');
    expect(joined.program).toEqual({ main: null, inset: null, slate: slateVideo?.producerId });
    expect(joined.stage.live).toBe(false);

    expect((await asTechnician<StageSlate>('POST', '/api/stages/hall/slate')).body).toMatchObject({ up: true, shown: true, reason: 'put-up' });
    expect((await state()).up).toBe(true);
    expect((await asTechnician<StageSlate>('DELETE', '/api/stages/hall/slate')).body).toMatchObject({ up: false, reason: 'nothing-on-air' });
  });
});
