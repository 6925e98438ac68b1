import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordingControl } from '../../shared/programmeControl.js';
import type { EventProgrammeResponse, IngestPointInfo } from '../../shared/protocol.js';
import { LAPTOP, seriousAccessibilityViolations } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { freePort, waitFor } from '../helpers/server.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

/** What the issue asks of a change made in another control room: it shows within a second. */
const PUSHED_WITHIN_MS = 1_000;

describe('a technician runs the control room at /control: signs in, creates a stage, invites a speaker, renames the stage, sets up its ingest, runs its programme and recording, signs out', () => {
  // Ports of their own: an RTMP point listens as soon as it is created.
  const fixture = useBrowserFixture({
    env: async () => ({ ...TECHNICIAN_ENV, DEMO: '0', INGEST_RTMP_PORTS: String(await freePort()), INGEST_SRT_PORTS: String(await freePort()) }),
    context: { viewport: LAPTOP },
  });
  let technician: Awaited<ReturnType<typeof technicianClient>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    technician = await technicianClient(fixture.server);
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
    await stageItem('horsalen').getByRole('heading', { name: 'Hörsalen', exact: true }).waitFor();
    expect((await programme()).stages.map((stage) => stage.id)).toEqual(['stora', 'lilla', 'horsalen']);
  });

  it('invites a speaker: the link shown lets its holder speak on that stage', async () => {
    const { server } = fixture;
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
    const { server } = fixture;
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
    const { page } = fixture;
    await stageItem('horsalen').getByLabel('Nytt namn för Hörsalen').fill('Aulan');
    await stageItem('horsalen').getByRole('button', { name: 'Byt namn' }).click();
    await stageItem('horsalen').getByRole('heading', { name: 'Aulan', exact: true }).waitFor();
    expect((await programme()).stages.find((stage) => stage.id === 'horsalen')?.title).toBe('Aulan');

    const log = page.locator('table.audit-log');
    await log.getByText('PATCH /api/stages/:stageId').waitFor();
    for (const action of ['POST /api/events/:eventId/stages', 'POST /api/stages/:stageId/invites', 'POST /api/auth/login']) {
      expect(await log.innerText()).toContain(action);
    }
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('sets up the stage’s ingest with the keyboard: creates a point, copies its encoder settings, downloads the Blackmagic XML, changes its role, rotates and revokes it', async () => {
    const { page, context, server } = fixture;
    const stage = stageItem('horsalen');
    const apiPoints = async () => (await technician.call<{ ingestPoints: IngestPointInfo[] }>('GET', '/api/stages/horsalen/ingest-points')).ingestPoints;
    await stage.locator('summary').focus();
    await page.keyboard.press('Enter');
    await stage.getByText('Inga inkommande signaler ännu.', { exact: false }).waitFor();
    await stage.getByText('I sändning nu: huvudsignal (0 byten hittills).').waitFor();

    await stage.getByLabel('Protokoll', { exact: true }).selectOption('rtmp');
    await stage.getByLabel('Roll', { exact: true }).selectOption('backup');
    await stage.getByLabel('Namn (valfritt, till exempel kodarens)').fill('ATEM');
    await stage.getByRole('button', { name: 'Skapa inkommande signal' }).focus();
    await page.keyboard.press('Enter');
    const point = stage.locator('li[data-ingest-point]');
    await point.getByRole('heading', { name: 'ATEM: RTMP, reservsignal' }).waitFor();
    await point.getByText('Väntar på kodaren – inget tas emot.').waitFor();
    const [created] = await apiPoints();
    expect(created).toMatchObject({ protocol: 'rtmp', role: 'backup', label: 'ATEM', receiving: false, onAir: false });

    await point.getByRole('button', { name: 'Visa kodarinställningar för ATEM' }).focus();
    await page.keyboard.press('Enter');
    const blackmagic = point.locator('section[data-encoder="blackmagic"]');
    await blackmagic.getByRole('heading', { name: 'Blackmagic (Web Presenter, ATEM Mini Pro och Extreme)' }).waitFor();
    expect(await blackmagic.getByLabel('Server', { exact: true }).inputValue()).toBe(created!.url);
    expect(await blackmagic.getByLabel('Strömnyckel', { exact: true }).inputValue()).toBe(created!.secret);
    expect(await point.locator('section[data-encoder]').evaluateAll((sections) => sections.map((section) => section.getAttribute('data-encoder')))).toEqual([
      'blackmagic',
      'vmix',
      'obs',
    ]);
    expect(await point.locator('section[data-encoder="obs"]').getByLabel('Nyckelbildsintervall (s)').inputValue()).toBe('1');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await blackmagic.getByRole('button', { name: 'Kopiera Strömnyckel' }).focus();
    await page.keyboard.press('Enter');
    await stage.getByRole('status').getByText('Kopierat: Strömnyckel').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(created!.secret);

    const [download] = await Promise.all([page.waitForEvent('download'), blackmagic.getByRole('link', { name: 'Ladda ned strömnings-XML' }).click()]);
    expect(download.suggestedFilename()).toBe('estrad-horsalen-backup.xml');
    const xml = new XMLParser().parse(await readFile(await download.path(), 'utf8')) as {
      streaming: { service: { key: string; servers: { server: { url: string } } } };
    };
    expect(xml.streaming.service).toMatchObject({ key: created!.secret, servers: { server: { url: created!.url } } });

    await point.getByRole('button', { name: 'Gör ATEM till huvudsignal' }).click();
    await point.getByRole('heading', { name: 'ATEM: RTMP, huvudsignal' }).waitFor();
    expect((await apiPoints())[0]?.role).toBe('main');

    await point.getByRole('button', { name: 'Byt hemlighet för ATEM' }).click();
    await page.getByRole('status').getByText('Klart: Byt hemlighet för ATEM').waitFor();
    const [rotated] = await apiPoints();
    expect(rotated!.secret).not.toBe(created!.secret);
    await waitFor(
      async () => (await blackmagic.getByLabel('Strömnyckel', { exact: true }).inputValue()) === rotated!.secret,
      10_000,
      () => 'the settings shown kept the old stream key',
    );

    await point.getByRole('button', { name: 'Återkalla ATEM' }).click();
    await stage.getByText('Inga inkommande signaler ännu.', { exact: false }).waitFor();
    expect((await apiPoints())[0]?.revokedAt).not.toBeNull();
  });

  it('edits the stage’s programme: adds talks in the event’s time zone, reorders them, edits one', async () => {
    const { page } = fixture;
    const stage = stageItem('horsalen');
    const newTalk = stage.getByRole('group', { name: 'Ny programpunkt på Aulan' });
    await newTalk.getByLabel('Titel').fill('Öppning');
    await newTalk.getByLabel('Börjar').fill('2026-05-20T09:00');
    await newTalk.getByLabel('Slutar').fill('2026-05-20T09:30');
    await newTalk.getByLabel('Medverkande, en per rad: namn, organisation').fill('Anna Berg, Region Västernorrland');
    await newTalk.getByRole('button', { name: 'Lägg till programpunkt' }).click();
    await stage.getByText('Ändra Öppning', { exact: true }).waitFor();
    // The next talk is offered the half hour after the last one.
    await stage.getByRole('group', { name: 'Ny programpunkt på Aulan' }).getByLabel('Titel').fill('Huvudtalare');
    await stage.getByRole('group', { name: 'Ny programpunkt på Aulan' }).getByRole('button', { name: 'Lägg till programpunkt' }).click();
    await stage.getByText('Ändra Huvudtalare', { exact: true }).waitFor();
    const talks = async () => (await programme()).stages.find((found) => found.id === 'horsalen')!.talks;
    expect((await talks()).map((talk) => [talk.title, talk.plannedStart, talk.plannedEnd, talk.speakers.map((speaker) => speaker.name)])).toEqual([
      ['Öppning', '2026-05-20T07:00:00.000Z', '2026-05-20T07:30:00.000Z', ['Anna Berg']],
      ['Huvudtalare', '2026-05-20T07:30:00.000Z', '2026-05-20T08:00:00.000Z', []],
    ]);

    await stage.getByRole('button', { name: 'Flytta upp Huvudtalare' }).click();
    await waitFor(
      async () => (await talks())[0]?.title === 'Huvudtalare',
      5_000,
      () => 'the talks were not reordered',
    );
    await stage.locator('li[data-talk]').first().getByText('Huvudtalare', { exact: true }).waitFor();

    await stage.getByText('Ändra Öppning', { exact: true }).click();
    const edit = stage.locator('li[data-talk]', { hasText: 'Ändra Öppning' });
    await edit.getByLabel('Titel').fill('Välkommen');
    await edit.getByRole('button', { name: 'Spara Öppning' }).click();
    await stage.getByText('Ändra Välkommen', { exact: true }).waitFor();
    expect((await talks()).map((talk) => talk.title)).toEqual(['Huvudtalare', 'Välkommen']);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('puts a talk on air and moves to the next with the keyboard; the watch page shows what is on air and next', async () => {
    const { page, context, server } = fixture;
    const stage = stageItem('horsalen');
    const watch = await context.newPage();
    await watch.goto(`${server.url}/watch/horsalen`);
    await stage.getByRole('button', { name: 'Sätt i sändning: Huvudtalare' }).click();
    await stage.getByText(/^I sändning nu: Huvudtalare/).waitFor();
    await watch.locator('#on-air-talk', { hasText: 'I sändning nu: Huvudtalare' }).waitFor({ timeout: 5_000 });
    await watch.locator('#on-air-next', { hasText: 'Därefter: Välkommen' }).waitFor();

    await stage.getByRole('button', { name: 'Nästa programpunkt i sändning' }).focus();
    await page.keyboard.press('Enter');
    await stage.getByText(/^I sändning nu: Välkommen/).waitFor();
    await watch.locator('#on-air-talk', { hasText: 'I sändning nu: Välkommen' }).waitFor({ timeout: 5_000 });
    await watch.locator('#on-air-next', { hasText: 'Inget mer på programmet' }).waitFor();
    expect(await stage.getByRole('button', { name: 'Nästa programpunkt i sändning' }).isDisabled()).toBe(true);
    await watch.close();

    await stage.getByRole('button', { name: 'Avsluta Välkommen' }).click();
    await stage.getByText('Ingen programpunkt är i sändning.').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('stops and starts the stage’s recording, and shows the free disk space', async () => {
    const { page } = fixture;
    const stage = stageItem('horsalen');
    const recording = stage.getByRole('region', { name: 'Inspelning av Aulan' });
    await recording.getByText('Spelas in så snart något sänds.').waitFor();
    await recording.getByText(/^Ledigt på disken: .+ av .+/).waitFor();
    await recording.getByRole('button', { name: 'Stoppa inspelning av Aulan' }).click();
    await recording.getByText('Inspelningen är avstängd; sändningen fortsätter utan inspelning.').waitFor();
    expect((await technician.call<RecordingControl>('GET', '/api/stages/horsalen/recording')).recorded).toBe(false);
    await recording.getByRole('button', { name: 'Starta inspelning av Aulan' }).click();
    await recording.getByText('Spelas in så snart något sänds.').waitFor();
    expect((await technician.call<RecordingControl>('GET', '/api/stages/horsalen/recording')).recorded).toBe(true);
    const log = page.locator('table.audit-log');
    await log.getByText('PUT /api/stages/:stageId/recording').first().waitFor();
    expect(await log.innerText()).toContain('POST /api/stages/:stageId/on-air/next');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('shows a second control room what the first changes, pushed within a second: the talk on air and the recording switch', async () => {
    const { page, context, server } = fixture;
    const other = await context.newPage();
    try {
      await other.goto(`${server.url}/control`);
      const mirrored = other.locator('li[data-stage="horsalen"]');
      const recording = mirrored.getByRole('region', { name: 'Inspelning av Aulan' });
      await recording.getByText('Spelas in så snart något sänds.').waitFor();
      await mirrored.getByText('Ingen programpunkt är i sändning.').waitFor();
      // Its sockets follow once it shows the stage; the first change is made after that.
      await waitFor(
        () => other.evaluate(() => document.querySelectorAll('.program').length > 0),
        10_000,
        () => 'the second control room showed no program',
      );

      const stage = stageItem('horsalen');
      await stage.getByRole('button', { name: 'Sätt i sändning: Huvudtalare' }).click();
      await mirrored.getByText(/^I sändning nu: Huvudtalare/).waitFor({ timeout: PUSHED_WITHIN_MS });
      await stage.getByRole('region', { name: 'Inspelning av Aulan' }).getByRole('button', { name: 'Stoppa inspelning av Aulan' }).click();
      await recording.getByText('Inspelningen är avstängd; sändningen fortsätter utan inspelning.').waitFor({ timeout: PUSHED_WITHIN_MS });

      await other.getByRole('button', { name: 'Starta inspelning av Aulan' }).click();
      await stage.getByText('Spelas in så snart något sänds.').waitFor({ timeout: PUSHED_WITHIN_MS });
      await other.getByRole('button', { name: 'Avsluta Huvudtalare' }).click();
      await stage.getByText('Ingen programpunkt är i sändning.').waitFor({ timeout: PUSHED_WITHIN_MS });
    } finally {
      await other.close();
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
