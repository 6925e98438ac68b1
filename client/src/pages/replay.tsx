/**
 * `/replay/<id>` and `/archive/<id>`: a talk's replay, or a whole stage recording (played from its
 * live edge while it is still being recorded, with "Back to live" after a rewind). Chapters,
 * captions (WebVTT tracks, when the recording has them), playback speed, keyboard shortcuts, the
 * MP4 download and a link that opens at a time (`?t=`).
 */
import '../styles.css';
import '../components/pages.css';
import { computed, signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { CaptionTrack, EventSummary, ReplayChapter, ReplayOnScreen } from '../../../shared/protocol';
import { RECORD_ID_PATTERN } from '../../../shared/ids';
import { fetchEvents } from '../api/events';
import { ApiFailure } from '../api/http';
import { type AccessHeaders, fetchCaptions, fetchChapters, fetchQuestionsOnScreen, fetchRecording, fetchReplay } from '../api/replays';
import { Layout } from '../components/Layout';
import { QuestionOnScreen } from '../components/QuestionOnScreen';
import { type PlayerAction, SEEK_STEP_SECONDS, shortcutFor } from '../components/playerShortcuts';
import { clockText, currentChapterIndex, shareAddress, startTimeFrom } from '../components/replayTime';
import { speakersText } from '../components/talkText';
import { connectionCredentials } from '../credentials';
import { errorText } from '../i18n/errors';
import { date, languageName, setEventLanguage, t } from '../i18n/language';
import type { MessageKey } from '../i18n/messages';
import { playRecording, type RecordingPlayer, type RecordingPlayerState } from '../live/recordingPlayer';

declare global {
  interface Window {
    /** For tests and diagnostics. */
    estradReplay?: { state(): PageState; live(): boolean };
  }
}

type PageState = 'loading' | 'ready' | 'error';

interface Playable {
  kind: 'replays' | 'recordings';
  id: string;
  /** A talk's title; undefined for a whole stage recording, titled by its stage. */
  title: string | undefined;
  speakers: { name: string; organisation: string }[];
  stage: string;
  startedAt: string;
  playlistUrl: string;
  live: boolean;
  downloadUrl: string | undefined;
  posterUrl: string | undefined;
}

const PLAYBACK_RATES = [0.5, 0.75, 1, 1.25, 1.5, 2];

const STATE_TEXT = {
  loading: 'replay.loading',
  ready: 'replay.ready',
  live: 'replay.live',
  'behind-live': 'replay.behindLive',
  retrying: 'replay.retrying',
  unsupported: 'replay.unsupported',
} as const satisfies Record<RecordingPlayerState, MessageKey>;

const found = signal<{ kind: 'loading' } | { kind: 'failed'; error: unknown } | { kind: 'found'; playable: Playable }>({ kind: 'loading' });
const events = signal<EventSummary[]>([]);
const chapters = signal<ReplayChapter[]>([]);
/** One per language; the video's own controls offer them. */
const captions = signal<CaptionTrack[]>([]);
/** The questions a moderator had on screen while this was recorded; each shows over the picture at its moment. */
const questionsOnScreen = signal<ReplayOnScreen[]>([]);
const playerState = signal<RecordingPlayerState>('loading');
const currentTime = signal(0);
const playbackRate = signal(1);
const sharedLink = signal<{ address: string; copied: boolean } | null>(null);
const shownQuestion = computed(
  () => questionsOnScreen.value.find((question) => question.fromSeconds <= currentTime.value && currentTime.value < question.toSeconds) ?? null,
);
let player: RecordingPlayer | undefined;

const stageOf = computed(() => {
  const shown = found.value;
  if (shown.kind !== 'found') return undefined;
  for (const event of events.value) {
    const stage = event.stages.find((candidate) => candidate.id === shown.playable.stage);
    if (stage) return { title: stage.title, timeZone: event.timeZone };
  }
  return undefined;
});

/** A talk replay by id, else a whole recording by id. */
async function findPlayable(id: string, headers: AccessHeaders): Promise<Playable> {
  try {
    const replay = await fetchReplay(id, headers);
    return { kind: 'replays', ...replay, startedAt: replay.inAt, live: false };
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.code !== 'not_found') throw error;
  }
  const recording = await fetchRecording(id, headers);
  return {
    kind: 'recordings',
    id: recording.id,
    title: undefined,
    speakers: [],
    stage: recording.stage,
    startedAt: recording.startedAt,
    playlistUrl: recording.playlistUrl,
    live: recording.status === 'recording',
    downloadUrl: undefined,
    posterUrl: undefined,
  };
}

function pageTitle(playable: Playable): string {
  return playable.title ?? t('replay.recordingTitle', { stage: stageOf.value?.title ?? playable.stage });
}

