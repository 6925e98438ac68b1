/** `/`: the events, their programme per stage, what is live now and what comes next. */
import '../styles.css';
import '../components/pages.css';
import { signal } from '@preact/signals';
import { render } from 'preact';
import type { EventProgrammeResponse, ReplayInfo, StageListing } from '../../../shared/protocol';
import { fetchEvents, fetchProgramme, fetchReplays, fetchStages } from '../api/events';
import { AccessForms } from '../components/AccessForms';
import { Layout } from '../components/Layout';
import { StageProgramme } from '../components/StageProgramme';
import { date, setEventLanguage, t } from '../i18n/language';

const REFRESH_INTERVAL_MS = 5_000;

const programmes = signal<EventProgrammeResponse[] | null>(null);
const loadFailed = signal(false);
const liveStages = signal<ReadonlyMap<string, StageListing>>(new Map());
const replaysByTalk = signal<ReadonlyMap<string, ReplayInfo[]>>(new Map());
/** Ticks with each refresh, so "now" and "next" move on without a reload. */
const now = signal(Date.now());

async function loadProgrammes(): Promise<void> {
  try {
    const { events } = await fetchEvents();
    programmes.value = await Promise.all(events.map((event) => fetchProgramme(event.id)));
    loadFailed.value = false;
    const [first] = programmes.value;
    if (first) setEventLanguage(first.language);
  } catch {
    loadFailed.value = true;
    setTimeout(() => void loadProgrammes(), REFRESH_INTERVAL_MS);
  }
}

async function refreshLiveState(): Promise<void> {
  try {
    const [{ stages }, { replays }] = await Promise.all([fetchStages(), fetchReplays()]);
    liveStages.value = new Map(stages.map((stage) => [stage.id, stage]));
    replaysByTalk.value = groupByTalk(replays);
  } catch {
    // The live badges keep their last state; the next round tries again.
  } finally {
    now.value = Date.now();
    // No need to poll a page nobody looks at; it refreshes when shown again.
    if (!document.hidden) setTimeout(() => void refreshLiveState(), REFRESH_INTERVAL_MS);
  }
}

function groupByTalk(replays: ReplayInfo[]): Map<string, ReplayInfo[]> {
  const byTalk = new Map<string, ReplayInfo[]>();
  for (const replay of replays) byTalk.set(replay.talkId, [...(byTalk.get(replay.talkId) ?? []), replay]);
  return byTalk;
}

function HomePage() {
  const shown = programmes.value;
  return (
    <Layout title={shown?.length === 1 ? shown[0]!.title : t('home.pageTitle')} current="events">
      {shown === null || loadFailed.value ? (
        <p class="status" role="status">
          {loadFailed.value ? t('home.loadFailed') : t('home.loading')}
        </p>
      ) : shown.length === 0 ? (
        <>
          <h1>{t('home.pageTitle')}</h1>
          <p class="status">{t('home.noEvents')}</p>
        </>
      ) : (
        <>
          {shown.length > 1 && <h1>{t('home.pageTitle')}</h1>}
          {shown.map((event) => (
            <EventSection key={event.id} event={event} headingLevel={shown.length === 1 ? 1 : 2} />
          ))}
        </>
      )}
    </Layout>
  );
}

function EventSection({ event, headingLevel }: { event: EventProgrammeResponse; headingLevel: 1 | 2 }) {
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  const headingId = `event-${event.id}`;
  const firstTalk = event.stages.flatMap((stage) => stage.talks)[0];
  return (
    <article class="event" aria-labelledby={headingId}>
      <Heading id={headingId} lang={event.language}>
        {event.title}
      </Heading>
      {firstTalk && (
        <p class="event-date">
          <time dateTime={firstTalk.plannedStart}>{date(firstTalk.plannedStart, event.timeZone)}</time>
        </p>
      )}
      {event.organiser && (
        <p class="event-organiser">
          {t('home.organiser')} <span lang={event.language}>{event.organiser}</span>
        </p>
      )}
      {event.description && (
        <p class="lead" lang={event.language}>
          {event.description}
        </p>
      )}
      {event.visibility === 'private' && <AccessForms event={event} />}
      <p class="meta">{t('home.timeZoneNote', { zone: event.timeZone })}</p>
      {event.stages.map((stage) => (
        <StageProgramme
          key={stage.id}
          stage={stage}
          timeZone={event.timeZone}
          contentLanguage={event.language}
          live={liveStages.value.get(stage.id)}
          replaysByTalk={replaysByTalk.value}
          now={now.value}
          headingLevel={headingLevel === 1 ? 2 : 3}
        />
      ))}
    </article>
  );
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void refreshLiveState();
});
render(<HomePage />, document.getElementById('app')!);
void loadProgrammes();
void refreshLiveState();
