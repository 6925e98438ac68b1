/** What every benchmark script needs around its measurement: option checks, waiting, its report file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export function positiveInteger(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${text}").`);
  return value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, Math.max(0, ms)));
}

/** Writes bench/results/<kind>-<time>.md under the working folder and returns its relative path. */
export function writeReport(kind: string, markdown: string, startedAt: Date): string {
  const folder = join(process.cwd(), 'bench/results');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${kind}-${startedAt.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(path, markdown);
  return relative(process.cwd(), path);
}
