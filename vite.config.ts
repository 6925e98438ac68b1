import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { CLIENT_PAGE_NAMES } from './shared/pages.js';

const clientRoot = resolve(import.meta.dirname, 'client');

export default defineConfig({
  root: clientRoot,
  build: {
    outDir: resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    rollupOptions: {
      input: Object.fromEntries(CLIENT_PAGE_NAMES.map((page) => [page, resolve(clientRoot, `${page}.html`)])),
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
