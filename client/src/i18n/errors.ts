/** The translated text for a failed request: by the server's error code, never its English message. */
import { ApiFailure } from '../api/http';
import { t } from './language';
import type { MessageKey } from './messages';

const translatedCodes = ['invalid_payload', 'forbidden', 'not_found', 'conflict', 'rate_limited', 'unauthorized', 'unavailable', 'network'] as const;
type TranslatedCode = (typeof translatedCodes)[number];

export function errorText(error: unknown): string {
  const code = error instanceof ApiFailure ? error.code : 'internal';
  if ((translatedCodes as readonly string[]).includes(code)) return t(`error.${code as TranslatedCode}` satisfies MessageKey);
  return t('error.other', { code });
}
