/**
 * The control room's programme of one stage: its talks (edited, added, deleted, reordered), the
 * talk on air, and "next talk" in one click. Times are typed and shown in the event's time zone.
 */
import './programmeControl.css';
import type { TargetedSubmitEvent } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ControlTalk, NewTalk, StageOnAir, StageTalksResponse } from '../../../shared/programmeControl';
import { addTalk, changeTalk, fetchStageTalks, nextOnAir, putOnAir, removeTalk, reorderTalks } from '../api/programmeControl';
import { t, time } from '../i18n/language';
import type { PlainMessageKey } from '../i18n/translate';
import { followedSince, rememberOnAir, talksOnAir } from './controlRoomHealth';
import { fieldText } from './formData';
import { movedOrder, speakersAsLines, speakersFromLines, wallClockIn } from './talkForm';
import { speakersText } from './talkText';

/** Runs a technician's action and tells how it went (the control page's `act`); true when it was carried out. */
export type ControlAction = (what: string, action: () => Promise<unknown>) => Promise<boolean>;

const DEFAULT_TALK_MINUTES = 30;
const KINDS: [ControlTalk['kind'], PlainMessageKey][] = [
  ['talk', 'control.kindTalk'],
  ['panel', 'home.panel'],
  ['break', 'home.break'],
];

export function ProgrammeEditor({ stageId, stageTitle, act }: { stageId: string; stageTitle: string; act: ControlAction }) {
  const [programme, setProgramme] = useState<StageTalksResponse | null>(null);
  const load = useCallback(
    () =>
      fetchStageTalks(stageId).then(
        (loaded) => {
          setProgramme(loaded);
          rememberOnAir(loaded.onAir);
        },
        () => undefined,
      ),
    [stageId],
  );
  // Read on opening and after every (re)connection of the control room's socket; the talk on air,
  // whichever technician changes it, is pushed in between (programme:onAir).
  const since = followedSince.value;
  useEffect(() => void load(), [load, since]);
  if (!programme) return null;

  const run: ControlAction = (what, action) =>
    act(what, action).then((done) => {
      void load();
      return done;
    });
  const { talks, timeZone } = programme;
  const onAir = talksOnAir.value.get(stageId) ?? programme.onAir;
  const order = talks.map((talk) => talk.id);
  return (
    <section class="control-programme" aria-labelledby={`programme-${stageId}`}>
      <h4 id={`programme-${stageId}`}>{t('control.programmeHeading', { stage: stageTitle })}</h4>
      <OnAirBar stageId={stageId} onAir={onAir} timeZone={timeZone} run={run} />
      <p class="hint">{t('control.timeZoneNote', { zone: timeZone })}</p>
      {talks.length === 0 ? (
        <p>{t('control.noTalks')}</p>
      ) : (
        <ol class="control-talks">
          {talks.map((talk, index) => (
            <TalkItem
              key={talk.id}
              talk={talk}
              timeZone={timeZone}
              onAir={onAir.talk?.id === talk.id}
              run={run}
              move={(step) =>
                run(t(step < 0 ? 'control.moveUp' : 'control.moveDown', { title: talk.title }), () => reorderTalks(stageId, movedOrder(order, index, step)))
              }
              first={index === 0}
              last={index === talks.length - 1}
            />
          ))}
        </ol>
      )}
      <NewTalkForm key={talks.length} stageId={stageId} stageTitle={stageTitle} lastEnd={talks.at(-1)?.plannedEnd} timeZone={timeZone} run={run} />
    </section>
  );
}

function OnAirBar({ stageId, onAir, timeZone, run }: { stageId: string; onAir: StageOnAir; timeZone: string; run: ControlAction }) {
  const { talk, since, next } = onAir;
  return (
    <div class="control-on-air">
      <p class="control-on-air-now">{talk && since ? t('control.onAirNow', { title: talk.title, time: time(since, timeZone) }) : t('control.nothingOnAir')}</p>
      <p>{next ? t('control.upNext', { title: next.title }) : t('control.noNext')}</p>
      <p class="control-inline">
        <button class="button button-primary" type="button" disabled={!next} onClick={() => void run(t('control.nextTalk'), () => nextOnAir(stageId))}>
          {t('control.nextTalk')}
        </button>
        {talk && (
          <button class="button" type="button" onClick={() => void run(t('control.endOnAir', { title: talk.title }), () => putOnAir(stageId, null))}>
            {t('control.endOnAir', { title: talk.title })}
          </button>
        )}
      </p>
    </div>
  );
}

interface TalkItemProps {
  talk: ControlTalk;
  timeZone: string;
  onAir: boolean;
  run: ControlAction;
  move: (step: -1 | 1) => Promise<boolean>;
  first: boolean;
  last: boolean;
}

