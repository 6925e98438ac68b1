#!/usr/bin/env node
// What `npm test` checks before running the tests: the build, the type checks and the lint. Each
// is one process on one core, and ESLint's type-aware rules take as long as the rest together, so
// ESLint runs beside the others: on 2 cores the checks take about as long as ESLint alone.
// Each chain's output is shown when it ends; any failure fails the whole (after both ended).
// Node built-ins only, as scripts/setup.mjs.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** Commands in a chain run one after the other; the chains run at the same time. */
const CHAINS = [
  [
    // The server (dist/, with its declarations), then the tests against those declarations.
    ['tsc', '-b', 'test/tsconfig.json'],
    ['vite', 'build'],
    ['tsc', '-p', 'test/client/tsconfig.json'],
    ['prettier', '--check', '.'],
  ],
  [['eslint', '.']],
];

const results = await Promise.all(CHAINS.map(runChain));
const failed = results.filter((result) => !result.ok);
for (const result of failed) console.error(`checks: FAILED: ${result.command}`);
process.exit(failed.length === 0 ? 0 : 1);

async function runChain(chain) {
  for (const [name, ...args] of chain) {
    const command = [name, ...args].join(' ');
    const startedAt = Date.now();
    const { code, output } = await run(path.join(BIN, name), args);
    process.stdout.write(`\n> ${command} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)\n${output}`);
    if (code !== 0) return { ok: false, command };
  }
  return { ok: true };
}

function run(executable, args) {
  return new Promise((resolve) => {
    const child = spawn(executable, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
