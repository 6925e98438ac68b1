/** What the control room's programme forms need without rendering (test/unit checks it): times, speakers, order. */

/**
 * The instant `iso` as a datetime-local field's value ("2026-05-20T09:00") on the wall clocks of
 * `timeZone`: the server reads such a value back in the event's time zone.
 */
export function wallClockIn(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((found) => found.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/** "Name, Organisation" lines as a talk's speakers; blank lines are skipped. */
export function speakersFromLines(text: string): { name: string; organisation: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const comma = line.indexOf(',');
      return comma < 0 ? { name: line, organisation: '' } : { name: line.slice(0, comma).trim(), organisation: line.slice(comma + 1).trim() };
    });
}

/** The speakers as the lines speakersFromLines reads. */
export function speakersAsLines(speakers: readonly { name: string; organisation: string }[]): string {
  return speakers.map((speaker) => (speaker.organisation ? `${speaker.name}, ${speaker.organisation}` : speaker.name)).join('\n');
}

/** `ids` with the one at `index` moved one place up (-1) or down (+1); unchanged at either end. */
export function movedOrder(ids: readonly string[], index: number, step: -1 | 1): string[] {
  const target = index + step;
  if (index < 0 || index >= ids.length || target < 0 || target >= ids.length) return [...ids];
  const order = [...ids];
  [order[index], order[target]] = [order[target]!, order[index]!];
  return order;
}
