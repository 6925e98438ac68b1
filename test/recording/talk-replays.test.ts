import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayInfo } from '../../shared/protocol.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { readRecordings, waitForSegments } from './recordingHelpers.js';

/** How long after a talk's planned end its replay may take to appear (the recorder looks every 5 s). */
const REPLAY_WITHIN_MS = 10_000;

describe('replays of a stage kept live', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('gives a talk its replay once its planned end has passed, while the stage goes on being recorded', async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '1' });
    const recording = await waitForSegments(server, 1);
    const endsAt = new Date(Date.now() + 4_000);
    const technician = await technicianClient(server);
    const programme = await technician.call<{ talks: Record<string, unknown>[] }>('GET', `/api/events/${DEMO_EVENT_ID}/programme`);
    programme.talks.push({
      id: 'ending-soon',
      stageId: 'demo',
      title: 'Snart slut',
      kind: 'talk',
      plannedStart: new Date(Date.now() - 3_600_000).toISOString(),
      plannedEnd: endsAt.toISOString(),
    });
    await technician.call('PUT', `/api/events/${DEMO_EVENT_ID}/programme`, programme);

    let replay: ReplayInfo | undefined;
    await waitFor(
      async () => {
        const { replays } = (await (await fetch(`${server!.url}/api/replays?stage=demo`)).json()) as { replays: ReplayInfo[] };
        replay = replays.find((candidate) => candidate.talkId === 'ending-soon');
        return replay !== undefined;
      },
      endsAt.getTime() - Date.now() + REPLAY_WITHIN_MS,
      () => `no replay of the talk ${REPLAY_WITHIN_MS} ms after its end:\n${server!.logs().slice(-3000)}`,
    );
    expect(replay).toMatchObject({ recordingId: recording.id, inAt: recording.startedAt, outAt: endsAt.toISOString() });
    expect(readRecordings(server.dataDir).find((found) => found.id === recording.id)?.status).toBe('recording');
    const playlist = await (await fetch(`${server.url}${replay!.playlistUrl}`)).text();
    expect(playlist).toContain('#EXT-X-ENDLIST');
    expect(playlist).toMatch(/\.ts$/m);
  });
});
