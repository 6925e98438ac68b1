import { beforeAll, describe, expect, it } from 'vitest';
import { LAPTOP, violationsInEveryLanguageAndSize } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';
import { TECHNICIAN_ENV, technicianClient } from '../helpers/technician.js';
import { programmeDocument } from '../integration/api-fixtures.js';

const EVENT_ID = 'slutet-dag';
const ACCESS_CODE = 'hemlig-kod-2026';

describe('the home page of a private event: what is on now, registration and the access code', () => {
  const fixture = useBrowserFixture({ env: TECHNICIAN_ENV, context: { viewport: LAPTOP } });

  beforeAll(async () => {
    const { page, server } = fixture;
    const technician = await technicianClient(server);
    await technician.call('POST', '/api/programme', programmeDocument(EVENT_ID, 'private', ['slutet-a', 'slutet-b']));
    await technician.call('PUT', `/api/events/${EVENT_ID}/access-code`, { code: ACCESS_CODE });
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1, name: `Event ${EVENT_ID}` }).waitFor();
  });

  const form = (heading: string) => fixture.page.locator('form', { has: fixture.page.getByRole('heading', { name: heading }) });
  const codeForm = () => form('Åtkomstkod');
  const registrationForm = () => form('Anmälan');

  it('shows the talk on now and what comes next on its stage', async () => {
    const { page } = fixture;
    const stage = page.locator('section[data-stage="slutet-a"]');
    expect(await stage.locator('.now-next').innerText()).toContain('Nu: Öppning');
    expect(await stage.locator('li.talk[aria-current="time"]').innerText()).toContain('Öppning');
  });

  it('says in Swedish that a wrong access code is wrong, not with the server’s English message', async () => {
    await codeForm().getByLabel('Åtkomstkod').fill('fel-kod');
    await codeForm().getByRole('button', { name: 'Gå in med koden' }).click();
    await codeForm().getByText('Det gick inte: koden stämmer inte eller så saknar du behörighet.').waitFor();
    expect(await codeForm().innerText()).not.toContain('wrong access code');
  });

  it('lets the right access code in: a viewer pass cookie and a link to the broadcast', async () => {
    const { server, context } = fixture;
    await codeForm().getByLabel('Åtkomstkod').fill(ACCESS_CODE);
    await codeForm().getByRole('button', { name: 'Gå in med koden' }).click();
    await codeForm().getByText('Koden stämmer. Du kan nu titta.').waitFor();
    expect(await codeForm().getByRole('link', { name: 'Till sändningen' }).getAttribute('href')).toBe('/watch/slutet-a');
    expect((await context.cookies(server.url)).map((cookie) => cookie.name)).toContain('estrad_access');
  });

  it('registers a name and e-mail and shows the personal link', async () => {
    const { server } = fixture;
    await registrationForm().getByLabel('Namn').fill('Kim Andersson');
    await registrationForm().getByLabel('E-postadress').fill('kim@example.se');
    await registrationForm().getByRole('button', { name: 'Anmäl mig' }).click();
    const link = registrationForm().getByRole('link', { name: 'Min personliga länk' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^${server.url}/watch/slutet-a\\?access=[A-Za-z0-9_.-]+$`));
  });

  it('has no serious or critical accessibility violations with the forms and their outcomes, in both languages, on a phone and a desktop', async () => {
    const { page } = fixture;
    expect(await violationsInEveryLanguageAndSize(page, 'home-private', () => page.locator('form').getByRole('link').first().waitFor())).toEqual({});
  });
});
