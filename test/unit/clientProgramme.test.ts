import { describe, expect, it } from 'vitest';
import { pickLanguage } from '../../client/src/i18n/choice.js';
import { nowAndNext } from '../../client/src/components/programme.js';
import type { ProgrammeTalk } from '../../shared/protocol.js';

const talk = (id: string, start: string, end: string): ProgrammeTalk => ({
  id,
  title: id,
  description: '',
  kind: 'talk',
  plannedStart: `2026-12-01T${start}:00.000Z`,
  plannedEnd: `2026-12-01T${end}:00.000Z`,
  speakers: [],
});
const at = (time: string) => Date.parse(`2026-12-01T${time}:00.000Z`);

describe('what the home page says is on now and next', () => {
  const talks = [talk('opening', '08:00', '08:15'), talk('keynote', '08:15', '09:00'), talk('closing', '09:30', '10:00')];

  it('names the talk whose planned time spans now, and the next one to start', () => {
    expect(nowAndNext(talks, at('08:20'))).toEqual({ current: talks[1], next: talks[2] });
    // A talk's end is the next one's start: at 08:15 the keynote is on, not the opening.
    expect(nowAndNext(talks, at('08:15')).current).toBe(talks[1]);
  });

  it('has nothing on in a gap or before the day, and nothing next after the last talk', () => {
    expect(nowAndNext(talks, at('09:10'))).toEqual({ current: undefined, next: talks[2] });
    expect(nowAndNext(talks, at('07:00'))).toEqual({ current: undefined, next: talks[0] });
    expect(nowAndNext(talks, at('10:00'))).toEqual({ current: undefined, next: undefined });
  });
});

describe('which language a page shows', () => {
  it('follows the visitor’s choice before anything else', () => {
    expect(pickLanguage({ chosen: 'en', preferred: ['sv-SE'], event: 'sv' })).toBe('en');
  });

  it('else the first of the browser’s languages the catalogue has, by primary tag', () => {
    expect(pickLanguage({ chosen: null, preferred: ['de-DE', 'sv-FI', 'en'], event: 'en' })).toBe('sv');
    expect(pickLanguage({ chosen: null, preferred: ['EN-gb'], event: 'sv' })).toBe('en');
  });

  it('else the event’s language, else English', () => {
    expect(pickLanguage({ chosen: null, preferred: ['de', 'fi'], event: 'sv' })).toBe('sv');
    expect(pickLanguage({ chosen: null, preferred: [], event: null })).toBe('en');
    expect(pickLanguage({ chosen: null, preferred: [], event: 'fr' })).toBe('en');
  });
});
