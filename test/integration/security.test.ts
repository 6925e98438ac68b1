import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/protocol.js';
import { openDatabase } from '../../server/storage/database.js';
import { createEvent } from '../../server/storage/events.js';
import { createSpeakerInvite } from '../../server/storage/invites.js';
import { createStage } from '../../server/storage/stages.js';
import { snapshotDatabase } from '../helpers/database.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

/** A data directory with a private event (stage `closed`) and a public one (stages `open`, `other`). */
function prepareDataDir(): { dataDir: string; inviteForOpen: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'estrad-security-'));
  const db = openDatabase(dataDir);
  const event = { timeZone: 'Europe/Stockholm', language: 'sv', description: '' };
  createEvent(db, { ...event, id: 'private-day', title: 'Intern utbildning', visibility: 'private' });
  createEvent(db, { ...event, id: 'public-day', title: 'Öppen dag', visibility: 'public' });
  createStage(db, { id: 'closed', eventId: 'private-day', title: 'Sal A' });
  createStage(db, { id: 'open', eventId: 'public-day', title: 'Sal B' });
  createStage(db, { id: 'other', eventId: 'public-day', title: 'Sal C' });
  const { token } = createSpeakerInvite(db, { stageId: 'open', label: 'Anna', expiresAt: new Date(Date.now() + 3_600_000) });
  db.close();
  return { dataDir, inviteForOpen: token };
}

