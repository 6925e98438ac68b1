import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, injectCaller, startApiServer, technicianCookie } from '../helpers/apiServer.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

/** A recording's folder as the recorder leaves it: the playlist and segments, and the recorder's own files. */
const RECORDER_FILES = ['index.m3u8', 'r001-00000.ts', 'r001.m3u8', 'r001.sdp'];

describe('recorded files under /recordings/', () => {
  let server: ApiServer;
  const day = programmeDocument('open-day', 'public', ['open-a', 'open-b']);
  const recordingId = 'opening_talk-1';

  beforeAll(async () => {
    server = await startApiServer(TECHNICIAN_ENV);
    const asTechnician = injectCaller(server, { cookie: await technicianCookie(server) });
    expect((await asTechnician('POST', '/api/programme', day)).status).toBe(201);
    const folder = join(server.recordingsDir, 'open-a', recordingId);
    mkdirSync(folder, { recursive: true });
    for (const file of RECORDER_FILES) writeFileSync(join(folder, file), file.endsWith('.m3u8') ? '#EXTM3U\n' : 'media');
  });

  afterAll(async () => {
    await server?.close();
  });

  const statusOf = async (path: string) => (await server.app.inject({ method: 'GET', url: path })).statusCode;

  it('serves a playlist and its segments to who may watch the stage, for any record id (readable ones too)', async () => {
    expect(await statusOf(`/recordings/open-a/${recordingId}/index.m3u8`)).toBe(200);
    expect(await statusOf(`/recordings/open-a/${recordingId}/r001-00000.ts`)).toBe(200);
  });

  it("does not serve the recorder's own files (a run's playlist, its SDP)", async () => {
    expect(await statusOf(`/recordings/open-a/${recordingId}/r001.m3u8`)).toBe(404);
    expect(await statusOf(`/recordings/open-a/${recordingId}/r001.sdp`)).toBe(404);
  });
});
