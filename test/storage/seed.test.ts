import { describe, expect, it } from 'vitest';
import { createEvent, getEvent, listEvents } from '../../server/storage/events.js';
import { DEMO_EVENT_ID, DEMO_STAGE_ID, seedDemoEvent } from '../../server/storage/seed.js';
import { listSpeakers } from '../../server/storage/speakers.js';
import { listStages } from '../../server/storage/stages.js';
import { listTalksByStage } from '../../server/storage/talks.js';
import { localDate, zonedTimeToUtc } from '../../server/storage/time.js';
import { openTempDatabase, sampleEvent } from './helpers.js';

describe('the demo event', () => {
  it('is created on first start only, in Swedish, on the demo stage', () => {
    const db = openTempDatabase();
    const now = new Date('2026-05-20T05:30:00.000Z');
    expect(seedDemoEvent(db, now)).toBe(true);
    expect(seedDemoEvent(db, now)).toBe(false);
    expect(listEvents(db)).toHaveLength(1);

    const event = getEvent(db, DEMO_EVENT_ID);
    expect(event).toMatchObject({ timeZone: 'Europe/Stockholm', language: 'sv', visibility: 'public', hasAccessCode: false });
    expect(event?.title).toContain('Folkhälsodagen');
    expect(event?.organiser).toBe('Sundsvalls kommun och Region Västernorrland');
    expect(listStages(db, DEMO_EVENT_ID)).toEqual([{ id: DEMO_STAGE_ID, eventId: DEMO_EVENT_ID, title: 'Stora scenen', position: 0 }]);

    const talks = listTalksByStage(db, DEMO_STAGE_ID);
    expect(talks.length).toBeGreaterThanOrEqual(5);
    // 09:00 in Stockholm is 07:00 UTC in summer time.
    expect(talks[0]).toMatchObject({ title: 'Välkommen till Folkhälsodagen', plannedStart: '2026-05-20T07:00:00.000Z' });
    expect(talks.at(-1)?.title).toMatch(/^Avslutning/);
    const panel = talks.find((talk) => talk.kind === 'panel');
    expect(panel?.title).toMatch(/^Panelsamtal: /);
    expect(panel?.speakers.length).toBeGreaterThanOrEqual(3);
    expect(talks.some((talk) => talk.kind === 'break' && talk.speakers.length === 0)).toBe(true);
    for (const [earlier, later] of talks.slice(1).map((talk, index) => [talks[index], talk] as const)) {
      expect(earlier?.plannedEnd).toBe(later.plannedStart);
    }
    expect(listSpeakers(db, DEMO_EVENT_ID).every((speaker) => speaker.organisation.length > 0)).toBe(true);
  });

  it('is not created when another event exists', () => {
    const db = openTempDatabase();
    createEvent(db, sampleEvent);
    expect(seedDemoEvent(db)).toBe(false);
    expect(getEvent(db, DEMO_EVENT_ID)).toBeUndefined();
  });
});

describe('wall-clock times in a time zone', () => {
  it('converts across summer and winter time, including the day the clocks change', () => {
    expect(zonedTimeToUtc('2026-01-15', '09:00', 'Europe/Stockholm').toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(zonedTimeToUtc('2026-07-01', '09:00', 'Europe/Stockholm').toISOString()).toBe('2026-07-01T07:00:00.000Z');
    // Clocks go forward at 02:00 on 29 March 2026 and back at 03:00 on 25 October.
    expect(zonedTimeToUtc('2026-03-29', '09:00', 'Europe/Stockholm').toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(zonedTimeToUtc('2026-10-25', '09:00', 'Europe/Stockholm').toISOString()).toBe('2026-10-25T08:00:00.000Z');
    expect(zonedTimeToUtc('2026-05-20', '09:00', 'America/New_York').toISOString()).toBe('2026-05-20T13:00:00.000Z');
  });

  it('knows which day it is in the zone', () => {
    expect(localDate(new Date('2026-05-19T22:30:00.000Z'), 'Europe/Stockholm')).toBe('2026-05-20');
    expect(localDate(new Date('2026-05-19T22:30:00.000Z'), 'UTC')).toBe('2026-05-19');
  });
});
