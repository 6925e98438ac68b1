/** One stage of an event: live badge, what is on now and next, the watch link and the talks in order. */
import type { EventProgrammeResponse, ProgrammeTalk, ReplayInfo, StageListing } from '../../../shared/protocol';
import { t, time } from '../i18n/language';
import { nowAndNext } from './programme';
import { speakersText } from './talkText';

type ProgrammeStage = EventProgrammeResponse['stages'][number];

export interface StageProgrammeProps {
  stage: ProgrammeStage;
  timeZone: string;
  /** The language of the programme's own texts (titles, descriptions), for screen readers. */
  contentLanguage: string;
  live: StageListing | undefined;
  replaysByTalk: ReadonlyMap<string, ReplayInfo[]>;
  now: number;
  headingLevel: 2 | 3;
}

export function StageProgramme({ stage, timeZone, contentLanguage, live, replaysByTalk, now, headingLevel }: StageProgrammeProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const headingId = `stage-${stage.id}`;
  const { current, next } = nowAndNext(stage.talks, now);
  const isLive = live?.live === true;
  return (
    <section class="stage-programme" aria-labelledby={headingId} data-stage={stage.id}>
      <div class="stage-card-header">
        <Heading id={headingId} lang={contentLanguage}>
          {stage.title}
        </Heading>
        <span class="badge" data-live={String(isLive)}>
          {isLive ? t('home.live') : t('home.offAir')}
        </span>
        {live && <span class="meta">{t('home.viewers', { count: live.viewers })}</span>}
      </div>
      <div class="now-next" role="status">
        {current && <p>{t('home.nowOnStage', { title: current.title })}</p>}
        <p>{next ? t('home.nextOnStage', { time: time(next.plannedStart, timeZone), title: next.title }) : t('home.nothingNext')}</p>
      </div>
      <p class="actions">
        <a class="button button-primary" href={`/watch/${stage.id}`}>
          {t('home.watchStage', { stage: stage.title })}
        </a>
      </p>
      <ol class="talk-list" aria-label={t('home.stageProgramme', { stage: stage.title })}>
        {stage.talks.map((talk) => (
          <TalkItem
            key={talk.id}
            talk={talk}
            timeZone={timeZone}
            contentLanguage={contentLanguage}
            replays={replaysByTalk.get(talk.id) ?? []}
            onNow={talk === current}
          />
        ))}
      </ol>
    </section>
  );
}

function TalkItem({
  talk,
  timeZone,
  contentLanguage,
  replays,
  onNow,
}: {
  talk: ProgrammeTalk;
  timeZone: string;
  contentLanguage: string;
  replays: ReplayInfo[];
  onNow: boolean;
}) {
  const kind = talk.kind === 'break' ? t('home.break') : talk.kind === 'panel' ? t('home.panel') : null;
  return (
    <li class="talk" data-kind={talk.kind} aria-current={onNow ? 'time' : undefined}>
      <p class="talk-time">
        <time dateTime={talk.plannedStart}>{time(talk.plannedStart, timeZone)}</time>–<time dateTime={talk.plannedEnd}>{time(talk.plannedEnd, timeZone)}</time>
      </p>
      <div class="talk-body">
        {kind && <p class="talk-kind">{kind}</p>}
        <p class="talk-title" lang={contentLanguage}>
          {talk.title}
        </p>
        {talk.speakers.length > 0 && <p class="talk-speakers">{speakersText(talk.speakers)}</p>}
        {talk.description && (
          <p class="talk-description" lang={contentLanguage}>
            {talk.description}
          </p>
        )}
        {replays.map((replay) => (
          <a key={replay.id} class="button" href={`/archive/${replay.id}`} aria-label={t('home.watchReplay', { title: talk.title })}>
            {t('home.replayLink')}
          </a>
        ))}
      </div>
    </li>
  );
}
