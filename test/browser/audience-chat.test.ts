import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/bench/chromium.js';
import type { ModeratorInviteResponse } from '../../shared/protocol.js';
import { seriousAccessibilityViolations, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

const GREETING = 'Hej från Sundsvall!';
const REPLY = 'Hej Anna, vi tittar i Härnösand.';
const HELD = 'Köp billig reklam här';

/**
 * The stage's chat in the browser: a moderator with a moderator link turns it on at
 * /moderate/<stage>; an attendee writes in the watch page and another reads it in the embed page;
 * the moderator mutes the first (refused, in the attendee's language), deletes a message (gone for
 * everyone), turns slow mode on (shown and kept) and a message with a filtered word waits, seen
 * only by the moderator until let through.
 */
describe('stage chat, from the watch and embed pages to the moderation page and back', () => {
  let server: RunningServer;
  let browser: Browser;
  let anna: Page;
  let omar: Page;
  let moderator: Page;
  let link: ModeratorInviteResponse;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0' });
    const technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('chattdagen', 'public', ['panel', 'sidan']));
    link = await technician.call<ModeratorInviteResponse>('POST', '/api/stages/panel/moderator-invites', { label: 'Chattvärd' });
    browser = await launchChromium();
    const phone = { locale: 'sv-SE', viewport: { width: 390, height: 844 } };
    // A tablet held sideways, the way a panel host holds it.
    const tablet = { locale: 'sv-SE', viewport: { width: 1024, height: 768 }, hasTouch: true };
    anna = await openPage(phone);
    omar = await openPage(phone);
    moderator = await openPage(tablet);
  });

  /** A page in a browser context of its own: each is another attendee (or the moderator). */
  async function openPage(options: Parameters<Browser['newContext']>[0]): Promise<Page> {
    const context = await browser.newContext(options);
    context.on('request', (request) => {
      if (!request.url().startsWith(server.url)) foreignRequests.push(request.url());
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const chatLog = (page: Page) => page.getByRole('log', { name: 'Chatt' });
  const shownMessage = (page: Page, text: string) => chatLog(page).locator('li', { hasText: text });
  const moderatedMessage = (text: string) => moderator.locator('.chat-moderation li', { hasText: text });
  const chatStatus = (page: Page) => page.locator('#chat-status');

  async function write(page: Page, text: string): Promise<void> {
    await page.getByLabel('Ditt meddelande').fill(text);
    await page.getByRole('button', { name: 'Skicka meddelandet' }).click();
  }

  async function saveChatSettings(change: () => Promise<void>): Promise<void> {
    await change();
    const saved = moderator.waitForResponse((response) => response.url() === `${server.url}/api/stages/panel/chat` && response.request().method() === 'PUT');
    await moderator.getByRole('button', { name: 'Spara chattens inställningar' }).click();
    expect((await saved).status()).toBe(200);
    await moderator.getByText('Klart: Spara chattens inställningar').waitFor();
  }

  it('has no chat on the stage until the moderator turns it on; then the watch and embed pages show it', async () => {
    await anna.goto(`${server.url}/watch/panel`);
    await omar.goto(`${server.url}/embed/panel`);
    // The chat's state comes with the questions' (one listing at each join).
    for (const page of [anna, omar]) await page.getByText('Inga godkända frågor ännu.').waitFor();
    expect(await anna.getByRole('heading', { name: 'Chatt' }).count()).toBe(0);

    await moderator.goto(`${server.url}${link.moderateUrl}`);
    await moderator.getByRole('heading', { level: 2, name: 'Chatt' }).waitFor();
    await moderator.getByText('Inga meddelanden.').waitFor();
    await saveChatSettings(async () => {
      await moderator.getByLabel('Chatten är på').check();
      await moderator.getByLabel('Ord som håller kvar ett meddelande för granskning, ett per rad').fill('reklam');
    });
    for (const page of [anna, omar]) await page.getByText('Inga meddelanden ännu.').waitFor();
  });

  it('carries a message from the watch page to the other attendee’s embed page and to the moderator', async () => {
    await anna.getByLabel('Namn i chatten (frivilligt)').fill('Anna');
    await write(anna, GREETING);
    await shownMessage(omar, GREETING).getByText('Anna').waitFor();
    await shownMessage(anna, GREETING).waitFor();
    await moderatedMessage(GREETING).getByText('Anna', { exact: false }).waitFor();
    expect(await anna.getByLabel('Ditt meddelande').inputValue()).toBe('');
    await write(omar, REPLY);
    await shownMessage(anna, REPLY).getByText('Anonym').waitFor();
  });

  it('holds a message with a filtered word for the moderator alone, until the moderator lets it through', async () => {
    await write(omar, HELD);
    await chatStatus(omar).getByText('Ditt meddelande väntar på moderatorn, eftersom det innehåller ett ord som granskas.').waitFor();
    await moderatedMessage(HELD).getByText('Väntar på granskning', { exact: false }).waitFor();
    // Anna's list has moved on past the moment the held message came in, without it.
    await write(anna, 'Vad tycker ni om panelen?');
    await shownMessage(omar, 'Vad tycker ni om panelen?').waitFor();
    for (const page of [anna, omar]) expect(await shownMessage(page, HELD).count()).toBe(0);

    await moderatedMessage(HELD).getByRole('button', { name: 'Släpp fram' }).click();
    for (const page of [anna, omar]) await shownMessage(page, HELD).waitFor();
  });

  it('mutes an attendee by one of their messages: their next one is refused in their language, others still write', async () => {
    await moderatedMessage(GREETING).getByRole('button', { name: 'Tysta i 10 minuter' }).click();
    await moderatedMessage(GREETING).getByText('Tystad till', { exact: false }).waitFor();
    await write(anna, 'Är jag tystad nu?');
    await chatStatus(anna).getByText('Meddelandet skickades inte: en moderator har tystat dig i chatten en stund.').waitFor();
    // The refused text stays in the field, for the attendee to keep.
    expect(await anna.getByLabel('Ditt meddelande').inputValue()).toBe('Är jag tystad nu?');
    await write(omar, 'Jag får fortfarande skriva.');
    await shownMessage(anna, 'Jag får fortfarande skriva.').waitFor();
    expect(await moderatedMessage('Är jag tystad nu?').count()).toBe(0);
  });

  it('deletes a message for everyone; the moderator still sees it, marked deleted', async () => {
    await moderatedMessage(REPLY).getByRole('button', { name: 'Ta bort' }).click();
    await moderatedMessage(REPLY).getByText('Borttaget', { exact: false }).waitFor();
    for (const page of [anna, omar]) await shownMessage(page, REPLY).waitFor({ state: 'detached' });
    await shownMessage(omar, GREETING).waitFor();
  });

  it('shows slow mode to the attendees once the moderator turns it on, and keeps it: a second message too soon is refused', async () => {
    await saveChatSettings(() => moderator.getByLabel(/^Långsamt läge/).fill('60'));
    for (const page of [anna, omar]) await page.getByText('Långsamt läge: ett meddelande var 60:e sekund.').waitFor();
    // Omar wrote less than a minute ago.
    await write(omar, 'En sak till!');
    await chatStatus(omar).getByText('Du skriver för snabbt. Vänta en stund och försök igen.').waitFor();
    expect(await moderatedMessage('En sak till!').count()).toBe(0);

    await saveChatSettings(() => moderator.getByLabel(/^Långsamt läge/).fill('0'));
    await omar.getByText('Långsamt läge: ett meddelande var 60:e sekund.').waitFor({ state: 'detached' });
    await omar.getByRole('button', { name: 'Skicka meddelandet' }).click();
    await shownMessage(anna, 'En sak till!').waitFor();
  });

  it('is accessible, in Swedish throughout, on the chat’s three pages and in both languages, and asks nothing of other sites', async () => {
    for (const page of [anna, omar, moderator]) expect(await textsOfOtherLanguage(page, 'sv')).toEqual([]);
    expect(await seriousAccessibilityViolations(omar)).toEqual([]);
    const chatShown = (page: Page) => () =>
      chatLog(page)
        .or(page.getByRole('log', { name: 'Chat' }))
        .waitFor();
    expect(await violationsInEveryLanguageAndSize(anna, 'watch-chat', chatShown(anna))).toEqual({});
    expect(await violationsInEveryLanguageAndSize(moderator, 'moderate-chat', () => moderator.locator('.chat-moderation').waitFor())).toEqual({});
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