function TalkItem({ talk, timeZone, onAir, run, move, first, last }: TalkItemProps) {
  const { title } = talk;
  return (
    <li class="control-talk" data-talk={talk.id} data-on-air={String(onAir)}>
      <p class="control-talk-heading">
        <span class="control-talk-time">{t('control.talkTime', { start: time(talk.plannedStart, timeZone), end: time(talk.plannedEnd, timeZone) })}</span>{' '}
        <strong>{title}</strong>{' '}
        {onAir && (
          <span class="badge" data-live="true">
            {t('control.onAirBadge')}
          </span>
        )}
      </p>
      {talk.speakers.length > 0 && <p class="meta">{speakersText(talk.speakers)}</p>}
      <p class="control-inline">
        {!onAir && (
          <button class="button" type="button" onClick={() => void run(t('control.putOnAir', { title }), () => putOnAir(talk.stageId, talk.id))}>
            {t('control.putOnAir', { title })}
          </button>
        )}
        <button class="button" type="button" disabled={first} onClick={() => void move(-1)}>
          {t('control.moveUp', { title })}
        </button>
        <button class="button" type="button" disabled={last} onClick={() => void move(1)}>
          {t('control.moveDown', { title })}
        </button>
        <button class="button button-danger" type="button" onClick={() => void run(t('control.deleteTalk', { title }), () => removeTalk(talk.id))}>
          {t('control.deleteTalk', { title })}
        </button>
      </p>
      <details class="control-talk-edit">
        <summary>{t('control.editTalk', { title })}</summary>
        <TalkFields
          idPrefix={`talk-${talk.id}`}
          values={{
            ...talk,
            plannedStart: wallClockIn(talk.plannedStart, timeZone),
            plannedEnd: wallClockIn(talk.plannedEnd, timeZone),
            speakers: speakersAsLines(talk.speakers),
          }}
          submitLabel={t('control.saveTalk', { title })}
          onSubmit={(fields) => run(t('control.saveTalk', { title }), () => changeTalk(talk.id, fields))}
        />
      </details>
    </li>
  );
}

function NewTalkForm(props: { stageId: string; stageTitle: string; lastEnd: string | undefined; timeZone: string; run: ControlAction }) {
  const { stageId, lastEnd, timeZone, run } = props;
  // A new talk most often follows the last one.
  const start = lastEnd && wallClockIn(lastEnd, timeZone);
  const end = lastEnd && wallClockIn(new Date(Date.parse(lastEnd) + DEFAULT_TALK_MINUTES * 60_000).toISOString(), timeZone);
  const heading = `new-talk-${stageId}`;
  return (
    <div class="control-new-talk" role="group" aria-labelledby={heading}>
      <h5 id={heading}>{t('control.newTalkHeading', { stage: props.stageTitle })}</h5>
      <TalkFields
        idPrefix={heading}
        values={{ title: '', description: '', kind: 'talk', plannedStart: start ?? '', plannedEnd: end ?? '', speakers: '' }}
        submitLabel={t('control.addTalk')}
        onSubmit={(fields) => run(t('control.addTalk'), () => addTalk(stageId, fields))}
      />
    </div>
  );
}

interface TalkFieldValues {
  title: string;
  description: string;
  kind: ControlTalk['kind'];
  plannedStart: string;
  plannedEnd: string;
  /** One speaker a line. */
  speakers: string;
}

function TalkFields({
  idPrefix,
  values,
  submitLabel,
  onSubmit,
}: {
  idPrefix: string;
  values: TalkFieldValues;
  submitLabel: string;
  onSubmit: (talk: NewTalk) => Promise<boolean>;
}) {
  const id = (field: string) => `${idPrefix}-${field}`;
  const submit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    void onSubmit({
      title: fieldText(data, 'title'),
      description: fieldText(data, 'description'),
      kind: fieldText(data, 'kind') as ControlTalk['kind'],
      plannedStart: fieldText(data, 'plannedStart'),
      plannedEnd: fieldText(data, 'plannedEnd'),
      speakers: speakersFromLines(fieldText(data, 'speakers')),
    });
  };
  return (
    <form class="control-talk-form" onSubmit={submit}>
      <div class="field">
        <label for={id('title')}>{t('control.talkTitle')}</label>
        <input id={id('title')} name="title" required maxLength={200} defaultValue={values.title} />
      </div>
      <div class="field">
        <label for={id('kind')}>{t('control.talkKind')}</label>
        <select id={id('kind')} name="kind">
          {KINDS.map(([kind, label]) => (
            <option key={kind} value={kind} selected={values.kind === kind}>
              {t(label)}
            </option>
          ))}
        </select>
      </div>
      <div class="control-inline">
        <div class="field">
          <label for={id('start')}>{t('control.talkStart')}</label>
          <input id={id('start')} name="plannedStart" type="datetime-local" required defaultValue={values.plannedStart} />
        </div>
        <div class="field">
          <label for={id('end')}>{t('control.talkEnd')}</label>
          <input id={id('end')} name="plannedEnd" type="datetime-local" required defaultValue={values.plannedEnd} />
        </div>
      </div>
      <div class="field">
        <label for={id('speakers')}>{t('control.talkSpeakers')}</label>
        <textarea id={id('speakers')} name="speakers" rows={2} defaultValue={values.speakers} />
      </div>
      <div class="field">
        <label for={id('description')}>{t('control.talkDescription')}</label>
        <textarea id={id('description')} name="description" rows={2} maxLength={10_000} defaultValue={values.description} />
      </div>
      <button class="button button-primary" type="submit">
        {submitLabel}
      </button>
    </form>
  );
}
