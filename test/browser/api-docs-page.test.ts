import { beforeAll, describe, expect, it } from 'vitest';
import { LAPTOP } from '../helpers/axe.js';
import { useBrowserFixture } from '../helpers/browserFixture.js';

describe('the API documentation at /docs works under the server’s CSP, with nothing loaded from elsewhere', () => {
  const fixture = useBrowserFixture({ context: { viewport: LAPTOP } });
  const problems: string[] = [];

  beforeAll(() => {
    fixture.page.on('pageerror', (error) => problems.push(error.message));
    fixture.page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
  });

  it('shows every operation of the OpenAPI document, and the CSP refuses nothing', async () => {
    const { page, server } = fixture;
    await page.goto(`${server.url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    const document = (await (await fetch(`${server.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(document.paths).reduce((count, methods) => count + Object.keys(methods).length, 0);
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(await page.getByText('/api/auth/login', { exact: true }).count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect(fixture.foreignRequests()).toEqual([]);
  });
});
