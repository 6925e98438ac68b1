import { afterAll, describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../shared/protocol.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

/** Everything in the conference model outlives a restart of the server. */
describe('a restarted server', () => {
  let server: RunningServer;

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('still has its events, stages, talks, registrations, invites and recordings', async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1' });
    const before = await technicianClient(server);
    await before.createStage(DEMO_EVENT_ID, 'sal-b', 'Sal B');
    const invite = await before.createInvite('sal-b');
    const registration = await fetch(`${server.url}/api/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: DEMO_EVENT_ID, name: 'Åsa Öberg', email: 'asa.oberg@kommun.se' }),
    });
    expect(registration.status).toBe(201);
    await waitFor(
      async () => {
        const { recordings } = (await (await fetch(`${server.url}/api/recordings?stage=demo`)).json()) as { recordings: RecordingInfo[] };
        return recordings.some((recording) => recording.durationSeconds >= 2);
      },
      30_000,
      () => 'the demo was not recorded',
    );
    const programmeBefore = await before.call('GET', `/api/events/${DEMO_EVENT_ID}/programme`);

    expect(await server.stop()).toBe(0);
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1', DATA_DIR: server.dataDir, RECORDINGS_DIR: server.recordingsDir });
    const after = await technicianClient(server);

    expect(await after.call('GET', `/api/events/${DEMO_EVENT_ID}/programme`)).toEqual(programmeBefore);
    const csv = await (await fetch(`${server.url}/api/events/${DEMO_EVENT_ID}/registrations.csv`, { headers: { cookie: after.cookie } })).text();
    expect(csv).toContain('asa.oberg@kommun.se');
    const { invites } = await after.call<{ invites: { id: string }[] }>('GET', '/api/stages/sal-b/invites');
    expect(invites.map((listed) => listed.id)).toContain(invite.id);
    const { recordings } = (await (await fetch(`${server.url}/api/recordings?stage=demo`)).json()) as { recordings: RecordingInfo[] };
    expect(recordings.some((recording) => recording.status === 'complete' && recording.durationSeconds >= 2)).toBe(true);
  });
});
