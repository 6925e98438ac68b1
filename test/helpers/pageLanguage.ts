import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { en, sv } from '../../client/src/i18n/messages.js';
import { seriousAccessibilityViolations } from './axe.js';
import { saveScreenshot } from './screenshots.js';

/** Catalogue texts without parameters that differ between the languages: one of them must not show. */
export function plainTexts(catalogue: typeof sv | typeof en, other: typeof sv | typeof en): string[] {
  return Object.entries(catalogue)
    .filter(([key, text]) => typeof text === 'string' && !text.includes('{') && text !== other[key as keyof typeof sv])
    .map(([, text]) => text as string);
}

/** The page's text, one line per block; catalogue texts show as whole lines. */
export async function textLines(page: Page): Promise<string[]> {
  return (await page.locator('body').innerText()).split('\n').map((line) => line.trim());
}

/**
 * axe-core on the page in Swedish and English (by its language switch), on a phone and a desktop,
 * with a screenshot of each under test-results/screenshots as `<name>-<language>`.
 */
export async function expectAccessibleInBothLanguages(page: Page, name: string): Promise<void> {
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    await page.setViewportSize(viewport);
    for (const language of ['Svenska', 'English']) {
      await page.getByRole('button', { name: language }).click();
      await page.getByRole('button', { name: language, pressed: true }).waitFor();
      expect(await seriousAccessibilityViolations(page), `${language} at ${viewport.width}×${viewport.height}`).toEqual([]);
      await saveScreenshot(page, `${name}-${language === 'Svenska' ? 'sv' : 'en'}`);
    }
  }
}

/** The catalogue texts of the language the page should not be in that it shows anyway. */
export async function textsOfOtherLanguage(page: Page, shown: 'sv' | 'en'): Promise<string[]> {
  const lines = await textLines(page);
  const foreign = shown === 'sv' ? plainTexts(en, sv) : plainTexts(sv, en);
  return foreign.filter((text) => lines.includes(text));
}
