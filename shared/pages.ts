/**
 * The client's pages. Each is client/<name>.html (a Vite input) and, but for the home page,
 * served by the server at /<name>/<id> for the kind of id it names. One list for all three.
 */
export const CLIENT_PAGES = {
  index: undefined,
  watch: 'stage',
  speak: 'stage',
  replay: 'record',
} as const satisfies Record<string, 'stage' | 'record' | undefined>;

export type ClientPage = keyof typeof CLIENT_PAGES;

export const CLIENT_PAGE_NAMES = Object.keys(CLIENT_PAGES) as ClientPage[];
