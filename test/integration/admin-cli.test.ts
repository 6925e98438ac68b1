import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { essentialEnvironment } from '../../scripts/bench/localServer.js';
import { type RunningServer, startServer } from '../helpers/server.js';

const adminScript = resolve(import.meta.dirname, '../../dist/scripts/admin.js');

function admin(dataDir: string, args: string[], password: string): { status: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [adminScript, ...args], {
      env: { ...essentialEnvironment(), DATA_DIR: dataDir, ESTRAD_ADMIN_PASSWORD: password },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stderr: string };
    return { status: failed.status, output: failed.stderr };
  }
}

describe('npm run admin -- create <name>', () => {
  let server: RunningServer | undefined;

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('creates a technician who can then sign in, and refuses duplicates and short passwords', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'estrad-admin-'));
    expect(admin(dataDir, ['create', 'kontrollrum'], 'ett-langt-losenord')).toMatchObject({ status: 0 });
    expect(admin(dataDir, ['create', 'Kontrollrum'], 'ett-langt-losenord')).toMatchObject({ status: 1, output: expect.stringMatching(/already exists/) });
    expect(admin(dataDir, ['create', 'kort'], 'kort')).toMatchObject({ status: 1, output: expect.stringMatching(/at least 12/) });
    expect(admin(dataDir, ['remove'], 'ett-langt-losenord')).toMatchObject({ status: 1, output: expect.stringMatching(/Usage/) });

    server = await startServer({ DATA_DIR: dataDir });
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'kontrollrum', password: 'ett-langt-losenord' }),
    });
    expect(login.status).toBe(200);
  });
});
