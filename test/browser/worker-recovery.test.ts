import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { waitUntilPlaying } from '../helpers/player.js';
import { waitFor } from '../helpers/server.js';

function mediasoupWorkerPids(serverPid: number): number[] {
  const output = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(serverPid)], { encoding: 'utf8' });
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, command]) => command === 'mediasoup-worke' || command === 'mediasoup-worker')
    .map(([pid]) => Number(pid));
}

describe('a mediasoup worker dies', () => {
  const fixture = useBrowserFixture({ env: { DEMO: '1', MEDIASOUP_WORKERS: '2' } });

  it('keeps the server up, recovers /healthz and the viewer plays again within 10 s', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/watch/demo`);
    await waitUntilPlaying(page, 20_000);

    const pids = mediasoupWorkerPids(server.process.pid!);
    expect(pids, `worker processes under the server; its log:\n${server.logs()}`).toHaveLength(2);
    const killedAt = Date.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');

    // Both must hold at once: the dead workers replaced by new processes, and /healthz saying so.
    await waitFor(
      async () => {
        const replacements = mediasoupWorkerPids(server.process.pid!).filter((pid) => !pids.includes(pid));
        const health = (await (await fetch(`${server.url}/healthz`)).json()) as { mediasoup: { workersAlive: number } };
        return replacements.length === 2 && health.mediasoup.workersAlive === 2;
      },
      10_000,
      () => `the workers were not replaced:\n${server.logs()}`,
    );

    // Nothing flows through the old consumers since their workers died: frames growing again
    // means the page rejoined and its new consumers play.
    await waitUntilPlaying(page, 10_000 - (Date.now() - killedAt));
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(server.process.exitCode).toBeNull();
    expect(server.logs()).toMatch(/mediasoup worker died; replacing it/);
  });
});
