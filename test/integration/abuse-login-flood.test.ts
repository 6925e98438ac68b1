import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthz, HEALTHY_RESPONSE_MS, livePlaylistUrl, startDemoServer, timedFetch } from '../helpers/abuse.js';
import type { RunningServer } from '../helpers/server.js';
import { TECHNICIAN_ENV } from '../helpers/technician.js';

const ADDRESSES = 20;
/** Under the per-address limit of 10 a minute, so the rate limiter lets every one through. */
const LOGINS_PER_ADDRESS = 2;
/** Sign-ins that may wait for a hash: small, so the accepted ones finish soon on a busy machine. */
const HASH_QUEUE = 4;
/** What the playlist may take before the test calls it stalled (the old server took tens of seconds). */
const STALLED_MS = 15_000;

interface LoginAnswer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** A wrong login from a given loopback source address (a real, different client address). */
function wrongLogin(server: RunningServer, localAddress: string): Promise<LoginAnswer> {
  const body = JSON.stringify({ username: TECHNICIAN_ENV.ADMIN_USERNAME, password: `wrong-${Math.random()}` });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/api/auth/login',
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('a flood of logins from many addresses', () => {
  let server: RunningServer;
  let playlistUrl: string;

  beforeAll(async () => {
    server = await startDemoServer({ ...TECHNICIAN_ENV, PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: String(HASH_QUEUE) });
    playlistUrl = await livePlaylistUrl(server);
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('does not hold up the live playlist, and refuses what it cannot hash now with 503 and Retry-After', async () => {
    const flood = Array.from({ length: ADDRESSES }, (_, index) =>
      Array.from({ length: LOGINS_PER_ADDRESS }, () => wrongLogin(server, `127.0.1.${index + 1}`)),
    ).flat();
    // Once the server is answering logins, the rest are queued behind the first.
    await Promise.race(flood);
    const playlist = await timedFetch(playlistUrl, { signal: AbortSignal.timeout(STALLED_MS) }).catch((error: unknown) => {
      throw new Error(`the live playlist did not load within ${STALLED_MS} ms during the login flood (${String(error)})`);
    });
    expect(playlist.status).toBe(200);
    expect(playlist.ms).toBeLessThan(HEALTHY_RESPONSE_MS);
    await expectHealthz(server);
    const answers = await Promise.all(flood);

    const statuses = new Set(answers.map((answer) => answer.status));
    expect(
      [...statuses].every((status) => status === 401 || status === 503),
      JSON.stringify([...statuses]),
    ).toBe(true);
    const refused = answers.filter((answer) => answer.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'unavailable' } });
    }
  }, 120_000);
});
