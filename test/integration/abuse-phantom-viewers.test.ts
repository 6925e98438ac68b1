import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStage, expectHealthz, startDemoServer } from '../helpers/abuse.js';
import { type RunningServer, waitFor } from '../helpers/server.js';
import { connect, request } from '../helpers/signalling.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

const SOCKETS = 5;
const JOINS_PER_SOCKET = 20;

/** The stage's viewer gauge lines in /metrics: none once the stage closed. */
async function viewerGauge(server: RunningServer, stageId: string): Promise<string[]> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(`estrad_stage_viewers{stage="${stageId}"}`));
}

/** Concurrent joins from one socket, then a disconnect: nobody must stay counted. */
describe('a socket that floods stage:join and disconnects', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startDemoServer(TECHNICIAN_ENV);
    await (await technicianClient(server)).createStage(DEMO_EVENT_ID, 'sal-b', 'Sal B');
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it.each(['demo', 'sal-b'])('leaves no phantom viewer on %s, and a stage nobody is on closes', async (stageId) => {
    const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => connect(server.url)));
    const joins = await Promise.all(
      sockets.flatMap((socket) => Array.from({ length: JOINS_PER_SOCKET }, () => request(socket, 'stage:join', { stageId, role: 'viewer' }))),
    );
    expect(joins.filter((join) => join.ok).length).toBeGreaterThan(0);
    for (const socket of sockets) socket.disconnect();

    let gauge: string[] = [];
    await waitFor(
      async () => (gauge = await viewerGauge(server, stageId)).every((line) => line.endsWith(' 0')),
      10_000,
      () => `viewers still counted with nobody connected: ${gauge.join(', ')}`,
    );
    if (stageId === 'demo') {
      expect((await demoStage(server.url))?.viewers).toBe(0);
    } else {
      // An ordinary stage goes away with its last peer: no series for it any more.
      await waitFor(
        async () => (await viewerGauge(server, stageId)).length === 0,
        10_000,
        () => `${stageId} never closed`,
      );
    }
    await expectHealthz(server);
  });
});
