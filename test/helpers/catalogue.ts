/**
 * The whole message catalogue, for tests: the shared part (messages.ts) and each page's own part.
 * Importing this registers every part, so translate() knows the keys of every page, as each
 * page's own catalogue does in the browser.
 */
import { controlEn, controlSv } from '../../client/src/i18n/controlMessages.js';
import { en as sharedEn, type Message, sv as sharedSv } from '../../client/src/i18n/messages.js';
import { moderationEn, moderationSv } from '../../client/src/i18n/moderationMessages.js';
import { speakEn, speakSv } from '../../client/src/i18n/speakMessages.js';

/** Every file of the catalogue with its two languages; the catalogue test checks each. */
export const catalogueParts: readonly { file: string; sv: Record<string, Message>; en: Record<string, Message> }[] = [
  { file: 'messages.ts', sv: sharedSv, en: sharedEn },
  { file: 'controlMessages.ts', sv: controlSv, en: controlEn },
  { file: 'speakMessages.ts', sv: speakSv, en: speakEn },
  { file: 'moderationMessages.ts', sv: moderationSv, en: moderationEn },
];

export const sv = { ...sharedSv, ...controlSv, ...speakSv, ...moderationSv };
export const en = { ...sharedEn, ...controlEn, ...speakEn, ...moderationEn };
