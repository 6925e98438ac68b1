/**
 * Every time in the database is an ISO-8601 UTC string in Date#toISOString's exact shape
 * (`2026-05-20T07:00:00.000Z`): with one fixed width, comparing the strings compares the times,
 * so SQL can order and range-check them without parsing. The schema refuses any other shape.
 */

export function toIsoTime(time: Date | string | number): string {
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid time: ${String(time)}`);
  return date.toISOString();
}

export function addMilliseconds(time: Date, milliseconds: number): Date {
  return new Date(time.getTime() + milliseconds);
}

/** The calendar date (YYYY-MM-DD) it is at `time` in `timeZone`. */
export function localDate(time: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(time);
}

/** The instant a wall clock in `timeZone` shows `date` (YYYY-MM-DD) and `clock` (HH:MM). */
export function zonedTimeToUtc(date: string, clock: string, timeZone: string): Date {
  const asIfUtc = Date.parse(`${date}T${clock}:00.000Z`);
  if (Number.isNaN(asIfUtc)) throw new RangeError(`not a valid date and time: ${date} ${clock}`);
  // The offset at the guess may differ from the offset at the answer across a DST change,
  // so correct twice; the second pass is a no-op except right at a transition.
  const firstGuess = asIfUtc - utcOffsetMs(new Date(asIfUtc), timeZone);
  return new Date(asIfUtc - utcOffsetMs(new Date(firstGuess), timeZone));
}

function utcOffsetMs(time: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(time);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  const wallClockAsUtc = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return wallClockAsUtc - Math.floor(time.getTime() / 1000) * 1000;
}
