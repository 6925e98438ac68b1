import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const clientRoot = resolve(import.meta.dirname, 'client');

export default defineConfig({
  root: clientRoot,
  build: {
    outDir: resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: resolve(clientRoot, 'index.html'),
        watch: resolve(clientRoot, 'watch.html'),
        speak: resolve(clientRoot, 'speak.html'),
        replay: resolve(clientRoot, 'replay.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
