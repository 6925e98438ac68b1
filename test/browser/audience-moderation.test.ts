import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/bench/chromium.js';
import type { ModeratorInviteResponse } from '../../shared/protocol.js';
import { seriousAccessibilityViolations, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { textsOfOtherLanguage } from '../helpers/pageLanguage.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

const QUESTION = 'Hur når vi äldre som bor ensamma?';
const SECOND_QUESTION = 'Vad kostar de för kommunen?';
const CORRECTED_QUESTION = 'Vad kostar det för kommunen?';
/** How many one screen's "we are N here" may count, as configured for this server. */
const GROUP_CAP = 5;

/**
 * The browser test: an attendee asks in the watch page, a moderator with a moderator link
 * approves and pins it at /moderate/<stage>, the attendee's player shows it; a poll is answered
 * in the watch page and its result shown to both.
 */
describe('audience questions and a poll, from the watch page to the moderation page and into the player', () => {
  let server: RunningServer;
  let browser: Browser;
  let attendeeContext: BrowserContext;
  let moderatorContext: BrowserContext;
  let attendee: Page;
  let moderator: Page;
  let link: ModeratorInviteResponse;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0', QUESTION_GROUP_SIZE_MAX: String(GROUP_CAP), QUESTION_RATE_LIMIT_PER_MINUTE: '2' });
    const technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('paneldagen', 'public', ['panel', 'sidan']));
    link = await technician.call<ModeratorInviteResponse>('POST', '/api/stages/panel/moderator-invites', { label: 'Panelvärd' });
    browser = await launchChromium();
    attendeeContext = await browser.newContext({ locale: 'sv-SE', viewport: { width: 390, height: 844 } });
    // A tablet held sideways, the way a panel host holds it.
    moderatorContext = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1024, height: 768 }, hasTouch: true });
    for (const context of [attendeeContext, moderatorContext]) {
      context.on('request', (request) => {
        if (!request.url().startsWith(server.url)) foreignRequests.push(request.url());
      });
    }
    attendee = await attendeeContext.newPage();
    moderator = await moderatorContext.newPage();
    for (const page of [attendee, moderator]) page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const incoming = () => moderator.getByRole('region', { name: 'Inkommande' });
  const approved = () => moderator.getByRole('region', { name: 'Godkända, i visningsordning' });
  /** A question's item by its own text (the merge choices of the others name it too). */
  const moderated = (text: string) => moderator.locator('li.moderated').filter({ has: moderator.locator('p.question-text', { hasText: text }) });
  const questionIn = (section: ReturnType<typeof incoming>, text: string) => section.locator('p.question-text', { hasText: text });

  it('lets an attendee ask from the watch page, anonymously, with the keyboard; the question waits for moderation', async () => {
    await attendee.goto(`${server.url}/watch/panel`);
    await attendee.getByRole('heading', { level: 2, name: 'Frågor till scenen' }).waitFor();
    await attendee.getByText('Inga godkända frågor ännu.').waitFor();
    await attendee.getByLabel('Din fråga').fill(QUESTION);
    await attendee.getByLabel('Din fråga').press('Tab');
    await attendee.keyboard.press('Tab');
    expect(await attendee.evaluate(() => document.activeElement?.textContent)).toBe('Skicka frågan');
    await attendee.keyboard.press('Enter');
    await attendee.locator('#ask-status').getByText('Tack! Frågan visas för alla när en moderator har godkänt den.').waitFor();
    const mine = attendee.locator('.my-questions li', { hasText: QUESTION });
    await mine.getByText('Väntar på moderatorn').waitFor();
    expect(await attendee.getByLabel('Din fråga').inputValue()).toBe('');
    // Not approved: not in the list every attendee sees.
    expect(await attendee.locator('.question-list').count()).toBe(0);
  });

  it('shows the question at /moderate/<stage> opened with the moderator link, and new ones as they come; a third within the minute is refused, in Swedish', async () => {
    await moderator.goto(`${server.url}${link.moderateUrl}`);
    await moderator.getByRole('heading', { level: 1, name: 'Moderering: Stora salen' }).waitFor();
    await questionIn(incoming(), QUESTION).waitFor();
    await attendee.getByLabel('Din fråga').fill(SECOND_QUESTION);
    await attendee.getByLabel('Ditt namn (frivilligt)').fill('Karin');
    await attendee.getByRole('button', { name: 'Skicka frågan' }).click();
    await questionIn(incoming(), SECOND_QUESTION).waitFor();
    await moderated(SECOND_QUESTION).getByText('Karin').waitFor();
    // A third within the minute is one more than this server takes from one attendee.
    await attendee.getByLabel('Din fråga').fill('Och en fråga till?');
    await attendee.getByRole('button', { name: 'Skicka frågan' }).click();
    await attendee.locator('#ask-status').getByText('För många försök. Vänta en minut och försök igen.').waitFor();
    expect(await attendee.getByLabel('Din fråga').inputValue()).toBe('Och en fråga till?');
    await attendee.getByLabel('Din fråga').fill('');
    expect(await seriousAccessibilityViolations(moderator)).toEqual([]);
  });

  it('approves and pins the question: it is in every attendee’s list and over the picture of their player', async () => {
    await moderated(QUESTION).getByRole('button', { name: 'Godkänn' }).click();
    await questionIn(approved(), QUESTION).waitFor();
    await attendee.locator('.question-list').getByText(QUESTION).waitFor();
    await attendee.locator('.my-questions li', { hasText: QUESTION }).getByText('Godkänd').waitFor();

    await moderated(QUESTION).getByRole('button', { name: 'Visa på skärmen' }).click();
    await moderated(QUESTION).getByRole('button', { name: 'Visa på skärmen', pressed: true }).waitFor();
    await moderator.locator('#moderator-on-screen', { hasText: QUESTION }).waitFor();
    const onScreen = attendee.locator('#player #player-on-screen');
    await onScreen.getByText(QUESTION).waitFor();
    expect(await onScreen.getByText('Fråga på skärmen').isVisible()).toBe(true);
    // The pinned question sits inside the picture's box.
    const [player, pinned] = await Promise.all([attendee.locator('#player').boundingBox(), onScreen.boundingBox()]);
    expect(pinned!.y + pinned!.height).toBeLessThanOrEqual(player!.y + player!.height + 1);
    expect(pinned!.y).toBeGreaterThanOrEqual(player!.y);
  });

  it('counts the attendee’s one vote, as the moderator sees it', async () => {
    const item = attendee.locator('.question-list li', { hasText: QUESTION });
    await item.getByRole('button', { name: 'Rösta på frågan' }).click();
    await item.getByRole('button', { name: 'Du har röstat (ångra)', pressed: true }).waitFor();
    await item.getByText('1 röst', { exact: true }).waitFor();
    await moderated(QUESTION).getByText('1 röst').waitFor();
    // A reload is the same attendee: the vote holds, and counts once.
    await attendee.reload();
    const reloaded = attendee.locator('.question-list li', { hasText: QUESTION });
    await reloaded.getByRole('button', { name: 'Du har röstat (ångra)', pressed: true }).waitFor();
    await reloaded.getByText('1 röst', { exact: true }).waitFor();
    await attendee.locator('#player-on-screen').getByText(QUESTION).waitFor();
  });

  it('shows the asker that a moderator corrected their question, and the moderator what it said before', async () => {
    await moderated(SECOND_QUESTION).getByRole('button', { name: 'Rätta texten' }).click();
    await moderator.getByLabel('Frågans text').fill(CORRECTED_QUESTION);
    await moderator.getByRole('button', { name: 'Spara texten' }).click();
    await moderated(CORRECTED_QUESTION).getByText(`Som den ställdes: ${SECOND_QUESTION}`).waitFor();
    await attendee.locator('.my-questions li', { hasText: CORRECTED_QUESTION }).getByText('Väntar på moderatorn · Redigerad av moderatorn').waitFor();
  });

  it('weighs the vote of "we are N here" up to the configured cap, and shows everyone what became of the questions', async () => {
    await attendee.locator('.question-counts').getByText('Inkomna 2 · godkända 1 · besvarade 0 · sammanslagna 0 · avböjda 0').waitFor();
    await attendee.getByLabel('Så många är vi vid den här skärmen').fill('8');
    await attendee.getByRole('button', { name: 'Spara antalet' }).click();
    await attendee.locator('#group-status').getByText(`Högst ${GROUP_CAP} per skärm: era röster räknas ${GROUP_CAP} gånger.`).waitFor();
    await attendee.locator('.question-list li', { hasText: QUESTION }).getByText(`${GROUP_CAP} röster`, { exact: true }).waitFor();
    await moderated(QUESTION).getByText(`${GROUP_CAP} röster`).waitFor();

    await moderated(QUESTION).getByRole('button', { name: 'Markera som besvarad' }).click();
    const answered = attendee.locator('.question-list li', { hasText: QUESTION });
    await answered.locator('.answered-mark', { hasText: 'Besvarad' }).waitFor();
    expect(await answered.getByRole('button').count()).toBe(0);
    await attendee.locator('.question-counts').getByText('Inkomna 2 · godkända 0 · besvarade 1 · sammanslagna 0 · avböjda 0').waitFor();
  });

  it('opens a poll the attendee answers, with the result shown to both', async () => {
    await moderator.getByLabel('Omröstningens fråga').fill('Hur var panelen?');
    await moderator.getByLabel('Alternativ 1').fill('Bra');
    await moderator.getByLabel('Alternativ 2').fill('Kunde varit bättre');
    await moderator.getByRole('button', { name: 'Starta omröstningen' }).click();

    const ballot = attendee.getByRole('group', { name: 'Hur var panelen?' });
    await ballot.waitFor();
    await ballot.getByLabel('Bra').check();
    await attendee.getByRole('button', { name: 'Rösta', exact: true }).click();
    await attendee.locator('#poll-status').getByText('Tack för din röst!').waitFor();
    const result = attendee.locator('.poll-results', { hasText: 'Hur var panelen?' });
    await result.locator('li[data-option="0"]').getByText('1 röst (100 %)').waitFor();
    await result.locator('li[data-option="0"]').getByText('(ditt val)').waitFor();
    await result.locator('li[data-option="1"]').getByText('0 röster (0 %)').waitFor();
    await moderator.locator('.poll-results li[data-option="0"]').getByText('1 röst (100 %)').waitFor();

    await moderator.getByRole('button', { name: 'Stäng omröstningen' }).click();
    await result.getByText('Stängd', { exact: false }).waitFor();
  });

  it('opens a multiple-choice poll beside the closed one, which stays with its results', async () => {
    await moderator.getByLabel('Omröstningens fråga').fill('Vilka frågor vill ni höra mer om?');
    await moderator.getByLabel('Alternativ 1').fill('Äldre');
    await moderator.getByLabel('Alternativ 2').fill('Kostnader');
    await moderator.getByRole('button', { name: 'Lägg till ett alternativ' }).click();
    await moderator.getByLabel('Alternativ 3').fill('Glesbygden');
    await moderator.getByLabel('Flera val tillåtna').check();
    await moderator.getByRole('button', { name: 'Starta omröstningen' }).click();

    const ballot = attendee.getByRole('group', { name: 'Vilka frågor vill ni höra mer om?' });
    await ballot.getByText('Du kan välja flera alternativ.').waitFor();
    await ballot.getByLabel('Äldre').check();
    await ballot.getByLabel('Glesbygden').check();
    await attendee.getByRole('button', { name: 'Rösta', exact: true }).click();
    const result = attendee.locator('.poll-results', { hasText: 'Vilka frågor vill ni höra mer om?' });
    for (const option of ['0', '2']) await result.locator(`li[data-option="${option}"]`).getByText('1 röst (100 %)').waitFor();
    await result.locator('li[data-option="1"]').getByText('0 röster (0 %)').waitFor();
    await result.getByText('1 har röstat', { exact: false }).waitFor();
    const closed = attendee.locator('.poll-results', { hasText: 'Hur var panelen?' });
    expect(await closed.getByText('Stängd', { exact: false }).isVisible()).toBe(true);
    expect(await closed.locator('li[data-option="0"]').getByText('1 röst (100 %)').isVisible()).toBe(true);
  });

  it('is accessible, in Swedish throughout, on both pages and in both languages, and asks nothing of other sites', async () => {
    expect(await textsOfOtherLanguage(attendee, 'sv')).toEqual([]);
    expect(await textsOfOtherLanguage(moderator, 'sv')).toEqual([]);
    expect(await violationsInEveryLanguageAndSize(attendee, 'watch-audience', () => Promise.resolve())).toEqual({});
    expect(await violationsInEveryLanguageAndSize(moderator, 'moderate', () => Promise.resolve())).toEqual({});
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
