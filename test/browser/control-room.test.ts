import { beforeAll, describe, expect, it } from 'vitest';
import type { EventProgrammeResponse } from '../../shared/protocol.js';
import { LAPTOP, seriousAccessibilityViolations } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

describe('a technician runs the control room at /control: signs in, creates a stage, invites a speaker, renames the stage, signs out', () => {
  const fixture = useBrowserFixture({ env: TECHNICIAN_ENV, context: { viewport: LAPTOP } });
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const technician = await technicianClient(fixture.server);
    await technician.call('POST', '/api/programme', programmeDocument('kommundagen', 'public', ['stora', 'lilla']));
    fixture.page.on('pageerror', (error) => pageErrors.push(error.message));
    fixture.page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  const stageItem = (id: string) => fixture.page.locator(`li[data-stage="${id}"]`);
  const programme = async () => (await (await fetch(`${fixture.server.url}/api/events/kommundagen`)).json()) as EventProgrammeResponse;

  it('asks for a sign-in in Swedish, accessible, and refuses a wrong password', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/control`);
    await page.getByRole('heading', { level: 2, name: 'Logga in som tekniker' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Användarnamn').fill(TECHNICIAN_ENV.ADMIN_USERNAME);
    await page.getByLabel('Lösenord').fill('not-the-password');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('status').getByText('Fel användarnamn eller lösenord.').waitFor();
  });

  it('signs in and creates a stage', async () => {
    const { page } = fixture;
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
    const { server } = fixture;
    await stageItem('horsalen').getByRole('button', { name: 'Bjud in talare till Hörsalen' }).click();
    const link = stageItem('horsalen').getByRole('link');
    await link.waitFor();
    const speakUrl = new URL((await link.getAttribute('href'))!, server.url);
    expect(speakUrl.pathname).toBe('/speak/horsalen');
    const invite = speakUrl.searchParams.get('invite')!;
    const access = await fetch(`${server.url}/api/stages/horsalen/speaker-access`, { headers: { 'x-estrad-invite': invite } });
    expect(access.status).toBe(204);
  });

  it('renames the stage, and the audit log shows what was done', async () => {
    const { page } = fixture;
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
    const { page } = fixture;
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Control room' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('signs out: the sign-in form is back and the session opens nothing', async () => {
    const { page } = fixture;
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
