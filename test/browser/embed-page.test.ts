import { createServer, type Server } from 'node:http';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAPTOP, seriousAccessibilityViolations } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { saveScreenshot } from '../helpers/screenshots.js';
import { freePort, waitFor } from '../helpers/server.js';

/**
 * An organiser's web page on another origin, framing Estrad's pages: http://127.0.0.1:<port> is
 * in EMBED_ORIGINS; http://localhost:<port> (the same little server) is not.
 */
function organiserSite(port: number, estradUrl: string): Promise<Server> {
  const site = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').searchParams.get('page') ?? 'embed';
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(
      `<!doctype html><html lang="sv"><title>Kommunen</title><iframe src="${estradUrl}/${path}/demo" title="Live" width="800" height="560" allow="autoplay; fullscreen"></iframe>`,
    );
  });
  return new Promise((resolve) => site.listen(port, '127.0.0.1', () => resolve(site)));
}

/** The organiser page's frame, once its navigation committed: Estrad's page, or Chromium's error page for a refused one. */
async function estradFrame(page: Page): Promise<Frame> {
  const child = () => page.frames().find((frame) => frame !== page.mainFrame() && frame.url() !== '' && frame.url() !== 'about:blank');
  await waitFor(
    () => child() !== undefined,
    15_000,
    () => 'the organiser page has no loaded frame',
  );
  return child()!;
}

describe('/embed/<stage> plays in an iframe on the sites EMBED_ORIGINS names, and only there', () => {
  let site: Server;
  let sitePort: number;
  const fixture = useBrowserFixture({
    env: async () => {
      sitePort = await freePort();
      return { DEMO: '1', EMBED_ORIGINS: `http://127.0.0.1:${sitePort}` };
    },
  });

  beforeAll(async () => {
    site = await organiserSite(sitePort, fixture.server.url);
  });

  afterAll(async () => {
    await new Promise((resolve) => site?.close(resolve));
  });

  it('answers the embed page with frame-ancestors of the configured origins, and every other page with only its own', async () => {
    const { server } = fixture;
    const embed = await fetch(`${server.url}/embed/demo`);
    expect(embed.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' http://127.0.0.1:${sitePort}`);
    expect(embed.headers.get('x-frame-options')).toBeNull();
    const watch = await fetch(`${server.url}/watch/demo`);
    expect(watch.headers.get('content-security-policy')).toContain("frame-ancestors 'self';");
    expect(watch.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('plays the stage without page chrome in a Swedish organiser page, accessibly, from its own origin only', async () => {
    const { server } = fixture;
    const context = await fixture.newContext({ viewport: LAPTOP });
    const estradRequests: string[] = [];
    context.on('request', (request) => {
      if (request.frame() !== request.frame().page().mainFrame()) estradRequests.push(request.url());
    });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${sitePort}/`);
    const frame = await estradFrame(page);
    await waitFor(
      async () => (await frame.evaluate(() => document.body.dataset.state)) === 'playing',
      30_000,
      () => 'the embedded player did not play',
    );
    expect(await frame.evaluate(() => document.documentElement.lang)).toBe('sv');
    expect(await frame.locator('.site-header, .site-footer').count()).toBe(0);
    expect(await frame.getByRole('button', { name: 'Pausa' }).count()).toBe(1);
    // axe-core runs on the embed page itself: it does not reach into cross-origin frames.
    const alone = await context.newPage();
    await alone.goto(`${server.url}/embed/demo`);
    await alone.getByRole('button', { name: 'Pausa' }).waitFor();
    expect(await seriousAccessibilityViolations(alone)).toEqual([]);
    await saveScreenshot(page, 'embed-sv');
    expect(estradRequests.length).toBeGreaterThan(3);
    expect(estradRequests.filter((url) => new URL(url).origin !== server.url)).toEqual([]);
    await context.close();
  }, 60_000);

  it('is refused in a frame on a site that is not listed, and so is the watch page on a listed one', async () => {
    for (const address of [`http://localhost:${sitePort}/`, `http://127.0.0.1:${sitePort}/?page=watch`]) {
      const page = await fixture.context.newPage();
      await page.goto(address, { waitUntil: 'load' });
      const frame = await estradFrame(page);
      // The frame's load has finished with the parent's: a refused frame holds Chromium's error page.
      expect(frame.url(), address).toMatch(/^chrome-error:/);
      expect(await frame.evaluate(() => document.getElementById('player') !== null).catch(() => false), address).toBe(false);
      await page.close();
    }
  });
});
