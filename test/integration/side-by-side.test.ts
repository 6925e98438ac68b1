import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';

describe('two servers on one machine', () => {
  const servers: RunningServer[] = [];

  afterAll(async () => {
    for (const server of servers) expect(await server.stop()).toBe(0);
  });

  it('run side by side with their own port, data and recordings folders, each with a live demo', async () => {
    servers.push(await startServer({ DEMO: '1' }), await startServer({ DEMO: '1' }));
    const [first, second] = servers as [RunningServer, RunningServer];
    expect(first.port).not.toBe(second.port);
    for (const server of servers) {
      expect(existsSync(server.dataDir)).toBe(true);
      expect(existsSync(server.recordingsDir)).toBe(true);
      await waitFor(
        async () => {
          const { stages } = (await (await fetch(`${server.url}/api/stages`)).json()) as { stages: { id: string; live: boolean }[] };
          return stages.some((stage) => stage.id === 'demo' && stage.live);
        },
        15_000,
        () => `demo not live on ${server.url}:\n${server.logs()}`,
      );
    }
  });

  it('refuses to start with a bad configuration, naming the variable', async () => {
    await expect(startServer({ PORT: 'not-a-port', RTC_LISTEN_IP: 'nowhere' })).rejects.toThrow(/PORT[\s\S]*RTC_LISTEN_IP: /);
  });
});
