/**
 * The one list of the client's pages: the Vite build takes its inputs from it and the server its
 * page routes, so a new page is one entry here (plus its module under client/src/pages/).
 *
 * `shell` pages are Preact pages without an HTML file of their own: the build generates their HTML
 * from the one shared shell (client/shell.html); the others still have a hand-written HTML file.
 */

/** What a path parameter names; the server checks it with the matching schema. */
export type PageParam = 'stage' | 'record';

export interface PageDefinition {
  /** The build's entry name and the HTML file it emits: `<name>.html`. */
  name: string;
  /** The page's module, relative to client/. */
  entry: string;
  /** Addresses that serve the page; `:param` segments are checked as `params` says. */
  routes: { path: string; param?: PageParam }[];
  /** Generated from the shared shell (Preact pages) rather than from its own HTML file. */
  shell: boolean;
  /** Whether `?access=` on this page's address is remembered as the viewer's access cookie. */
  remembersAccess: boolean;
  /** Other sites (EMBED_ORIGINS) may show the page in a frame; every other page only the server's own. */
  framable?: boolean;
}

export const pages: readonly PageDefinition[] = [
  // Served at / by the static files (index.html), so it needs no route of its own.
  { name: 'index', entry: 'src/pages/home.tsx', routes: [], shell: true, remembersAccess: false },
  { name: 'watch', entry: 'src/pages/watch.tsx', routes: [{ path: '/watch/:param', param: 'stage' }], shell: true, remembersAccess: true },
  // The player alone, for an organiser's page to frame (EMBED_ORIGINS say which sites may).
  { name: 'embed', entry: 'src/pages/embed.tsx', routes: [{ path: '/embed/:param', param: 'stage' }], shell: true, remembersAccess: true, framable: true },
  { name: 'speak', entry: 'src/pages/speak.tsx', routes: [{ path: '/speak/:param', param: 'stage' }], shell: true, remembersAccess: true },
  { name: 'archive', entry: 'src/pages/archive.tsx', routes: [{ path: '/archive' }], shell: true, remembersAccess: false },
  { name: 'control', entry: 'src/pages/control.tsx', routes: [{ path: '/control' }], shell: true, remembersAccess: false },
  // A stage's question and poll moderation, for technicians and the holders of a moderator link (?invite=).
  { name: 'moderate', entry: 'src/pages/moderate.tsx', routes: [{ path: '/moderate/:param', param: 'stage' }], shell: true, remembersAccess: false },
  // /archive/<replay> plays a replay found in the archive; for now it is the replay page.
  {
    name: 'replay',
    entry: 'src/pages/replay.tsx',
    routes: [
      { path: '/replay/:param', param: 'record' },
      { path: '/archive/:param', param: 'record' },
    ],
    shell: true,
    remembersAccess: true,
  },
];
