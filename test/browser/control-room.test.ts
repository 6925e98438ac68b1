import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/bench/chromium.js';
import type { EventProgrammeResponse } from '../../shared/protocol.js';
import { seriousAccessibilityViolations } from '../helpers/axe.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

describe('a technician runs the control room at /control: signs in, creates a stage, invites a speaker, renames the stage, signs out', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ ...TECHNICIAN_ENV, DEMO: '0' });
    const technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument('kommundagen', 'public', ['stora', 'lilla']));
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'sv-SE' });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const stageItem = (id: string) => page.locator(`li[data-stage="${id}"]`);
  const programme = async () => (await (await fetch(`${server.url}/api/events/kommundagen`)).json()) as EventProgrammeResponse;

  it('asks for a sign-in in Swedish, accessible, and refuses a wrong password', async () => {
    await page.goto(`${server.url}/control`);
    await page.getByRole('heading', { level: 2, name: 'Logga in som tekniker' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Användarnamn').fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await page.getByLabel('Lösenord').fill('not-the-password');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('status').getByText('Fel användarnamn eller lösenord.').waitFor();
  });

  it('signs in and creates a stage', async () => {
    await page.getByLabel('Lösenord').fill(TECHNICIAN_ENV.ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByText(`Inloggad som ${TECHNICIAN_ENV.ADMIN_USERNAME}`).waitFor();

    await page.getByLabel('Namn', { exact: true }).fill('Hörsalen');
    await page.getByLabel('Adress (gemener, siffror och bindestreck)').fill('horsalen');
    await page.getByRole('button', { name: 'Skapa scen' }).click();
    await stageItem('horsalen').getByRole('heading', { name: 'Hörsalen' }).waitFor();
    expect((await programme()).stages.map((stage) => stage.id)).toEqual(['stora', 'lilla', 'horsalen']);
  });

  it('invites a speaker: the link shown lets its holder speak on that stage', async () => {
    await stageItem('horsalen').getByRole('button', { name: 'Bjud in talare till Hörsalen' }).click();
    const link = stageItem('horsalen').getByRole('link', { name: '/speak/horsalen?invite=' });
    await link.waitFor();
    const speakUrl = new URL((await link.getAttribute('href'))!, server.url);
    expect(speakUrl.pathname).toBe('/speak/horsalen');
    const invite = speakUrl.searchParams.get('invite')!;
    const access = await fetch(`${server.url}/api/stages/horsalen/speaker-access`, { headers: { 'x-estrad-invite': invite } });
    expect(access.status).toBe(204);
  });

  it('invites a moderator: the link shown opens that stage’s moderation page, and the stage links its moderation', async () => {
    await stageItem('horsalen').getByRole('button', { name: 'Bjud in moderator till Hörsalen' }).click();
    const link = stageItem('horsalen').getByRole('link', { name: '/moderate/horsalen?invite=' });
    await link.waitFor();
    const moderateUrl = new URL((await link.getAttribute('href'))!, server.url);
    expect(moderateUrl.pathname).toBe('/moderate/horsalen');
    const moderation = await fetch(`${server.url}/api/stages/horsalen/questions`, { headers: { 'x-estrad-invite': moderateUrl.searchParams.get('invite')! } });
    expect(moderation.status).toBe(200);
    expect(await stageItem('horsalen').getByRole('link', { name: 'Moderera frågor på Hörsalen' }).getAttribute('href')).toBe('/moderate/horsalen');
  });

  it('renames the stage, and the audit log shows what was done', async () => {
    await stageItem('horsalen').getByLabel('Nytt namn för Hörsalen').fill('Aulan');
    await stageItem('horsalen').getByRole('button', { name: 'Byt namn' }).click();
    await stageItem('horsalen').getByRole('heading', { name: 'Aulan' }).waitFor();
    expect((await programme()).stages.find((stage) => stage.id === 'horsalen')?.title).toBe('Aulan');

    const log = page.locator('table.audit-log');
    await log.getByText('PATCH /api/stages/:stageId').waitFor();
    for (const action of ['POST /api/events/:eventId/stages', 'POST /api/stages/:stageId/invites', 'POST /api/auth/login']) {
      expect(await log.innerText()).toContain(action);
    }
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('is accessible in English too', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Control room' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('signs out: the sign-in form is back and the session opens nothing', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 2, name: 'Sign in as a technician' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    expect(status).toBe(401);
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Sign in as a technician' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    // The only errors: the refused wrong password and the 401s of a signed-out session.
    expect(pageErrors.filter((text) => !/401/.test(text))).toEqual([]);
  });
});
