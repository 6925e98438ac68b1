import { describe, expect, it } from 'vitest';
import { violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { textLines, textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { waitFor } from '../helpers/server.js';

const EVENT_TITLE = 'Folkhälsodagen 2026 – Psykisk hälsa i hela livet';

describe('the home page shows the event, its programme and what is live, in Swedish or English', () => {
  const fixture = useBrowserFixture({ env: { DEMO: '1' } });

  it('with a Swedish browser shows the seeded Swedish event and its programme, with lang="sv"', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1, name: EVENT_TITLE }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('sv');
    expect(await page.locator('.event-organiser').innerText()).toBe('Arrangör: Sundsvalls kommun och Region Västernorrland');
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
    expect(await textsOfOtherLanguage(page, 'sv'), 'English text on the Swedish page').toEqual([]);
  });

  it('turns English with the language switch, and keeps English after a reload', async () => {
    const { page } = fixture;
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Watch Stora scenen live' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await page.getByRole('link', { name: 'Watch Stora scenen live' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    const lines = await textLines(page);
    expect(lines).toContain('With Ahmed Karimi (Utredare, Folkhälsomyndigheten)');
    expect(await textsOfOtherLanguage(page, 'en'), 'Swedish text on the English page').toEqual([]);
  });

  it('has no serious or critical accessibility violations in either language, on a phone and a desktop', async () => {
    const { page } = fixture;
    expect(await violationsInEveryLanguageAndSize(page, 'home', () => page.locator('section[data-stage="demo"] li.talk').first().waitFor())).toEqual({});
  });

  it('makes every request to its own origin', () => {
    expect(fixture.requested.length).toBeGreaterThan(3);
    expect(fixture.foreignRequests()).toEqual([]);
  });
});
