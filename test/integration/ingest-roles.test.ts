import { cleanup as cleanupDataChannels } from 'node-datachannel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestPointInfo, StageFeedState } from '../../shared/protocol.js';
import { ingestLogs } from '../helpers/ingestLogs.js';
import { ObsWhipClient } from '../helpers/obsWhipClient.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { apiCaller, expectError, programmeDocument } from './api-fixtures.js';

const STAGE = 'roles-hall';

/** Two OBS encoders over WHIP, main and backup, whose roles the technicians swap while both send. */
describe('changing an ingest point’s role while its encoder sends', () => {
  let server: RunningServer;
  let tech: Awaited<ReturnType<typeof technicianClient>>;
  const clients: ObsWhipClient[] = [];

  beforeAll(async () => {
    server = await startServer(TECHNICIAN_ENV);
    tech = await technicianClient(server);
    await tech.call('POST', '/api/programme', programmeDocument('roles-day', 'public', [STAGE, 'roles-annex']));
  });

  afterAll(async () => {
    for (const client of clients) client.stop();
    cleanupDataChannels();
    expect(await server?.stop()).toBe(0);
  });

  const pointInfo = (point: IngestPointInfo) => tech.call<IngestPointInfo>('GET', `/api/ingest-points/${point.id}`);
  const change = (point: IngestPointInfo, changes: object) => tech.call<IngestPointInfo>('PATCH', `/api/ingest-points/${point.id}`, changes);

  async function startObs(point: IngestPointInfo): Promise<ObsWhipClient> {
    const obs = new ObsWhipClient();
    clients.push(obs);
    const answer = await obs.publish(point.url, point.secret);
    expect(answer.status, answer.body).toBe(201);
    await obs.startMedia();
    return obs;
  }

  /** Waits until both points' live state is as given. */
  async function expectStates(expected: [IngestPointInfo, Pick<IngestPointInfo, 'role' | 'receiving' | 'onAir'>][]): Promise<void> {
    let seen: unknown[] = [];
    await waitFor(
      async () => {
        const infos = await Promise.all(expected.map(([point]) => pointInfo(point)));
        seen = infos.map(({ label, role, receiving, onAir }) => ({ label, role, receiving, onAir }));
        return infos.every((info, index) => Object.entries(expected[index]![1]).every(([key, value]) => info[key as keyof IngestPointInfo] === value));
      },
      20_000,
      () => `ingest points not as expected: ${JSON.stringify(seen)}\n${ingestLogs(server)}`,
    );
  }

  it('makes the backup the main and the main the backup: both encoders stay connected and the stage follows the new main', async () => {
    const first = await tech.call<IngestPointInfo>('POST', `/api/stages/${STAGE}/ingest-points`, { protocol: 'whip', label: 'OBS A' });
    const second = await tech.call<IngestPointInfo>('POST', `/api/stages/${STAGE}/ingest-points`, { protocol: 'whip', label: 'OBS B', role: 'backup' });
    await startObs(first);
    const secondObs = await startObs(second);
    await expectStates([
      [first, { role: 'main', receiving: true, onAir: true }],
      [second, { role: 'backup', receiving: true, onAir: false }],
    ]);

    expect(await change(second, { role: 'main' })).toMatchObject({ id: second.id, role: 'main', label: 'OBS B' });
    expect(await change(first, { role: 'backup', label: 'OBS A (spare)' })).toMatchObject({ id: first.id, role: 'backup', label: 'OBS A (spare)' });
    await expectStates([
      [first, { role: 'backup', receiving: true, onAir: false }],
      [second, { role: 'main', receiving: true, onAir: true }],
    ]);
    expect(await tech.call<StageFeedState>('GET', `/api/stages/${STAGE}/feed`)).toMatchObject({ onAir: 'main', choice: 'auto' });
    // The new main is the same WHIP session as before the change: its encoder was not cut off.
    expect(await secondObs.deleteSession(second.secret)).toBe(200);
    await expectStates([[first, { role: 'backup', receiving: true, onAir: true }]]);
  });

  it('refuses an empty change, an unknown role, a revoked point and callers who are not technicians', async () => {
    const point = await tech.call<IngestPointInfo>('POST', `/api/stages/${STAGE}/ingest-points`, { protocol: 'whip', label: 'spare' });
    const anonymous = apiCaller(server);
    const signedIn = apiCaller(server, { cookie: tech.cookie });
    expectError(await signedIn('PATCH', `/api/ingest-points/${point.id}`, {}), 400, 'invalid_payload', 'label, role');
    expectError(await signedIn('PATCH', `/api/ingest-points/${point.id}`, { role: 'primary' }), 400, 'invalid_payload', 'role');
    expectError(await anonymous('PATCH', `/api/ingest-points/${point.id}`, { role: 'backup' }), 401, 'unauthorized');
    await tech.call('DELETE', `/api/ingest-points/${point.id}`);
    expectError(await signedIn('PATCH', `/api/ingest-points/${point.id}`, { role: 'backup' }), 404, 'not_found', point.id);
    expect((await pointInfo(point)).role).toBe('main');
  });
});
