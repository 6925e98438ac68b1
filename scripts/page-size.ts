/**
 * `npm run size`: the JavaScript each built page loads before it runs (its entry script and the
 * chunks it preloads), gzipped, from dist/client. Chunks a page imports on demand are not counted.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pages } from '../shared/pages.js';

const clientDir = resolve(import.meta.dirname, '../client');

/** The JS files a page's HTML names: `<script type="module" src>` and `<link rel="modulepreload" href>`. */
export function initialScripts(html: string): string[] {
  const pattern = /<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g;
  return [...new Set([...html.matchAll(pattern)].map((match) => match[1]!))];
}

function gzippedBytes(file: string): number {
  return gzipSync(readFileSync(join(clientDir, file)), { level: 9 }).length;
}

const rows = pages.map((page) => {
  const scripts = initialScripts(readFileSync(join(clientDir, `${page.name}.html`), 'utf8'));
  return { page: page.name, files: scripts.length, gzippedKiB: Math.round(scripts.reduce((sum, file) => sum + gzippedBytes(file), 0) / 102.4) / 10 };
});
console.log('Initial JavaScript per page, gzipped (level 9):');
for (const row of rows) console.log(`  ${row.page.padEnd(10)} ${String(row.gzippedKiB).padStart(7)} kB  (${row.files} file${row.files === 1 ? '' : 's'})`);

/** The live player must start fast on a phone: its pages' budget (hls.js, loaded on demand, is outside it). */
const BUDGET_KIB: Partial<Record<string, number>> = { watch: 80, embed: 80 };
const over = rows.filter((row) => row.gzippedKiB > (BUDGET_KIB[row.page] ?? Infinity));
for (const row of over) console.error(`${row.page}: ${row.gzippedKiB} kB is over its budget of ${BUDGET_KIB[row.page]} kB`);
if (over.length > 0) process.exitCode = 1;
