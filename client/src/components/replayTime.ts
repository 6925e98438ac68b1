/** Times on the replay page: `?t=` in and out of addresses, clock text, the current chapter (pure). */

/** Seconds from `?t=` (a whole or decimal number of seconds), or 0 when absent or not a time. */
export function startTimeFrom(search: string): number {
  const value = new URLSearchParams(search).get('t');
  if (value === null || !/^\d+(\.\d+)?$/.test(value)) return 0;
  return Number(value);
}

/**
 * The address to share: this page at `seconds` (whole seconds), without a personal access token
 * (`?access=`), which is the viewer's own and must not travel with a shared link.
 */
export function shareAddress(href: string, seconds: number): string {
  const url = new URL(href);
  url.searchParams.delete('access');
  url.searchParams.set('t', String(Math.max(0, Math.floor(seconds))));
  return url.toString();
}

/** "4:05", or "1:02:03" from an hour on. */
export function clockText(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const [hours, minutes, rest] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const two = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(rest)}` : `${minutes}:${two(rest)}`;
}

/** The index of the chapter playing at `time`: the last one that has started; -1 before the first. */
export function currentChapterIndex(starts: readonly number[], time: number): number {
  let current = -1;
  for (const [index, start] of starts.entries()) if (start <= time) current = index;
  return current;
}
