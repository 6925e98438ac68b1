import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pages } from '../../shared/pages.js';

describe('the client page list', () => {
  it('names exactly the HTML files in client/ for its pages without the shared shell', () => {
    const htmlFiles = readdirSync(resolve(import.meta.dirname, '../../client')).filter((file) => file.endsWith('.html') && file !== 'shell.html');
    const ownHtml = pages.filter((page) => !page.shell).map((page) => page.name);
    expect(htmlFiles.map((file) => file.replace(/\.html$/, '')).sort()).toEqual(ownHtml.sort());
  });

  it('gives every page an entry module that exists', () => {
    const clientFiles = (dir: string) => readdirSync(resolve(import.meta.dirname, '../../client', dir));
    for (const page of pages) {
      const [dir, file] = [page.entry.slice(0, page.entry.lastIndexOf('/')), page.entry.slice(page.entry.lastIndexOf('/') + 1)];
      expect(clientFiles(dir), page.name).toContain(file);
    }
  });
});
