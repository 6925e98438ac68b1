import { describe, expect, it } from 'vitest';
import { movedOrder, speakersAsLines, speakersFromLines, wallClockIn } from '../../client/src/components/talkForm.js';
import { checkSchedule, nextTalk, plannedInstant, reorderedSchedule, ScheduleError } from '../../server/domain/programme.js';

const talk = (id: string, start: string, end: string) => ({
  id,
  title: id,
  plannedStart: `2026-05-20T${start}:00.000Z`,
  plannedEnd: `2026-05-20T${end}:00.000Z`,
});

describe('the control room’s schedule rules', () => {
  it('reads a wall-clock time in the event’s time zone, summer and winter, and an ISO time with a zone as it is', () => {
    expect(plannedInstant('2026-05-20T09:00', 'Europe/Stockholm')).toBe('2026-05-20T07:00:00.000Z');
    expect(plannedInstant('2026-12-01T09:00', 'Europe/Stockholm')).toBe('2026-12-01T08:00:00.000Z');
    expect(plannedInstant('2026-05-20T09:00', 'America/New_York')).toBe('2026-05-20T13:00:00.000Z');
    expect(plannedInstant('2026-05-20T09:00:00+02:00', 'America/New_York')).toBe('2026-05-20T07:00:00.000Z');
  });

  it('refuses a talk sharing time with another of the stage, or ending before it starts; back to back is fine', () => {
    const day = [talk('opening', '07:00', '07:15'), talk('keynote', '07:15', '08:00')];
    expect(() => checkSchedule(talk('next', '08:00', '08:30'), day)).not.toThrow();
    expect(() => checkSchedule(talk('inside', '07:20', '07:30'), day)).toThrow(/overlap "keynote"/);
    expect(() => checkSchedule(talk('around', '06:00', '09:00'), day)).toThrow(ScheduleError);
    // A talk does not clash with itself when it is edited.
    expect(() => checkSchedule(talk('keynote', '07:15', '07:45'), day)).not.toThrow();
    expect(() => checkSchedule(talk('backwards', '09:00', '08:00'), day)).toThrow(/plannedEnd/);
  });

  it('finds the next talk after the one on air, or by the plan with none on air', () => {
    const day = [talk('a', '07:00', '07:15'), talk('b', '07:15', '08:00'), talk('c', '09:00', '09:30')];
    expect(nextTalk(day, 'a', '2026-05-20T12:00:00.000Z')?.id).toBe('b');
    expect(nextTalk(day, 'c', '2026-05-20T07:00:00.000Z')).toBeUndefined();
    expect(nextTalk(day, undefined, '2026-05-20T07:20:00.000Z')?.id).toBe('b');
    expect(nextTalk(day, undefined, '2026-05-20T10:00:00.000Z')).toBeUndefined();
  });

  it('reorders talks into the same slots, each keeping its length and the gaps staying in place', () => {
    const day = [talk('a', '07:00', '07:15'), talk('b', '07:15', '08:00'), talk('lunch', '09:00', '10:00')];
    expect(reorderedSchedule(day, ['b', 'a', 'lunch'])).toEqual([
      { id: 'b', plannedStart: '2026-05-20T07:00:00.000Z', plannedEnd: '2026-05-20T07:45:00.000Z' },
      { id: 'a', plannedStart: '2026-05-20T07:45:00.000Z', plannedEnd: '2026-05-20T08:00:00.000Z' },
      { id: 'lunch', plannedStart: '2026-05-20T09:00:00.000Z', plannedEnd: '2026-05-20T10:00:00.000Z' },
    ]);
    expect(() => reorderedSchedule(day, ['a', 'b'])).toThrow(/every talk/);
    expect(() => reorderedSchedule(day, ['a', 'a', 'b'])).toThrow(/twice/);
    expect(() => reorderedSchedule(day, ['a', 'b', 'x'])).toThrow(/"x"/);
  });
});

describe('the control room’s talk form', () => {
  it('shows an instant as a datetime-local value on the event’s wall clocks', () => {
    expect(wallClockIn('2026-05-20T07:00:00.000Z', 'Europe/Stockholm')).toBe('2026-05-20T09:00');
    expect(wallClockIn('2026-12-31T23:30:00.000Z', 'Europe/Stockholm')).toBe('2027-01-01T00:30');
    // What the form shows, the server reads back as the same instant.
    expect(plannedInstant(wallClockIn('2026-07-01T10:15:00.000Z', 'Europe/Stockholm'), 'Europe/Stockholm')).toBe('2026-07-01T10:15:00.000Z');
  });

  it('reads speakers one a line, "name, organisation", and writes them back the same way', () => {
    const speakers = speakersFromLines('  Anna Berg, Region Västernorrland \n\nOmar Haddad\nLena Ek, Kommunen, enheten\n');
    expect(speakers).toEqual([
      { name: 'Anna Berg', organisation: 'Region Västernorrland' },
      { name: 'Omar Haddad', organisation: '' },
      { name: 'Lena Ek', organisation: 'Kommunen, enheten' },
    ]);
    expect(speakersFromLines(speakersAsLines(speakers))).toEqual(speakers);
  });

  it('moves a talk one place up or down, and not past either end', () => {
    expect(movedOrder(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(movedOrder(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(movedOrder(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(movedOrder(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});
