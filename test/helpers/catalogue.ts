import type { Page } from 'playwright-core';
import { en, sv } from '../../client/src/i18n/messages.js';

type Catalogue = typeof sv | typeof en;

/** The catalogue's texts without parameters that differ from the other language's: a page in the other language shows none of them. */
export function plainTexts(catalogue: Catalogue, other: Catalogue): string[] {
  return Object.entries(catalogue)
    .filter(([key, text]) => typeof text === 'string' && !text.includes('{') && text !== other[key as keyof typeof sv])
    .map(([, text]) => text as string);
}

/** The lines of text the page shows, trimmed. */
export async function textLines(page: Page): Promise<string[]> {
  return (await page.locator('body').innerText()).split('\n').map((line) => line.trim());
}

/** The catalogue texts of the language the page should not be in that it shows anyway. */
export async function textsOfOtherLanguage(page: Page, shown: 'sv' | 'en'): Promise<string[]> {
  const lines = await textLines(page);
  const foreign = shown === 'sv' ? plainTexts(en, sv) : plainTexts(sv, en);
  return foreign.filter((text) => lines.includes(text));
}
