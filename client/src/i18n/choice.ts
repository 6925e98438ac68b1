/** Which language a page shows: pure, so test/unit can check the order of preference. */
import { type Language, languages } from './messages.js';

export const FALLBACK_LANGUAGE: Language = 'en';

/** "sv-SE" → sv; null for a language the catalogue does not have. */
export function asLanguage(tag: string | null | undefined): Language | null {
  const primary = tag?.toLowerCase().split('-')[0];
  return languages.find((language) => language === primary) ?? null;
}

/** The visitor's own choice, else the first of the browser's languages we have, else the event's, else English. */
export function pickLanguage(choice: { chosen: Language | null; preferred: readonly string[]; event: string | null }): Language {
  return choice.chosen ?? choice.preferred.map(asLanguage).find((language) => language !== null) ?? asLanguage(choice.event) ?? FALLBACK_LANGUAGE;
}
