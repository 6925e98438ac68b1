import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestKeyResponse, InviteResponse, StagesResponse } from '../../shared/protocol.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller, type Caller, expectError, programmeDocument } from './api-fixtures.js';

const screenShare = { tracks: [{ source: 'screen', codec: 'H264' }] };

async function stageLive(server: RunningServer, stageId: string): Promise<boolean> {
  const { stages } = (await (await fetch(`${server.url}/api/stages`)).json()) as StagesResponse;
  return stages.find((stage) => stage.id === stageId)?.live === true;
}

/** The error code of `ingest:open` on `stageId` for a socket that presents `auth` (and headers), or 'ok'. */
async function ingestAs(server: RunningServer, stageId: string, auth: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
  const socket = await connect(server.url, auth, { extraHeaders: headers });
  try {
    const opened = await request(socket, 'ingest:open', { stageId, ...screenShare });
    return opened.ok ? 'ok' : opened.error.code;
  } finally {
    socket.disconnect();
  }
}

describe('plain-RTP ingest needs its stage\u2019s ingest key', () => {
  let server: RunningServer;
  let asTechnician: Caller;
  let inviteForA: string;

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1', TRUST_PROXY: '1' });
    asTechnician = apiCaller(server, { cookie: (await technicianClient(server)).cookie });
    expect((await asTechnician('POST', '/api/programme', programmeDocument('ingest-day', 'public', ['stage-a', 'stage-b']))).status).toBe(201);
    inviteForA = (await asTechnician<InviteResponse>('POST', '/api/stages/stage-a/invites', {})).body.token;
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('keeps the built-in demo source on air with the key its server gave it', async () => {
    await waitFor(
      () => stageLive(server, 'demo'),
      30_000,
      () => `the demo stage never went live:\n${server.logs().slice(-3000)}`,
    );
  });

  it('refuses a loopback socket without a key, whatever X-Forwarded-For says, and a speaker invite on any stage', async () => {
    expect(await ingestAs(server, 'stage-b', {}, { 'x-forwarded-for': '203.0.113.50, 198.51.100.7' })).toBe('forbidden');
    // The refusal is logged with the client's address by the same rule as HTTP's: the proxy's hop (TRUST_PROXY=1), not the first.
    await waitFor(
      () => /"address":"198\.51\.100\.7".*plain-RTP ingest refused/.test(server.logs()),
      5_000,
      () => server.logs().slice(-2000),
    );
    expect(await ingestAs(server, 'demo', {})).toBe('forbidden');
    expect(await ingestAs(server, 'stage-a', { invite: inviteForA })).toBe('forbidden');
    expect(await ingestAs(server, 'stage-b', { invite: inviteForA })).toBe('forbidden');
    expect(await ingestAs(server, 'stage-b', { ingest: 'c'.repeat(43) })).toBe('forbidden');
    expect(await stageLive(server, 'stage-a')).toBe(false);
    expect(await stageLive(server, 'stage-b')).toBe(false);
  });

  it('hands technicians a stage\u2019s ingest key, which opens ingest on that stage only', async () => {
    expectError(await apiCaller(server)('GET', '/api/stages/stage-a/ingest-key'), 401, 'unauthorized');
    const key = await asTechnician<IngestKeyResponse>('GET', '/api/stages/stage-a/ingest-key');
    expect(key.status).toBe(200);
    expect(key.headers.get('cache-control')).toBe('no-store');
    expect(await ingestAs(server, 'stage-b', { ingest: key.body.ingestKey })).toBe('forbidden');
    expect(await stageLive(server, 'stage-b')).toBe(false);

    const socket = await connect(server.url, { ingest: key.body.ingestKey });
    try {
      const opened = await request<{ tracks: unknown[] }>(socket, 'ingest:open', { stageId: 'stage-a', ...screenShare });
      expect(opened.ok).toBe(true);
      await waitFor(
        () => stageLive(server, 'stage-a'),
        10_000,
        () => 'stage-a did not go live with its ingest key',
      );
    } finally {
      socket.disconnect();
    }
  });
});
