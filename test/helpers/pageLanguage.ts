import type { Page } from 'playwright-core';
import { en, sv } from './catalogue.js';

/** Catalogue texts without parameters that differ between the languages: one of them must not show. */
function plainTexts(catalogue: typeof sv | typeof en, other: typeof sv | typeof en): string[] {
  return Object.entries(catalogue)
    .filter(([key, text]) => typeof text === 'string' && !text.includes('{') && text !== other[key as keyof typeof sv])
    .map(([, text]) => text as string);
}

/** The page's text, one line per block; catalogue texts show as whole lines. */
export async function textLines(page: Page): Promise<string[]> {
  return (await page.locator('body').innerText()).split('\n').map((line) => line.trim());
}

/** The catalogue texts of the language the page should not be in that it shows anyway. */
export async function textsOfOtherLanguage(page: Page, shown: 'sv' | 'en'): Promise<string[]> {
  const lines = await textLines(page);
  const foreign = shown === 'sv' ? plainTexts(en, sv) : plainTexts(sv, en);
  return foreign.filter((text) => lines.includes(text));
}
