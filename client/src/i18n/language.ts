/**
 * The page's language as a signal: the user's choice (remembered in localStorage), else the
 * browser's languages, else the event's language. `<html lang>` follows it.
 */
import { computed, effect, signal } from '@preact/signals';
import { type Language, languages, type MessageKey } from './messages';
import { formatDate, formatTime, translate, type TranslateArgs } from './translate';

const STORAGE_KEY = 'estrad.language';
const FALLBACK: Language = 'en';

function asLanguage(tag: string | null | undefined): Language | null {
  const primary = tag?.toLowerCase().split('-')[0];
  return languages.find((language) => language === primary) ?? null;
}

/** The first of the browser's preferred languages that the catalogue has. */
export function languageFromBrowser(preferred: readonly string[]): Language | null {
  for (const tag of preferred) {
    const language = asLanguage(tag);
    if (language) return language;
  }
  return null;
}

function storedChoice(): Language | null {
  try {
    return asLanguage(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null; // Storage can be blocked; the choice then lasts only this page.
  }
}

const chosen = signal<Language | null>(storedChoice());
const fromBrowser = languageFromBrowser(navigator.languages ?? [navigator.language]);
/** Set by pages once they know the event they show. */
export const eventLanguage = signal<Language | null>(null);

export const language = computed<Language>(() => chosen.value ?? fromBrowser ?? eventLanguage.value ?? FALLBACK);

export function chooseLanguage(next: Language): void {
  chosen.value = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // See storedChoice.
  }
}

export function setEventLanguage(tag: string): void {
  eventLanguage.value = asLanguage(tag);
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
