/** In /control, per stage: the technician's "Talk to backstage" toggle, what it is doing, and colleagues talking there. */
import { t } from '../i18n/language';
import type { TalkbackState } from '../live/talkback';
import { TalkbackAudio } from './SpeakerReturnView';

export function TalkbackPanel({
  stageId,
  stageTitle,
  state,
  colleagues,
  onToggle,
}: {
  stageId: string;
  stageTitle: string;
  state: TalkbackState;
  colleagues: MediaStreamTrack[];
  onToggle: (talking: boolean) => void;
}) {
  const headingId = `talkback-${stageId}`;
  const on = state === 'starting' || state === 'talking';
  return (
    <section class="talkback" aria-labelledby={headingId} data-talkback={state}>
      <h4 id={headingId}>{t('talkback.heading')}</h4>
      <p class="meta">{t('talkback.intro')}</p>
      <p class="control-inline">
        <button class="button" type="button" aria-pressed={on} onClick={() => onToggle(!on)}>
          {t('talkback.talk', { stage: stageTitle })}
        </button>
      </p>
      <p class="status" role="status">
        {state === 'starting' && t('talkback.starting')}
        {state === 'talking' && t('talkback.talking', { stage: stageTitle })}
      </p>
      <p class="meta" role="status" data-colleagues={colleagues.length}>
        {colleagues.length > 0 && t('talkback.colleagueTalking', { stage: stageTitle })}
      </p>
      {colleagues.map((track) => (
        <TalkbackAudio key={track.id} track={track} />
      ))}
      {state === 'failed' && (
        <p class="problem" role="alert">
          {t('talkback.microphoneFailed')}
        </p>
      )}
    </section>
  );
}
