import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en, sv } from '../../client/src/i18n/messages.js';
import { launchChromium } from '../../scripts/bench/chromium.js';
import { expectAccessibleInBothLanguages, plainTexts, textLines } from '../helpers/pageLanguage.js';
import { type RunningServer, startServer, waitFor } from '../helpers/server.js';

const EVENT_TITLE = 'Folkhälsodagen 2026 – Psykisk hälsa i hela livet';

describe('the home page shows the event, its programme and what is live, in Swedish or English', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    server = await startServer({ DEMO: '1' });
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
    context.on('request', (request) => requested.push(request.url()));
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  it('with a Swedish browser shows the seeded Swedish event and its programme, with lang="sv"', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1, name: EVENT_TITLE }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
    const stage = page.locator('section[data-stage="demo"]');
    expect(await stage.getByRole('heading', { name: 'Stora scenen' }).count()).toBe(1);
    const talks = stage.locator('li.talk');
    expect(await talks.count()).toBe(6);
    const second = talks.nth(1);
    expect(await second.innerText()).toContain('Barns och ungas psykiska hälsa');
    expect(await second.innerText()).toContain('Medverkande: Ahmed Karimi');
    // The seed plans it at 09:15 Swedish time, whatever the machine's time zone.
    expect(await second.locator('time').first().innerText()).toBe('09:15');
    expect(await stage.getByRole('link', { name: 'Se Stora scenen live' }).getAttribute('href')).toBe('/watch/demo');
    // The demo source goes on air on its own; the page notices within a refresh.
    await waitFor(
      async () => (await stage.locator('.badge').innerText()).toLowerCase() === 'live',
      20_000,
      () => 'the demo stage never showed as live',
    );
    const lines = await textLines(page);
    for (const english of plainTexts(en, sv)) expect(lines, 'English text on the Swedish page').not.toContain(english);
  });

  it('turns English with the language switch, and keeps English after a reload', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Watch Stora scenen live' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await page.getByRole('link', { name: 'Watch Stora scenen live' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    const lines = await textLines(page);
    expect(lines).toContain('With Ahmed Karimi (Utredare, Folkhälsomyndigheten)');
    for (const swedish of plainTexts(sv, en)) expect(lines, 'Swedish text on the English page').not.toContain(swedish);
  });

  it('has no serious or critical accessibility violations in either language, on a phone and a desktop', async () => {
    await expectAccessibleInBothLanguages(page, 'home');
  });

  it('makes every request to its own origin', () => {
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((url) => new URL(url).origin !== server.url)).toEqual([]);
  });
});
