import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { saveScreenshot } from './screenshots.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's serious and critical findings on the page as it is now. The source goes in through
 * evaluate, not a script tag: the pages' CSP (script-src 'self') rightly refuses inline scripts.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const { violations } = await (
      window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }
    ).axe.run();
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact ?? null,
        help: violation.help,
        nodes: violation.nodes.map((node) => JSON.stringify(node.target)),
      }));
  });
}

export const PHONE = { width: 390, height: 844 } as const;
export const LAPTOP = { width: 1280, height: 800 } as const;
/** The sizes every page is checked at: a phone and a laptop. */
export const PAGE_SIZES = [PHONE, LAPTOP] as const;

/**
 * axe-core's serious and critical findings on a shell page in each language (chosen with its
 * language switch) at each of PAGE_SIZES, keyed by where they were found, with a screenshot of
 * each (`<name>-<sv|en>-<size>.png`). `ready` waits for what must be on screen before the check.
 */
export async function violationsInEveryLanguageAndSize(page: Page, name: string, ready: () => Promise<unknown>): Promise<Record<string, AxeViolation[]>> {
  const found: Record<string, AxeViolation[]> = {};
  for (const size of PAGE_SIZES) {
    await page.setViewportSize(size);
    for (const [language, code] of [
      ['Svenska', 'sv'],
      ['English', 'en'],
    ] as const) {
      await page.getByRole('button', { name: language }).click();
      await page.getByRole('button', { name: language, pressed: true }).waitFor();
      await ready();
      const violations = await seriousAccessibilityViolations(page);
      if (violations.length > 0) found[`${code} at ${size.width}×${size.height}`] = violations;
      await saveScreenshot(page, `${name}-${code}`);
    }
  }
  return found;
}
