import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationResponse } from '../../shared/protocol.js';
import { prepareRecordedReplays, type RecordedReplay } from '../helpers/recordedReplay.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller } from './api-fixtures.js';

const ACCESS_COOKIE = /(?:^|,\s*)(estrad_access=[^;]+)/;

/** The cookie pair (name=value) a response set for viewer access, if any. */
function accessCookieOf(response: Response): string | undefined {
  return ACCESS_COOKIE.exec(response.headers.get('set-cookie') ?? '')?.[1];
}

function segmentUrls(playlist: string, base: URL): URL[] {
  return playlist
    .split('\n')
    .filter((line) => line.endsWith('.ts'))
    .map((line) => new URL(line, base));
}

/**
 * Replays of a private event, fetched as a browser's download link or Safari's native HLS player
 * does: a plain GET, no X-Estrad-Access header, only what the browser keeps (cookies).
 */
describe('recorded media of a private event', () => {
  let server: RunningServer;
  let closed: RecordedReplay;
  let open: RecordedReplay;

  beforeAll(async () => {
    const folders = prepareRecordedReplays([
      { eventId: 'closed-day', stageId: 'closed', visibility: 'private' },
      { eventId: 'open-day', stageId: 'open', visibility: 'public' },
    ]);
    [closed, open] = folders.replays as [RecordedReplay, RecordedReplay];
    server = await startServer({ ...TECHNICIAN_ENV, DATA_DIR: folders.dataDir, RECORDINGS_DIR: folders.recordingsDir });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  const get = (path: string | URL, cookie?: string) => fetch(new URL(path, server.url), { headers: cookie ? { cookie } : {} });
  const files = (replay: RecordedReplay) => ({
    download: `/api/replays/${replay.replayId}/download`,
    replayPlaylist: `/api/replays/${replay.replayId}/playlist.m3u8`,
    poster: `/api/replays/${replay.replayId}/poster.jpg`,
    recordingPlaylist: `/recordings/${replay.stageId}/${replay.recordingId}/index.m3u8`,
    segment: `/recordings/${replay.stageId}/${replay.recordingId}/${replay.segmentFiles[0]}`,
  });

  async function register(email: string): Promise<RegistrationResponse> {
    const registration = await fetch(`${server.url}/api/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: 'closed-day', name: 'Åsa Öberg', email }),
    });
    expect(registration.status).toBe(201);
    return (await registration.json()) as RegistrationResponse;
  }

  async function registeredCookie(email: string): Promise<string> {
    const { watchUrl } = await register(email);
    const page = await get(watchUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toMatch(/estrad_access=[^;]+;.*HttpOnly/i);
    expect(page.headers.get('set-cookie')).toMatch(/SameSite=Lax/i);
    return accessCookieOf(page)!;
  }

  it('downloads the MP4 and plays the HLS of a private replay with the cookie the personal link set, and refuses without it', async () => {
    const paths = files(closed);
    for (const path of Object.values(paths)) expect({ path, status: (await get(path)).status }).toEqual({ path, status: 404 });
    for (const path of Object.values(paths))
      expect({ path, status: (await get(path, 'estrad_access=forged-token-0123456789abcdef')).status }).toEqual({ path, status: 404 });

    const cookie = await registeredCookie('asa.oberg@kommun.se');
    const download = await get(paths.download, cookie);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    const mp4 = Buffer.from(await download.arrayBuffer());
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');

    const playlist = await get(paths.replayPlaylist, cookie);
    expect(playlist.status).toBe(200);
    const segments = segmentUrls(await playlist.text(), new URL(paths.replayPlaylist, server.url));
    expect(segments).toHaveLength(closed.segmentFiles.length);
    for (const segment of segments) {
      const answer = await get(segment, cookie);
      expect({ segment: segment.pathname, status: answer.status, type: answer.headers.get('content-type') }).toEqual({
        segment: segment.pathname,
        status: 200,
        type: 'video/mp2t',
      });
      expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect((await get(paths.recordingPlaylist, cookie)).status).toBe(200);
    const poster = await get(paths.poster, cookie);
    expect({ status: poster.status, type: poster.headers.get('content-type') }).toEqual({ status: 200, type: 'image/jpeg' });
  });

  it('gives the cookie to a replay page whose player presents the token in X-Estrad-Access, so its download link works', async () => {
    const { token } = await register('replay.page@kommun.se');
    const info = await fetch(`${server.url}/api/replays/${closed.replayId}`, { headers: { 'x-estrad-access': token } });
    expect(info.status).toBe(200);
    const cookie = accessCookieOf(info);
    expect(cookie).toBe(`estrad_access=${token}`);
    expect((await get(files(closed).download, cookie)).status).toBe(200);
    const again = await fetch(`${server.url}/api/replays/${closed.replayId}`, { headers: { 'x-estrad-access': token, cookie: cookie! } });
    expect(accessCookieOf(again)).toBeUndefined();
  });

  it('sets the same cookie when an access code is entered', async () => {
    const asTechnician = apiCaller(server, { cookie: (await technicianClient(server)).cookie });
    expect((await asTechnician('PUT', '/api/events/closed-day/access-code', { code: 'sundsvall-2026' })).status).toBe(204);
    const wrong = await fetch(`${server.url}/api/events/closed-day/access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'wrong-code' }),
    });
    expect(wrong.status).toBe(403);
    expect(accessCookieOf(wrong)).toBeUndefined();
    const entered = await fetch(`${server.url}/api/events/closed-day/access`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'sundsvall-2026' }),
    });
    expect(entered.status).toBe(200);
    const cookie = accessCookieOf(entered)!;
    expect(cookie).toBeDefined();
    expect((await get(files(closed).download, cookie)).status).toBe(200);
  });

  it('marks a private event\u2019s recorded files private, so no shared cache or CDN keeps them; a public event\u2019s stay public and immutable', async () => {
    // With the header hls.js sends, so that this is only about caching, not about the cookie.
    const { token } = await register('per@kommun.se');
    const privately = files(closed);
    for (const path of [privately.segment, privately.recordingPlaylist, privately.replayPlaylist, privately.download, privately.poster]) {
      const answer = await fetch(new URL(path, server.url), { headers: { 'x-estrad-access': token } });
      expect(answer.status).toBe(200);
      const cacheControl = answer.headers.get('cache-control') ?? '';
      expect({
        path,
        private: cacheControl
          .split(',')
          .map((part) => part.trim())
          .includes('private'),
      }).toEqual({ path, private: true });
      expect(cacheControl).not.toMatch(/public/);
    }
    const publicly = files(open);
    expect((await get(publicly.segment)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get(publicly.recordingPlaylist)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});
