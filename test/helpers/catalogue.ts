/**
 * The whole message catalogue, for tests: the shared part (messages.ts) and each page's own part.
 * Importing this registers every part, so translate() knows the keys of every page, as each
 * page's own catalogue does in the browser.
 */
import { controlEn, controlSv } from '../../client/src/i18n/controlMessages.js';
import { en as sharedEn, type Message, sv as sharedSv } from '../../client/src/i18n/messages.js';
import { moderationEn, moderationSv } from '../../client/src/i18n/moderationMessages.js';
import { speakEn, speakSv } from '../../client/src/i18n/speakMessages.js';

export interface CataloguePart {
  /** The file in client/src/i18n. */
  file: string;
  /** The page (its module in client/src/pages) that alone loads the part; none for the shared part. */
  page?: string;
  sv: Record<string, Message>;
  en: Record<string, Message>;
}

/** Every file of the catalogue with its two languages; the catalogue test checks each. */
export const catalogueParts: readonly CataloguePart[] = [
  { file: 'messages.ts', sv: sharedSv, en: sharedEn },
  { file: 'controlMessages.ts', page: 'control.tsx', sv: controlSv, en: controlEn },
  { file: 'speakMessages.ts', page: 'speak.tsx', sv: speakSv, en: speakEn },
  { file: 'moderationMessages.ts', page: 'moderate.tsx', sv: moderationSv, en: moderationEn },
];

export const sv = { ...sharedSv, ...controlSv, ...speakSv, ...moderationSv };
export const en = { ...sharedEn, ...controlEn, ...speakEn, ...moderationEn };
