import { describe, expect, it } from 'vitest';
import { catalogues, en, type Message, type MessageKey, sv } from '../../client/src/i18n/messages.js';
import { moderationEn, moderationSv } from '../../client/src/i18n/moderationMessages.js';
import { formatDate, formatTime, parametersOf, translate } from '../../client/src/i18n/translate.js';

describe('the Swedish and English message catalogue', () => {
  it('has every key in both languages, with the same parameters and the same plural shape', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(sv).sort());
    // The moderation page's own part, which only that page loads.
    expect(Object.keys(moderationEn).sort()).toEqual(Object.keys(moderationSv).sort());
    const swedish: Record<string, Message> = { ...sv, ...moderationSv };
    const english: Record<string, Message> = { ...en, ...moderationEn };
    for (const key of Object.keys(swedish) as MessageKey[]) {
      expect(parametersOf(english[key]!), key).toEqual(parametersOf(swedish[key]!));
      expect(typeof english[key], key).toBe(typeof swedish[key]);
      for (const language of Object.keys(catalogues) as (keyof typeof catalogues)[]) {
        const message = catalogues[language][key]!;
        const texts = typeof message === 'string' ? [message] : [message.one, message.other];
        for (const text of texts) expect(text.trim(), `${language} ${key}`).not.toBe('');
      }
    }
  });

  it('fills in parameters and picks the plural form with Intl.PluralRules', () => {
    expect(translate('en', 'home.viewers', { count: 1 })).toBe('1 viewer');
    expect(translate('en', 'home.viewers', { count: 2 })).toBe('2 viewers');
    expect(translate('sv', 'home.talks', { count: 1 })).toBe('1 programpunkt');
    expect(translate('sv', 'home.talks', { count: 5 })).toBe('5 programpunkter');
    expect(translate('sv', 'home.nowOnStage', { title: 'Fikapaus' })).toBe('Nu: Fikapaus');
  });

  it('shows times and days in the event’s time zone, not the viewer’s', () => {
    // 08:15 UTC on a winter day is 09:15 in Stockholm.
    expect(formatTime('sv', '2026-12-01T08:15:00Z', 'Europe/Stockholm')).toBe('09:15');
    expect(formatTime('en', '2026-12-01T08:15:00Z', 'America/New_York')).toBe('03:15 AM');
    expect(formatDate('sv', '2026-12-01T23:30:00Z', 'Europe/Stockholm')).toBe('onsdag 2 december 2026');
  });
});