describe('bad input and abuse are refused with the right error, and change nothing', () => {
  let server: RunningServer;
  let inviteForOpen: string;
  let cookie: string;

  beforeAll(async () => {
    const prepared = prepareDataDir();
    inviteForOpen = prepared.inviteForOpen;
    server = await startServer({ ...TECHNICIAN_ENV, DATA_DIR: prepared.dataDir });
    cookie = (await technicianClient(server)).cookie;
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  const json = (body: unknown) => ({ 'content-type': 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) });

  const httpCases: { name: string; method: string; path: string; body?: string; contentType?: string; cookie?: string; status: number; code: ErrorCode }[] = [
    { name: 'malformed JSON', method: 'POST', path: '/api/registrations', ...split(json('{"eventId": ')), status: 400, code: 'invalid_payload' },
    {
      name: 'wrong types',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 5, name: [], email: true })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: 'A', email: 'a@b.se', admin: true })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'an oversized body',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: 'x'.repeat(100_000), email: 'a@b.se' })),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'a control character in a name',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: 'Anna\u0000Berg', email: 'a@b.se' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a lone surrogate in a name',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: 'Anna \ud800Berg', email: 'a@b.se' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a line break in a name',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: 'Anna\nBerg', email: 'a@b.se' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a C1 control character in a name',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: 'Anna\u0085Berg', email: 'a@b.se' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a NUL in an invite label',
      method: 'POST',
      path: '/api/stages/open/invites',
      cookie: 'technician',
      ...split(json({ label: 'Anna\u0000' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a lone surrogate in a question',
      method: 'POST',
      path: '/api/stages/open/questions',
      ...split(json({ text: 'Fr\u00e5ga \udc00' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a NUL in a question',
      method: 'POST',
      path: '/api/stages/open/questions',
      ...split(json({ text: 'Fr\u00e5ga\u0000' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a name of only spaces',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: '   ', email: 'a@b.se' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a non-ASCII event id',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'folkhälsodagen', name: 'Åsa Öberg', email: 'asa@kommun.se' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'an SQL-like event id',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: "x' OR 1=1 --", name: 'A', email: 'a@b.se' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a broken e-mail address',
      method: 'POST',
      path: '/api/registrations',
      ...split(json({ eventId: 'public-day', name: 'A', email: 'not-an-address' })),
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'text instead of JSON',
      method: 'POST',
      path: '/api/auth/login',
      body: 'username=tech',
      contentType: 'text/plain',
      status: 400,
      code: 'invalid_payload',
    },
    {
      name: 'a wrong password',
      method: 'POST',
      path: '/api/auth/login',
      ...split(json({ username: 'tech', password: 'wrong-password' })),
      status: 401,
      code: 'unauthorized',
    },
    { name: 'a technician route without a session', method: 'GET', path: '/api/auth/me', status: 401, code: 'unauthorized' },
    {
      name: 'a technician route with a forged session',
      method: 'GET',
      path: '/api/auth/me',
      cookie: 'estrad_session=forged-session-token-0123456789',
      status: 401,
      code: 'unauthorized',
    },
    { name: 'path traversal to the package', method: 'GET', path: '/..%2f..%2fpackage.json', status: 404, code: 'not_found' },
    { name: 'path traversal through assets', method: 'GET', path: '/assets/..%2f..%2f..%2fpackage.json', status: 404, code: 'not_found' },
    { name: 'path traversal out of the recordings', method: 'GET', path: '/recordings/..%2f..%2fpackage.json', status: 404, code: 'not_found' },
    { name: 'a recorder file that is not HLS', method: 'GET', path: '/recordings/open/abc/r001.sdp', status: 404, code: 'not_found' },
    { name: 'path traversal in a stage page', method: 'GET', path: '/watch/..%2f..%2fetc%2fpasswd', status: 404, code: 'not_found' },
  ];

  it('answers every bad HTTP request with its error and leaves the database as it was', async () => {
    const before = snapshotDatabase(server.dataDir);
    for (const testCase of httpCases) {
      const headers: Record<string, string> = {};
      if (testCase.contentType) headers['content-type'] = testCase.contentType;
      if (testCase.cookie) headers.cookie = testCase.cookie === 'technician' ? cookie : testCase.cookie;
      const response = await fetch(`${server.url}${testCase.path}`, { method: testCase.method, headers, body: testCase.body });
      const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      expect({ case: testCase.name, status: response.status, code: body.error?.code }).toEqual({
        case: testCase.name,
        status: testCase.status,
        code: testCase.code,
      });
      expect(body.error!.message.length, testCase.name).toBeGreaterThan(5);
    }
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('refuses viewers of a private event without a token, and with a made-up or unknown one', async () => {
    const before = snapshotDatabase(server.dataDir);
    const anonymous = await connect(server.url);
    expect(await request(anonymous, 'stage:join', { stageId: 'closed', role: 'viewer' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    anonymous.disconnect();
    const guessed = await connect(server.url, { access: 'a'.repeat(43) });
    expect(await request(guessed, 'stage:join', { stageId: 'closed', role: 'viewer' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    guessed.disconnect();
    expect(snapshotDatabase(server.dataDir)).toEqual(before);
  });

  it('never lets a viewer publish, nor a speaker act on another stage', async () => {
    const viewer = await connect(server.url);
    expect((await request(viewer, 'stage:join', { stageId: 'open', role: 'viewer' })).ok).toBe(true);
    expect(await request(viewer, 'transport:create', { direction: 'send' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    viewer.disconnect();

    const speaker = await connect(server.url, { invite: inviteForOpen });
    expect(await request(speaker, 'stage:join', { stageId: 'other', role: 'speaker' })).toMatchObject({
      ok: false,
      error: { code: 'invite_wrong_stage', message: expect.stringMatching(/"open"/) },
    });
    expect((await request(speaker, 'stage:join', { stageId: 'open', role: 'speaker' })).ok).toBe(true);
    expect((await request(speaker, 'transport:create', { direction: 'send' })).ok).toBe(true);
    speaker.disconnect();

    const forged = await connect(server.url, { invite: 'b'.repeat(43) });
    expect(await request(forged, 'stage:join', { stageId: 'open', role: 'speaker' })).toMatchObject({ ok: false, error: { code: 'invite_invalid' } });
    forged.disconnect();
  });

  it('sends security headers with a Content-Security-Policy the players work under', async () => {
    const response = await fetch(`${server.url}/watch/open`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("media-src 'self' blob:");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('keeps CORS closed by default', async () => {
    const response = await fetch(`${server.url}/api/stages`, { headers: { origin: 'https://elsewhere.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sets the session cookie httpOnly and SameSite', async () => {
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: TECHNICIAN_ENV.ADMIN_USERNAME, password: TECHNICIAN_ENV.ADMIN_PASSWORD }),
    });
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
  });
});

describe('behind a TLS proxy', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, TRUST_PROXY: '1', CORS_ORIGINS: 'https://embed.example' });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('marks the session cookie Secure', async () => {
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: TECHNICIAN_ENV.ADMIN_USERNAME, password: TECHNICIAN_ENV.ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/Secure/i);
  });

  it('limits sign-ins per client when each attempt sends a different first X-Forwarded-For hop', async () => {
    // The proxy appends the address it saw (198.51.100.7) to whatever the client sent.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const response = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${attempt}, 198.51.100.7` },
        body: JSON.stringify({ username: TECHNICIAN_ENV.ADMIN_USERNAME, password: 'wrong-password' }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array.from({ length: 10 }, () => 401), 429, 429]);
  });

  it('opens CORS to the configured embed origin only', async () => {
    const allowed = await fetch(`${server.url}/api/stages`, { headers: { origin: 'https://embed.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://embed.example');
    const other = await fetch(`${server.url}/api/stages`, { headers: { origin: 'https://other.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

function split(request: { 'content-type': string; body: string }) {
  return { contentType: request['content-type'], body: request.body };
}
