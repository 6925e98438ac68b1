import { afterAll, describe, expect, it } from 'vitest';
import type { HealthSnapshot } from '../../shared/health.js';
import type { RecordingInfo, StageProgramResponse, StageSpeakersResponse } from '../../shared/protocol.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

type Technician = Awaited<ReturnType<typeof technicianClient>>;

/** Everything in the conference model outlives a restart of the server. */
describe('a restarted server', () => {
  let server: RunningServer;

  /** The demo's camera producer now (a new one after every restart of its source). */
  async function demoCamera(technician: Technician): Promise<string | undefined> {
    const snapshot = await technician.call<HealthSnapshot>('GET', '/api/health');
    return snapshot.stages.find((stage) => stage.stageId === 'demo')?.feeds.find((feed) => feed.source === 'camera')?.producerId;
  }

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('still has its events, stages, talks, registrations, invites, recordings, speakers on air and program', async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1' });
    const before = await technicianClient(server);
    await before.createStage(DEMO_EVENT_ID, 'sal-b', 'Sal B');
    const invite = await before.createInvite('sal-b');
    const waiting = await before.createInvite('sal-b');
    await before.placeSpeaker('sal-b', invite.id, 'on-air');
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
    let cameraBefore: string | undefined;
    await waitFor(
      async () => (cameraBefore = await demoCamera(before)) !== undefined,
      30_000,
      () => 'the demo camera never came on air',
    );
    await before.call('PUT', '/api/stages/demo/program', { main: cameraBefore, inset: null });

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

    const { speakers } = await after.call<StageSpeakersResponse>('GET', '/api/stages/sal-b/speakers');
    expect(speakers.map(({ inviteId, placement, connected }) => ({ inviteId, placement, connected }))).toEqual([
      { inviteId: invite.id, placement: 'on-air', connected: false },
    ]);
    expect(speakers.some((speaker) => speaker.inviteId === waiting.id)).toBe(false);
    // The demo's source publishes anew after the restart: its new camera takes the Take's place.
    let cameraAfter: string | undefined;
    let program: StageProgramResponse | undefined;
    await waitFor(
      async () => {
        cameraAfter = await demoCamera(after);
        program = await after.call<StageProgramResponse>('GET', '/api/stages/demo/program');
        return cameraAfter !== undefined && program.program.main === cameraAfter;
      },
      30_000,
      () => `the demo camera (${cameraAfter}) did not return to the program's main: ${JSON.stringify(program)}`,
    );
    expect(cameraAfter).not.toBe(cameraBefore);
    expect(program?.program.inset).toBeNull();
  });
});
