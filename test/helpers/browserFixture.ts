/**
 * What a browser test file starts once and shares between its tests: the built server, Debian's
 * Chromium, and a page in a Swedish, phone-sized context that notes every request it makes. The
 * hooks are registered by `useBrowserFixture` (vitest runs a file's beforeAll hooks in order, so a
 * test's own beforeAll after it finds the server running, and its afterAll runs before this one's).
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { type ChromiumCapture, launchChromium } from '../../scripts/bench/chromium.js';
import { PHONE } from './axe.js';
import { type RunningServer, startServer } from './server.js';

type Environment = Record<string, string>;

export interface BrowserFixtureOptions {
  /** The server's environment, or what makes it when the hooks run (folders to prepare, ports to find). */
  env?: Environment | (() => Environment | Promise<Environment>);
  /** Over the page context's defaults (sv-SE, PHONE). */
  context?: BrowserContextOptions;
  /** What Chromium may capture (default: its fake camera and microphone, allowed without a prompt). */
  capture?: ChromiumCapture;
}

export interface BrowserFixture {
  readonly server: RunningServer;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every URL the context's pages requested, in order. */
  readonly requested: string[];
  /** The requested URLs that left the server's origin (its WebSocket included; data: and blob: never leave the page). */
  foreignRequests(): string[];
  /** Another person in the same browser (a viewer beside the speaker): cookies, storage and connections of its own. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A graceful restart (exit 0 expected) on the same folders and environment, with `env` on top. */
  restartServer(env?: Environment): Promise<RunningServer>;
}

export function useBrowserFixture(options: BrowserFixtureOptions = {}): BrowserFixture {
  let running: { server: RunningServer; browser: Browser; context: BrowserContext; page: Page } | undefined;
  let serverEnv: Environment = {};
  const requested: string[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    serverEnv = typeof options.env === 'function' ? await options.env() : (options.env ?? {});
    // Both start-ups at once: each mostly waits (for /healthz, for Chromium's first window).
    const [server, browser] = await Promise.all([startServer(serverEnv), launchChromium(options.capture)]);
    const context = await browser.newContext({ locale: 'sv-SE', viewport: PHONE, ...options.context });
    context.on('request', (request) => requested.push(request.url()));
    running = { server, browser, context, page: await context.newPage() };
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await running?.browser.close();
    expect(await running?.server.stop()).toBe(0);
  });

  const need = () => {
    if (!running) throw new Error('the browser fixture is used before its beforeAll ran (or after it failed)');
    return running;
  };

  return {
    get server() {
      return need().server;
    },
    get browser() {
      return need().browser;
    },
    get context() {
      return need().context;
    },
    get page() {
      return need().page;
    },
    requested,
    foreignRequests() {
      const own = new URL(need().server.url).host;
      return requested.filter((url) => {
        const { protocol, host } = new URL(url);
        return protocol !== 'data:' && protocol !== 'blob:' && host !== own;
      });
    },
    async newContext(contextOptions = {}) {
      const context = await need().browser.newContext({ locale: 'sv-SE', viewport: PHONE, ...contextOptions });
      contexts.push(context);
      return context;
    },
    async restartServer(env = {}) {
      const current = need();
      expect(await current.server.stop()).toBe(0);
      serverEnv = { ...serverEnv, ...env, DATA_DIR: current.server.dataDir, RECORDINGS_DIR: current.server.recordingsDir };
      current.server = await startServer(serverEnv);
      return current.server;
    },
  };
}
