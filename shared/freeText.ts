/**
 * The one rule for text people type (names, titles, labels, questions, descriptions): it must be
 * well-formed Unicode without control characters, and is stored trimmed and in NFC, so that "Å"
 * typed on a Mac and on Windows is the same name and nothing invisible or unencodable reaches the
 * database, the CSV export or another viewer's screen. Every schema with free text uses it.
 */
import { z } from 'zod';

/** C0 and C1 controls and DEL; a multi-line text keeps tab and line breaks. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Half of a UTF-16 pair without its other half: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface FreeTextRule {
  max: number;
  /** 1 for a field that must not be empty; 0 (the default) lets it be blank. */
  min?: number;
  /** Descriptions and questions may span lines; names and titles may not. */
  multiline?: boolean;
}

export function freeText({ max, min = 0, multiline = false }: FreeTextRule) {
  const forbidden = multiline ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN;
  return z
    .string()
    .refine((text) => !LONE_SURROGATE.test(text), 'must be valid Unicode text (it contains half of a character)')
    .refine((text) => !forbidden.test(text), multiline ? 'must not contain control characters' : 'must not contain control characters or line breaks')
    .transform((text) => text.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(min, min > 1 ? `use at least ${min} characters` : 'must not be empty')
        .max(max, `must be at most ${max} characters`),
    );
}
