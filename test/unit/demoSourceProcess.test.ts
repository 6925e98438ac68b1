import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoSourceProcess, INGEST_KEY_VARIABLE } from '../../server/ingest/demoSourceProcess.js';

/** A variable of the server's own environment that is none of the demo source's business. */
const SERVER_SECRET = 'ESTRAD_TEST_SERVER_SECRET';

/** A stand-in for scripts/demo-source: prints the environment it was started with, and ends. */
function environmentPrintingScript(): string {
  const script = join(mkdtempSync(join(tmpdir(), 'estrad-demo-env-')), 'print-env.mjs');
  writeFileSync(script, 'console.log(JSON.stringify(process.env));\n');
  return script;
}

describe('the demo source process', () => {
  afterEach(() => {
    delete process.env[SERVER_SECRET];
  });

  it("gets the stage's ingest key and nothing else of the server's environment", async () => {
    process.env[SERVER_SECRET] = 'not for the child';
    // The source's first output, which DemoSourceProcess logs as the message of a pino line.
    let printed!: (line: string) => void;
    const firstOutput = new Promise<string>((resolve) => (printed = resolve));
    const logger = pino({ level: 'info' }, { write: (line: string) => printed((JSON.parse(line) as { msg: string }).msg) });
    const source = new DemoSourceProcess(
      {
        script: environmentPrintingScript(),
        serverUrl: 'http://127.0.0.1:1',
        stageId: 'demo',
        ingestKey: 'the-key',
        codec: 'VP8',
        ffmpegPath: '/usr/bin/false',
      },
      logger,
    );
    source.start();
    // The stand-in ends at once: not started again.
    source.stopRestarting();
    expect(JSON.parse(await firstOutput)).toEqual({ [INGEST_KEY_VARIABLE]: 'the-key' });
  });
});
