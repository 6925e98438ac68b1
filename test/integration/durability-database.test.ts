import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../shared/protocol.js';
import { essentialEnvironment } from '../../scripts/bench/localServer.js';
import { databasePath } from '../../server/storage/database.js';
import { demoEventDataDir, type RunningServer, startServer, waitFor } from '../helpers/server.js';
import { DEMO_EVENT_ID, TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';

const root = resolve(import.meta.dirname, '../..');
/** A server on a new data directory holding the demo event, which takes registrations; the demo's media is not needed here. */
const startWithDemoEvent = () => startServer({ ...TECHNICIAN_ENV, DATA_DIR: demoEventDataDir() });

async function register(server: RunningServer, from: number, count: number): Promise<void> {
  for (let index = from; index < from + count; index++) {
    const response = await fetch(`${server.url}/api/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: DEMO_EVENT_ID, name: `Deltagare ${index}`, email: `deltagare.${index}@kommun.se` }),
    });
    expect(response.status, await response.text()).toBe(201);
  }
}

async function registeredEmails(server: RunningServer): Promise<string[]> {
  const technician = await technicianClient(server);
  const csv = await (await fetch(`${server.url}/api/events/${DEMO_EVENT_ID}/registrations.csv`, { headers: { cookie: technician.cookie } })).text();
  return [...csv.matchAll(/deltagare\.\d+@kommun\.se/g)].map((match) => match[0]).sort();
}

async function health(server: RunningServer): Promise<{ status: number; body: HealthResponse }> {
  const response = await fetch(`${server.url}/healthz`);
  return { status: response.status, body: (await response.json()) as HealthResponse };
}

function expected(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `deltagare.${index}@kommun.se`).sort();
}

describe('the database survives what happens to its files', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    if (server) expect(await server.stop()).toBe(0);
    server = undefined;
  });

  it('notices its write-ahead log deleted while running, says so in /healthz, and loses no registration', async () => {
    server = await startWithDemoEvent();
    await register(server, 0, 10);
    const wal = `${databasePath(server.dataDir)}-wal`;
    expect(existsSync(wal)).toBe(true);
    rmSync(wal);
    await register(server, 10, 15);

    let last: Awaited<ReturnType<typeof health>> | undefined;
    await waitFor(
      async () => (last = await health(server!)).status === 503,
      20_000,
      () => `healthz stayed ${JSON.stringify(last)}`,
    );
    expect(last!.body).toMatchObject({ status: 'degraded', storage: { ok: false } });
    expect(last!.body.storage.problem).toContain(wal);
    expect(server.logs()).toMatch(/write-ahead log .* was deleted or replaced/);
    await register(server, 25, 5);

    expect(await server.stop()).toBe(0);
    server = await startServer({ ...TECHNICIAN_ENV, DATA_DIR: server.dataDir, RECORDINGS_DIR: server.recordingsDir });
    expect(await registeredEmails(server)).toEqual(expected(30));
    expect((await health(server)).body.storage).toEqual({ ok: true });
  });

  it('refuses to start over a data directory whose database is gone, naming the file and what to do', async () => {
    server = await startWithDemoEvent();
    await register(server, 0, 3);
    const { dataDir, recordingsDir } = server;
    expect(await server.stop()).toBe(0);
    server = undefined;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${databasePath(dataDir)}${suffix}`, { force: true });

    // With the demo on, which would seed its event into a new database.
    const outcome = await startServer({ ...TECHNICIAN_ENV, DEMO: '1', DATA_DIR: dataDir, RECORDINGS_DIR: recordingsDir }).then(
      async (started) => `started anyway (exit ${await started.stop()})`,
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/server exited with 1/);
    expect(outcome).toMatch(new RegExp(`${databasePath(dataDir)} is missing or empty[\\s\\S]*restore[\\s\\S]*backup`));
    // Nothing was seeded over the lost data: the directory still has no database.
    expect(existsSync(databasePath(dataDir))).toBe(false);
  });

  it('backs up while running with npm run backup, and a server started on the backup has every registration', async () => {
    server = await startWithDemoEvent();
    await register(server, 0, 25);
    const backup = join(mkdtempSync(join(tmpdir(), 'estrad-backup-')), 'estrad-backup.sqlite');
    const output = execFileSync(process.execPath, [join(root, 'dist/scripts/backup.js'), backup], {
      env: { ...essentialEnvironment(), DATA_DIR: server.dataDir },
      encoding: 'utf8',
    });
    expect(output).toContain(backup);
    await register(server, 25, 1);
    expect(await server.stop()).toBe(0);

    const restoredDir = mkdtempSync(join(tmpdir(), 'estrad-restored-'));
    mkdirSync(restoredDir, { recursive: true });
    copyFileSync(backup, databasePath(restoredDir));
    server = await startServer({ ...TECHNICIAN_ENV, DATA_DIR: restoredDir });
    expect(await registeredEmails(server)).toEqual(expected(25));
  });
});