function ReplayPage() {
  const shown = found.value;
  if (shown.kind === 'loading') {
    return (
      <Layout title={t('replay.pageTitle')} current="archive">
        <h1>{t('replay.pageTitle')}</h1>
        <p role="status">{t('replay.loading')}</p>
      </Layout>
    );
  }
  if (shown.kind === 'failed') {
    const missing = shown.error instanceof ApiFailure && shown.error.code === 'not_found';
    return (
      <Layout title={t('replay.missingTitle')} current="archive">
        <h1>{t('replay.missingTitle')}</h1>
        <p role="alert">{missing ? t('replay.missing') : errorText(shown.error)}</p>
        <p>
          <a href="/archive">{t('replay.toArchive')}</a>
        </p>
      </Layout>
    );
  }
  const { playable } = shown;
  const stage = stageOf.value;
  const meta = [
    playable.speakers.length > 0 ? speakersText(playable.speakers) : undefined,
    stage?.title,
    stage ? date(playable.startedAt, stage.timeZone) : undefined,
  ].filter(Boolean);
  return (
    <Layout title={pageTitle(playable)} current="archive">
      <div class="stage-heading">
        <h1 id="replay-title">{pageTitle(playable)}</h1>
        {playable.live && (
          <span id="replay-badge" class="badge" data-live="true">
            {t('replay.liveBadge')}
          </span>
        )}
      </div>
      <p id="replay-meta" class="meta">
        {meta.join(' · ')}
      </p>
      <Player playable={playable} />
    </Layout>
  );
}

function Player({ playable }: { playable: Playable }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const playerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const video = videoRef.current!;
    const source = { playlistUrl: playable.playlistUrl, live: playable.live, startAt: startTimeFrom(location.search), access: connectionCredentials().access };
    let closed = false;
    void playRecording(video, source, (state) => (playerState.value = state)).then((started) => {
      if (closed) started.close();
      else player = started;
    });
    const onKey = (event: KeyboardEvent) => {
      const target = event.target instanceof Element ? event.target.tagName : undefined;
      const action = shortcutFor({ key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, targetTag: target });
      if (!action) return;
      event.preventDefault();
      perform(action, video, playerRef.current!);
    };
    const onTime = () => (currentTime.value = video.currentTime);
    document.addEventListener('keydown', onKey);
    video.addEventListener('timeupdate', onTime);
    return () => {
      closed = true;
      player?.close();
      document.removeEventListener('keydown', onKey);
      video.removeEventListener('timeupdate', onTime);
    };
  }, [playable]);
  const video = () => videoRef.current!;
  return (
    <>
      <div class="player replay-player" data-picture="on" ref={playerRef}>
        <video
          id="replay-video"
          class="player-video"
          playsInline
          controls
          poster={playable.posterUrl}
          aria-label={t('replay.videoLabel')}
          aria-describedby="replay-shortcuts-heading"
          ref={videoRef}
        >
          {/* hls.js leaves tracks of the page's own alone. */}
          {captions.value.map((track) => (
            <track key={track.url} kind="captions" src={track.url} srclang={track.language} label={languageName(track.language)} />
          ))}
        </video>
        <QuestionOnScreen question={shownQuestion.value} />
      </div>
      <p id="replay-state" class="status" role="status" aria-live="polite">
        {t(STATE_TEXT[playerState.value])}
      </p>
      {playerState.value === 'behind-live' && (
        <p>
          <button id="replay-to-live" class="button button-primary" type="button" onClick={() => player?.backToLive()}>
            {t('replay.backToLive')}
          </button>
        </p>
      )}
      <div class="replay-tools">
        <button class="button" type="button" onClick={() => perform({ kind: 'seek-by', seconds: -SEEK_STEP_SECONDS }, video(), playerRef.current!)}>
          {t('replay.back', { seconds: SEEK_STEP_SECONDS })}
        </button>
        <button class="button" type="button" onClick={() => perform({ kind: 'seek-by', seconds: SEEK_STEP_SECONDS }, video(), playerRef.current!)}>
          {t('replay.forward', { seconds: SEEK_STEP_SECONDS })}
        </button>
        {!playable.live && <SpeedPicker video={videoRef} />}
        <button id="replay-share" class="button" type="button" onClick={() => void share(video().currentTime)}>
          {t('replay.share', { time: clockText(currentTime.value) })}
        </button>
        {playable.downloadUrl && (
          <a id="replay-download" class="button" href={playable.downloadUrl} download>
            {t('replay.download')}
          </a>
        )}
      </div>
      {sharedLink.value && (
        <div class="field replay-share-link">
          <label for="replay-share-link">{t('replay.shareLink')}</label>
          <input id="replay-share-link" type="text" readOnly value={sharedLink.value.address} onFocus={(event) => event.currentTarget.select()} />
          {sharedLink.value.copied && <p role="status">{t('replay.copied')}</p>}
        </div>
      )}
      <Chapters video={videoRef} />
      <Shortcuts />
    </>
  );
}

