/**
 * The question a moderator put on screen, over the lower part of a player's picture (also in full
 * screen, where the rest of the page is out of sight): live players show the one on screen now
 * (set by the audience panel), replays the one on screen at that moment of the recording.
 */
import { signal } from '@preact/signals';
import { t } from '../i18n/language';

export interface ShownQuestion {
  text: string;
  authorName: string;
}

/** The live stage's question on screen; the audience panel keeps it up to date. */
export const questionOnScreen = signal<ShownQuestion | null>(null);

/** A live region, so that a new question on screen is read out. */
export function QuestionOnScreen({ question }: { question: ShownQuestion | null }) {
  return (
    <div id="player-on-screen" class="player-on-screen" aria-live="polite">
      {question && (
        <>
          <p class="on-screen-label">{t('audience.onScreen')}</p>
          <p class="on-screen-text">{question.text}</p>
          {question.authorName !== '' && <p class="on-screen-author">{question.authorName}</p>}
        </>
      )}
    </div>
  );
}
