/** `/archive`: every replay by talk, searched by title, speaker and description, filtered by event and stage. */
import '../styles.css';
import '../components/pages.css';
import { signal } from '@preact/signals';
import { render, type TargetedSubmitEvent } from 'preact';
import type { ArchiveEntry, EventSummary } from '../../../shared/protocol';
import { type ArchiveSearch, archiveQueryString, fetchEvents, searchArchive } from '../api/events';
import { Layout } from '../components/Layout';
import { durationText, speakersText } from '../components/talkText';
import { errorText } from '../i18n/errors';
import { date, setEventLanguage, t } from '../i18n/language';
import { fieldText } from '../components/formData';

/** The search lives in the address (?q=&event=&stage=), so a search can be shared and survives a reload. */
function searchFromAddress(): ArchiveSearch {
  const params = new URLSearchParams(location.search);
  return { q: params.get('q') ?? '', event: params.get('event') ?? '', stage: params.get('stage') ?? '' };
}

const search = signal<ArchiveSearch>(searchFromAddress());
const events = signal<EventSummary[]>([]);
const results = signal<{ kind: 'loading' } | { kind: 'failed'; error: unknown } | { kind: 'found'; replays: ArchiveEntry[] }>({ kind: 'loading' });

async function loadEvents(): Promise<void> {
  try {
    events.value = (await fetchEvents()).events;
    const [first] = events.value;
    if (first) setEventLanguage(first.language);
  } catch {
    // The filters then offer only "All"; the search itself says what went wrong.
  }
}

async function runSearch(next: ArchiveSearch): Promise<void> {
  search.value = next;
  history.replaceState(null, '', `${location.pathname}${archiveQueryString(next)}`);
  results.value = { kind: 'loading' };
  try {
    results.value = { kind: 'found', replays: (await searchArchive(next)).replays };
  } catch (error) {
    results.value = { kind: 'failed', error };
  }
}

function onSearch(event: TargetedSubmitEvent<HTMLFormElement>): void {
  event.preventDefault();
  const data = new FormData(event.currentTarget);
  void runSearch({ q: fieldText(data, 'q'), event: fieldText(data, 'event'), stage: fieldText(data, 'stage') });
}

function ArchivePage() {
  return (
    <Layout title={t('archive.pageTitle')} current="archive">
      <h1>{t('archive.pageTitle')}</h1>
      <p class="lead">{t('archive.intro')}</p>
      <SearchForm />
      <Results />
    </Layout>
  );
}

function SearchForm() {
  const chosenEvent = events.value.find((event) => event.id === search.value.event);
  const stages = chosenEvent ? chosenEvent.stages : events.value.flatMap((event) => event.stages);
  return (
    <form class="panel archive-search" role="search" onSubmit={onSearch}>
      <div class="field">
        <label for="archive-q">{t('archive.search')}</label>
        <input id="archive-q" name="q" type="search" maxLength={200} defaultValue={search.value.q} />
      </div>
      <div class="archive-filters">
        <div class="field">
          <label for="archive-event">{t('archive.event')}</label>
          <select id="archive-event" name="event" value={search.value.event}>
            <option value="">{t('archive.all')}</option>
            {events.value.map((event) => (
              <option key={event.id} value={event.id} lang={event.language}>
                {event.title}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="archive-stage">{t('archive.stage')}</label>
          <select id="archive-stage" name="stage" value={search.value.stage}>
            <option value="">{t('archive.all')}</option>
            {stages.map((stage) => (
              <option key={stage.id} value={stage.id}>
                {stage.title}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button class="button button-primary" type="submit">
        {t('archive.searchButton')}
      </button>
    </form>
  );
}

function Results() {
  const shown = results.value;
  const timeZoneOf = (eventId: string) => events.value.find((event) => event.id === eventId)?.timeZone ?? 'UTC';
  return (
    <section class="archive-results" aria-labelledby="archive-results-heading">
      <div role="status">
        <h2 id="archive-results-heading">
          {shown.kind === 'loading'
            ? t('archive.loading')
            : shown.kind === 'failed'
              ? errorText(shown.error)
              : t('archive.results', { count: shown.replays.length })}
        </h2>
      </div>
      {shown.kind === 'found' && shown.replays.length === 0 && <p>{t('archive.none')}</p>}
      {shown.kind === 'found' && (
        <ol class="archive-list">
          {shown.replays.map((replay) => (
            <li key={replay.id} class="archive-entry" data-replay={replay.id}>
              {/* Decorative: the title beside it says what it shows. A recording without a frame to give answers 404: no picture then. */}
              <img
                class="archive-poster"
                src={replay.posterUrl}
                alt=""
                width={160}
                height={90}
                loading="lazy"
                onError={(event) => (event.currentTarget.hidden = true)}
              />
              <h3 class="archive-title">
                <a href={`/archive/${replay.id}`}>{replay.title}</a>
              </h3>
              {replay.speakers.length > 0 && <p>{speakersText(replay.speakers)}</p>}
              <p class="meta">
                {t('archive.where', { stage: replay.stageTitle, date: date(replay.inAt, timeZoneOf(replay.eventId)) })} · {durationText(replay.durationSeconds)}
              </p>
              {replay.description && <p class="talk-description">{replay.description}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

render(<ArchivePage />, document.getElementById('app')!);
void loadEvents();
void runSearch(search.value);