function SpeedPicker({ video }: { video: { current: HTMLVideoElement | null } }) {
  return (
    <div class="field replay-speed">
      <label for="replay-speed">{t('replay.speed')}</label>
      <select
        id="replay-speed"
        value={String(playbackRate.value)}
        onChange={(event) => {
          playbackRate.value = Number(event.currentTarget.value);
          if (video.current) video.current.playbackRate = playbackRate.value;
        }}
      >
        {PLAYBACK_RATES.map((rate) => (
          <option key={rate} value={String(rate)}>
            {t('replay.speedOption', { rate })}
          </option>
        ))}
      </select>
    </div>
  );
}

function Chapters({ video }: { video: { current: HTMLVideoElement | null } }) {
  if (chapters.value.length === 0) return null;
  const current = currentChapterIndex(
    chapters.value.map((chapter) => chapter.startSeconds),
    currentTime.value,
  );
  return (
    <nav class="replay-chapters" aria-labelledby="replay-chapters-heading">
      <h2 id="replay-chapters-heading">{t('replay.chapters')}</h2>
      <ol>
        {chapters.value.map((chapter, index) => (
          <li key={chapter.id}>
            <button
              class="chapter"
              type="button"
              aria-current={index === current ? 'true' : undefined}
              onClick={() => {
                const element = video.current;
                if (!element) return;
                element.currentTime = chapter.startSeconds;
                void element.play().catch(() => undefined);
              }}
            >
              <span class="chapter-time">{clockText(chapter.startSeconds)}</span> {chapter.title || t('replay.markerChapter')}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** What the keyboard does, documented on the page (the keys themselves are in playerShortcuts.ts). */
const SHORTCUTS: [keys: string, text: () => string][] = [
  ['k / ␣', () => t('replay.keyPlay')],
  ['j / ←', () => t('replay.keyBack', { seconds: SEEK_STEP_SECONDS })],
  ['l / →', () => t('replay.keyForward', { seconds: SEEK_STEP_SECONDS })],
  ['m', () => t('replay.keyMute')],
  ['f', () => t('replay.keyFullscreen')],
];

function Shortcuts() {
  return (
    <section class="replay-shortcuts" aria-labelledby="replay-shortcuts-heading">
      <h2 id="replay-shortcuts-heading">{t('replay.shortcuts')}</h2>
      <dl>
        {SHORTCUTS.map(([keys, text]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{text()}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function perform(action: PlayerAction, video: HTMLVideoElement, box: HTMLElement): void {
  switch (action.kind) {
    case 'toggle-play':
      if (video.paused) void video.play().catch(() => undefined);
      else video.pause();
      return;
    case 'seek-by': {
      const end = Number.isFinite(video.duration) ? video.duration : Infinity;
      video.currentTime = Math.min(Math.max(0, video.currentTime + action.seconds), end);
      return;
    }
    case 'toggle-mute':
      video.muted = !video.muted;
      return;
    case 'toggle-fullscreen':
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      else void box.requestFullscreen().catch(() => undefined);
  }
}

async function share(seconds: number): Promise<void> {
  const address = shareAddress(location.href, seconds);
  sharedLink.value = { address, copied: false };
  try {
    await navigator.clipboard.writeText(address);
    sharedLink.value = { address, copied: true };
  } catch {
    // No clipboard (permission, an old browser): the link is in the field to copy by hand.
  }
}

async function show(id: string): Promise<void> {
  const access = connectionCredentials().access;
  const headers = access ? { 'x-estrad-access': access } : undefined;
  const playable = await findPlayable(id, headers);
  found.value = { kind: 'found', playable };
  const [eventList, chapterList, onScreen, captionList] = await Promise.all([
    fetchEvents().catch(() => ({ events: [] })),
    fetchChapters(playable.kind, playable.id, headers).catch(() => ({ chapters: [] })),
    fetchQuestionsOnScreen(playable.kind, playable.id, headers).catch(() => ({ questions: [] })),
    fetchCaptions(playable.kind, playable.id, headers).catch(() => ({ captions: [] })),
  ]);
  events.value = eventList.events;
  chapters.value = chapterList.chapters;
  captions.value = captionList.captions;
  questionsOnScreen.value = onScreen.questions;
  const event = eventList.events.find((candidate) => candidate.stages.some((stage) => stage.id === playable.stage));
  if (event) setEventLanguage(event.language);
}

window.estradReplay = {
  state: () => (found.value.kind === 'failed' ? 'error' : found.value.kind === 'found' && playerState.value !== 'loading' ? 'ready' : 'loading'),
  live: () => found.value.kind === 'found' && found.value.playable.live,
};
render(<ReplayPage />, document.getElementById('app')!);
const id = location.pathname.split('/').filter(Boolean).at(-1) ?? '';
if (RECORD_ID_PATTERN.test(id)) void show(id).catch((error: unknown) => (found.value = { kind: 'failed', error }));
else found.value = { kind: 'failed', error: new ApiFailure('not_found', 'This address does not name a replay.') };
