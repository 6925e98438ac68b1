/** Looks messages up in the catalogue, fills in parameters, picks plural forms and formats times. */
// With .js, test/unit (NodeNext) can import this file as the bundler does.
import { catalogues, type Language, type Message, type MessageKey, type SwedishMessages } from './messages.js';

type ParamsOfText<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamsOfText<Rest> : never;
type ParamsOf<M> = M extends string ? ParamsOfText<M> : M extends { other: infer O extends string } ? ParamsOfText<O> | 'count' : never;

/** The parameters a message takes, from the Swedish text (the test keeps English in step). */
export type MessageParams<K extends MessageKey> = { [P in ParamsOf<SwedishMessages[K]>]: P extends 'count' ? number : string | number };

export type TranslateArgs<K extends MessageKey> = [ParamsOf<SwedishMessages[K]>] extends [never] ? [] : [MessageParams<K>];

/** Keys of messages without parameters: what a lookup table of keys can hold and `t(key)` takes alone. */
export type PlainMessageKey = { [K in MessageKey]: TranslateArgs<K> extends [] ? K : never }[MessageKey];

const pluralRules = new Map<Language, Intl.PluralRules>();

export function translate<K extends MessageKey>(language: Language, key: K, ...args: TranslateArgs<K>): string {
  const params = (args[0] ?? {}) as Record<string, string | number>;
  // A key of a part its page has not added shows as itself, which a test would catch.
  const text = pickForm(language, catalogues[language][key] ?? key, params.count);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? formatParam(language, params[name]!) : whole));
}

function pickForm(language: Language, message: Message, count: string | number | undefined): string {
  if (typeof message === 'string') return message;
  let rules = pluralRules.get(language);
  if (!rules) pluralRules.set(language, (rules = new Intl.PluralRules(language)));
  return rules.select(Number(count)) === 'one' ? message.one : message.other;
}

function formatParam(language: Language, value: string | number): string {
  return typeof value === 'number' ? value.toLocaleString(language) : value;
}

/** The parameter names a message uses, in order of first use; for the catalogue test. */
export function parametersOf(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : [message.one, message.other];
  const names = texts.flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!));
  return [...new Set(names)].sort();
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(language: Language, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const cacheKey = `${language}|${timeZone}|${JSON.stringify(options)}`;
  let format = timeFormats.get(cacheKey);
  if (!format) timeFormats.set(cacheKey, (format = new Intl.DateTimeFormat(language, { ...options, timeZone })));
  return format;
}

/** "09:15": a time of day in the event's time zone, whatever the viewer's own. */
export function formatTime(language: Language, iso: string, timeZone: string): string {
  return dateTimeFormat(language, timeZone, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** "tisdag 1 december 2026": a day in the event's time zone. */
export function formatDate(language: Language, iso: string, timeZone: string): string {
  return dateTimeFormat(language, timeZone, { dateStyle: 'full' }).format(new Date(iso));
}
