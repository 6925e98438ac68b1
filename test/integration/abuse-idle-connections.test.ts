import { connect as connectTcp, type Socket } from 'node:net';
import { io } from 'socket.io-client';
import { describe, expect, it, type TestContext } from 'vitest';
import { openFileLimit } from '../../server/config/openFiles.js';
import { expectHealthz, timedFetch } from '../helpers/abuse.js';
import { type RunningServer, startServerForTest, waitFor } from '../helpers/server.js';

const SOFT_LIMIT = 256;
/** More than the soft limit: on the old server these took every descriptor it had. */
const IDLE_CONNECTIONS = 320;
const IDLE_TIMEOUT_SECONDS = 15;

/** TCP connections to the server that never send a byte. */
async function openIdleConnections(server: RunningServer, count: number): Promise<{ sockets: Socket[]; closedByServer: () => number }> {
  let closed = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connectTcp({ host: '127.0.0.1', port: server.port }, () => resolve(socket));
          socket.once('error', reject);
          socket.once('close', () => closed++);
        }),
    ),
  );
  return { sockets, closedByServer: () => closed };
}

function softOpenFileLimit(pid: number): number | undefined {
  return openFileLimit(`/proc/${pid}/limits`)?.soft;
}

async function apiAnswers(server: RunningServer): Promise<void> {
  const stages = await timedFetch(`${server.url}/api/stages`);
  expect(stages.status).toBe(200);
}

/** Sockets of one test, destroyed when it ends (before its server stops: hooks run last-registered first). */
function socketsForTest(onTestFinished: TestContext['onTestFinished']): Socket[] {
  const sockets: Socket[] = [];
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
  });
  return sockets;
}

// Each test has a server of its own, and two of them mostly wait for the idle timeout: at once.
describe.concurrent('idle TCP connections cannot use up the server\u2019s file descriptors', () => {
  // Node itself raises the soft limit to the hard one at start-up; this shows the server relies on it.
  it(`runs with its soft limit raised to the hard one, so ${IDLE_CONNECTIONS} idle connections at a soft limit of ${SOFT_LIMIT} leave /healthz and the API answering`, async ({
    onTestFinished,
  }) => {
    const server = await startServerForTest(onTestFinished)({}, { launcher: ['prlimit', `--nofile=${SOFT_LIMIT}:8192`, '--'] });
    const sockets = socketsForTest(onTestFinished);
    expect(softOpenFileLimit(server.process.pid!)).toBe(8192);
    sockets.push(...(await openIdleConnections(server, IDLE_CONNECTIONS)).sockets);
    await expectHealthz(server);
    await apiAnswers(server);
  });

  it(`closes connections that never speak, so the server recovers even where the hard limit is ${SOFT_LIMIT}`, async ({ onTestFinished }) => {
    const server = await startServerForTest(onTestFinished)(
      { HTTP_IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS) },
      { launcher: ['prlimit', `--nofile=${SOFT_LIMIT}:${SOFT_LIMIT}`, '--'] },
    );
    const sockets = socketsForTest(onTestFinished);
    const idle = await openIdleConnections(server, IDLE_CONNECTIONS);
    sockets.push(...idle.sockets);
    expect(server.logs()).toMatch(/the open-file limit is 256; .*ulimit -n/);
    await waitFor(
      () => idle.closedByServer() === IDLE_CONNECTIONS,
      IDLE_TIMEOUT_SECONDS * 1000 + 10_000,
      () => `${idle.closedByServer()} of ${IDLE_CONNECTIONS} idle connections closed`,
    );
    await expectHealthz(server);
    await apiAnswers(server);
  });

  // Not an attack: the idle timeout must spare clients that are quiet on purpose.
  it('keeps a socket.io long-polling client, whose requests wait for the 10 s ping, connected past the idle timeout', async ({ onTestFinished }) => {
    const server = await startServerForTest(onTestFinished)({ HTTP_IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS) });
    const polling = io(server.url, { transports: ['polling'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        polling.once('connect', resolve);
        polling.once('connect_error', reject);
      });
      let disconnected: string | undefined;
      polling.on('disconnect', (reason) => (disconnected = reason));
      const until = Date.now() + (IDLE_TIMEOUT_SECONDS + 8) * 1000;
      await waitFor(() => disconnected !== undefined || Date.now() > until, (IDLE_TIMEOUT_SECONDS + 10) * 1000);
      expect(disconnected).toBeUndefined();
      expect(polling.io.engine.transport.name).toBe('polling');
    } finally {
      polling.disconnect();
    }
  }, 60_000);
});
