import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { type PageDefinition, pages } from './shared/pages.js';

const clientRoot = resolve(import.meta.dirname, 'client');
const htmlPath = (page: PageDefinition): string => resolve(clientRoot, `${page.name}.html`);

/** Serves the HTML of shell pages (shared/pages.ts) from client/shell.html, so they need no file of their own. */
function shellPages(): Plugin {
  const shellPath = resolve(clientRoot, 'shell.html');
  const byHtmlPath = new Map(pages.filter((page) => page.shell).map((page) => [htmlPath(page), page]));
  const shellFor = (page: PageDefinition): string => readFileSync(shellPath, 'utf8').replace('%PAGE_ENTRY%', `/${page.entry}`);
  return {
    name: 'estrad-shell-pages',
    enforce: 'pre',
    resolveId: (id) => (byHtmlPath.has(id) ? id : null),
    load(id) {
      const page = byHtmlPath.get(id);
      if (!page) return null;
      this.addWatchFile(shellPath);
      return shellFor(page);
    },
    // The dev server reads HTML from disk; answer shell pages from the shell instead.
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = request.url?.split('?')[0] ?? '';
        const page = pages.find((candidate) => candidate.shell && (path === `/${candidate.name}.html` || (candidate.name === 'index' && path === '/')));
        if (!page) return next();
        response.setHeader('content-type', 'text/html; charset=utf-8');
        server.transformIndexHtml(request.url ?? '/', shellFor(page)).then((html) => response.end(html), next);
      });
    },
  };
}

/** What the parts of mediasoup-client no browser runs are replaced with. */
const UNUSED_MODULE = '\0estrad-unused-mediasoup-client-part';

/**
 * mediasoup-client is CommonJS, so the bundler cannot drop what its index and Device require but a
 * browser never runs: the React Native handler (chosen only where `navigator.product` is
 * 'ReactNative') and the fake handler and parameters of its own tests. Left out, they are about
 * 5 kB gzipped less of the player pages' 80 kB budget (`npm run size`).
 */
function withoutUnusedMediasoupClientParts(): Plugin {
  const unused = /[\\/]mediasoup-client[\\/]lib[\\/](?:handlers[\\/](?:ReactNative106|FakeHandler)|test[\\/]fakeParameters)\.js$/;
  return {
    name: 'estrad-mediasoup-client-browser-parts',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer?.includes('mediasoup-client')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && unused.test(resolved.id) ? UNUSED_MODULE : null;
    },
    load: (id) => (id === UNUSED_MODULE ? 'module.exports = {};' : null),
  };
}

export default defineConfig({
  root: clientRoot,
  plugins: [shellPages(), withoutUnusedMediasoupClientParts()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    rollupOptions: {
      input: Object.fromEntries(pages.map((page) => [page.name, htmlPath(page)])),
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
