/**
 * The page's language as a signal: the user's choice (remembered in localStorage), else the
 * browser's languages, else the event's language. `<html lang>` follows it.
 */
import { computed, effect, signal } from '@preact/signals';
import { asLanguage, pickLanguage } from './choice';
import type { Language, MessageKey } from './messages';
import { formatDate, formatTime, translate, type TranslateArgs } from './translate';

const STORAGE_KEY = 'estrad.language';

function storedChoice(): Language | null {
  try {
    return asLanguage(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null; // Storage can be blocked; the choice then lasts only this page.
  }
}

const chosen = signal<Language | null>(storedChoice());
const preferred = navigator.languages ?? [navigator.language];
/** Set by pages once they know the event they show. */
const eventLanguage = signal<string | null>(null);

export const language = computed<Language>(() => pickLanguage({ chosen: chosen.value, preferred, event: eventLanguage.value }));

export function chooseLanguage(next: Language): void {
  chosen.value = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // See storedChoice.
  }
}

export function setEventLanguage(tag: string): void {
  eventLanguage.value = tag;
}

effect(() => {
  document.documentElement.lang = language.value;
});

/** Translates in the current language; components that call it re-render when the language changes. */
export function t<K extends MessageKey>(key: K, ...args: TranslateArgs<K>): string {
  return translate(language.value, key, ...args);
}

export const time = (iso: string, timeZone: string): string => formatTime(language.value, iso, timeZone);
export const date = (iso: string, timeZone: string): string => formatDate(language.value, iso, timeZone);

/** A language's own name in the page's language ("engelska", "Swedish"), for the captions menu; the tag itself where the browser has no name. */
export const languageName = (tag: string): string => new Intl.DisplayNames([language.value], { type: 'language' }).of(tag) ?? tag;
