/** How a talk's speakers and a replay's length read, the same on every page. */
import type { ProgrammeTalk } from '../../../shared/protocol';
import { t } from '../i18n/language';

export function speakersText(speakers: ProgrammeTalk['speakers']): string {
  const names = speakers.map((speaker) => (speaker.organisation ? `${speaker.name} (${speaker.organisation})` : speaker.name));
  return t('talk.speakers', { names: names.join(', ') });
}

/** "45 minuter", or seconds for a replay shorter than a minute. */
export function durationText(seconds: number): string {
  return seconds < 60 ? t('archive.seconds', { count: Math.round(seconds) }) : t('archive.minutes', { count: Math.round(seconds / 60) });
}
