import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_PAGE_NAMES } from '../../shared/pages.js';

describe('the client page list', () => {
  it('names exactly the HTML files in client/ (each a Vite input and a server route)', () => {
    const htmlFiles = readdirSync(resolve(import.meta.dirname, '../../client')).filter((file) => file.endsWith('.html'));
    expect(htmlFiles.map((file) => file.replace(/\.html$/, '')).sort()).toEqual([...CLIENT_PAGE_NAMES].sort());
  });
});
