/** The live player: the picture, its controls, its keyboard shortcuts and its state, for /watch and /embed. */
import { signal } from '@preact/signals';
import type { TargetedEvent } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { PlayerStats } from '../../../shared/playerStats';
import type { MediaSource, Program } from '../../../shared/protocol';
import { problemText } from '../i18n/liveText';
import { t } from '../i18n/language';
import type { PlainMessageKey } from '../i18n/translate';
import { LivePlayer } from '../live/livePlayer';
import { prepareMediaDevice } from '../live/mediaDevice';
import { markMilestone } from '../live/timeline';
import type { PlayerState, Quality, ViewerNotice } from '../live/viewer';
import { Signalling } from '../signalling';
import { QuestionOnScreen, questionOnScreen } from './QuestionOnScreen';

declare global {
  interface Window {
    /** For tests and diagnostics. */
    estradPlayer?: { state(): PlayerState; stats(): Promise<PlayerStats>; shownSource(): MediaSource | null; shownProgram(): Program; mode(): string };
  }
}

const STATE_KEYS: Record<PlayerState, PlainMessageKey> = {
  connecting: 'watch.state.connecting',
  waiting: 'watch.state.waiting',
  playing: 'watch.state.playing',
  reconnecting: 'watch.state.reconnecting',
  offline: 'watch.state.offline',
  ended: 'watch.state.ended',
};

const NOTICE_KEYS: Record<ViewerNotice, PlainMessageKey> = {
  starting: 'watch.notice.starting',
  not_started: 'watch.notice.notStarted',
  audio_only: 'watch.notice.audioOnly',
  camera_off: 'watch.notice.cameraOff',
  ended: 'watch.notice.ended',
};

const LAYER_KEYS: PlainMessageKey[] = ['player.qualityLow', 'player.qualityMedium', 'player.qualityHigh'];
const VOLUME_STEP = 0.1;

/**
 * The player's connection to the server, opened by the page as its script starts: the socket's
 * handshake then runs while the page renders and the player sets itself up, and so does the
 * browser's probe of its media capabilities.
 */
export function openPlayerConnection(): Signalling {
  markMilestone('script');
  const signalling = new Signalling();
  prepareMediaDevice();
  signalling.onConnectionChange((connected) => {
    if (connected) markMilestone('socket');
  });
  return signalling;
}

/** The page's player once it exists, for what the page shows around it (live badge, viewers). */
export const activePlayer = signal<LivePlayer | null>(null);

/** `signalling`: the connection the page opened as it loaded, so it is ready by the time the player starts. */
export function LivePlayerView({ stageId, stageTitle, signalling }: { stageId: string; stageTitle: string; signalling: Signalling }) {
  const box = useRef<HTMLDivElement>(null);
  const liveVideo = useRef<HTMLVideoElement>(null);
  const insetVideo = useRef<HTMLVideoElement>(null);
  const recordingVideo = useRef<HTMLVideoElement>(null);
  const player = activePlayer.value;
  const fullscreen = useFullscreen();

  // A layout effect runs as soon as the player is in the DOM, not after the first paint: every
  // millisecond here is one more before the first picture.
  useLayoutEffect(() => {
    const created = new LivePlayer(stageId, { live: liveVideo.current!, inset: insetVideo.current!, recording: recordingVideo.current! }, signalling);
    window.estradPlayer = {
      state: () => (created.mode.value === 'webrtc' ? created.viewer.value.state : created.hlsPlaying.value ? 'playing' : created.viewer.value.state),
      stats: () => created.stats(),
      shownSource: () => created.shownSource(),
      shownProgram: () => created.shownProgram(),
      mode: () => created.mode.value,
    };
    activePlayer.value = created;
    markFirstFrame(liveVideo.current!);
    created.start();
  }, [stageId, signalling]);

  useEffect(() => {
    if (!player) return;
    const onKey = (event: KeyboardEvent) => handleShortcut(event, player, box.current!);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [player]);

  const mode = player?.mode.value ?? 'webrtc';
  const viewer = player?.viewer.value;
  const state = shownState(player);
  useEffect(() => {
    document.body.dataset.state = state;
    document.body.dataset.mode = mode;
  }, [state, mode]);

  const onRecording = mode !== 'webrtc';
  const picture = onRecording ? (player?.hlsPlaying.value ?? false) : (viewer?.picture ?? false);
  const notice = noticeText(player, state);
  const sound = player?.sound.value ?? { volume: 1, muted: false };
  const paused = player?.paused.value ?? false;

  return (
    <div ref={box} class="live-player">
      <div id="player" class="player" data-picture={picture ? 'on' : 'off'} data-mode={mode}>
        <video
          ref={liveVideo}
          id="player-video"
          class="player-video"
          playsInline
          autoplay
          muted
          hidden={onRecording}
          aria-label={t('player.label', { stage: stageTitle })}
        />
        <video
          ref={insetVideo}
          id="player-inset"
          class="player-inset"
          playsInline
          autoplay
          muted
          hidden={onRecording || !(viewer?.inset ?? false)}
          aria-label={t('player.insetLabel', { stage: stageTitle })}
        />
        <video
          ref={recordingVideo}
          id="player-recording"
          class="player-video"
          playsInline
          hidden={!onRecording}
          aria-label={t('player.label', { stage: stageTitle })}
        />
        <p id="player-notice" class="player-notice" hidden={notice === ''}>
          {notice}
        </p>
        <QuestionOnScreen question={questionOnScreen.value} />
        {viewer?.soundBlocked && mode === 'webrtc' && (
          <button id="unmute" class="button button-primary player-unmute" type="button" onClick={() => player?.toggleMuted()}>
            {t('player.clickToUnmute')}
          </button>
        )}
      </div>

      <div class="player-controls" role="group" aria-label={t('player.controls')}>
        <button id="player-play" class="button" type="button" disabled={!player} onClick={() => player?.togglePaused()}>
          {paused ? t('player.play') : t('player.pause')}
        </button>
        <button id="player-mute" class="button" type="button" aria-pressed={sound.muted} disabled={!player} onClick={() => player?.toggleMuted()}>
          {sound.muted ? t('player.unmute') : t('player.mute')}
        </button>
        <label class="player-volume">
          <span>{t('player.volume')}</span>
          <input
            id="player-volume"
            type="range"
            min={0}
            max={1}
            step={VOLUME_STEP}
            value={sound.volume}
            onInput={(event) => player?.setSound({ volume: Number(event.currentTarget.value), muted: false })}
          />
        </label>
        <QualityChoice player={player} />
        <button id="player-back" class="button" type="button" disabled={!player} onClick={() => void player?.rewind()}>
          {t('player.back30')}
        </button>
        {mode === 'rewind' && (
          <button id="player-live" class="button button-primary" type="button" onClick={() => player?.toLive()}>
            {t('player.toLive')}
          </button>
        )}
        {document.pictureInPictureEnabled && (
          <button id="player-pip" class="button" type="button" onClick={() => void togglePictureInPicture(player)}>
            {t('player.pictureInPicture')}
          </button>
        )}
        <button id="player-fullscreen" class="button" type="button" aria-pressed={fullscreen} onClick={() => void toggleFullscreen(box.current!)}>
          {fullscreen ? t('player.exitFullscreen') : t('player.fullscreen')}
        </button>
      </div>

      <p id="connection-state" class="status" role="status" aria-live="polite">
        {stateText(player, state)}
      </p>
      {mode === 'fallback' && <p class="meta player-fallback">{t('watch.fallbackNote')}</p>}
      {state === 'ended' && player?.lastRecording.value && (
        <p>
          <a id="player-replay" class="button button-primary" href={`/archive/${player.lastRecording.value.id}`}>
            {t('watch.replayLink')}
          </a>
        </p>
      )}
    </div>
  );
}

/** The state the viewer experiences: on the recording, whether it plays; else WebRTC's. */
function shownState(player: LivePlayer | null): PlayerState {
  if (!player) return 'connecting';
  if (player.mode.value !== 'webrtc' && player.hlsPlaying.value) return 'playing';
  return player.viewer.value.state;
}

function stateText(player: LivePlayer | null, state: PlayerState): string {
  if (!player) return t('watch.state.connecting');
  const mode = player.mode.value;
  if (player.cannotRewind.value && mode === 'webrtc') return t('watch.noRecording');
  if (mode === 'rewind') return t('watch.state.rewound');
  if (mode === 'fallback' && state === 'playing') return t('watch.state.fallback');
  const { problem } = player.viewer.value;
  const hlsProblem = player.hlsProblem.value;
  return [t(STATE_KEYS[state]), problem && problemText(problem), hlsProblem && problemText(hlsProblem)].filter(Boolean).join(' ');
}

function noticeText(player: LivePlayer | null, state: PlayerState): string {
  if (!player) return t('watch.state.connecting');
  if (player.mode.value !== 'webrtc') return player.hlsPlaying.value ? '' : t('watch.notice.starting');
  const { notice, problem } = player.viewer.value;
  if (state === 'offline') return [problem ? problemText(problem) : t('watch.state.offline'), t('watch.notice.offlineHint')].join(' ');
  if (state === 'connecting' || state === 'reconnecting') return problem ? problemText(problem) : t(STATE_KEYS[state]);
  if (problem) return problemText(problem);
  return notice ? t(NOTICE_KEYS[notice]) : '';
}

function QualityChoice({ player }: { player: LivePlayer | null }) {
  const onRecording = player !== null && player.mode.value !== 'webrtc';
  const options: { value: Quality; label: string }[] = onRecording
    ? player.hlsLevels.value.map((height, index) => ({ value: index, label: t('player.qualityHeight', { height }) }))
    : Array.from({ length: player?.viewer.value.spatialLayers ?? 1 }, (_unused, layer) => ({
        value: layer,
        label: t(LAYER_KEYS[layer] ?? 'player.qualityHigh'),
      }));
  const choices = options.length > 1 ? options : [];
  const quality = player?.quality.value ?? 'auto';
  const onChange = (event: TargetedEvent<HTMLSelectElement>) => {
    const value = event.currentTarget.value;
    player?.setQuality(value === 'auto' ? 'auto' : Number(value));
  };
  return (
    <label class="player-quality">
      <span>{t('player.quality')}</span>
      <select id="player-quality" value={String(quality)} onChange={onChange}>
        <option value="auto">{t('player.qualityAuto')}</option>
        {choices.map((choice) => (
          <option key={choice.value} value={String(choice.value)}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** `estrad:first-frame` in the page's performance timeline: navigation to the first live picture decoded. */
function markFirstFrame(video: HTMLVideoElement): void {
  video.addEventListener('loadeddata', () => markMilestone('first-frame'), { once: true });
}

function useFullscreen(): boolean {
  const [fullscreen, setFullscreen] = useState(false);
  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  return fullscreen;
}

async function toggleFullscreen(box: HTMLElement): Promise<void> {
  // The whole player, controls included, so they stay in reach in full screen.
  if (document.fullscreenElement) await document.exitFullscreen().catch(() => undefined);
  else await box.requestFullscreen().catch(() => undefined);
}

async function togglePictureInPicture(player: LivePlayer | null): Promise<void> {
  if (!player) return;
  if (document.pictureInPictureElement) await document.exitPictureInPicture().catch(() => undefined);
  else await player.shownVideo.requestPictureInPicture().catch(() => undefined);
}

/**
 * The page's shortcuts (listed under the player); not while typing, nor with a modifier key. The
 * arrow keys act only with the focus in the player, so that elsewhere they still scroll the page.
 */
function handleShortcut(event: KeyboardEvent, player: LivePlayer, box: HTMLElement): void {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target instanceof HTMLElement ? event.target : null;
  if (target?.closest('input, select, textarea, [contenteditable]')) return;
  const letters: Record<string, () => void> = {
    k: () => player.togglePaused(),
    m: () => player.toggleMuted(),
    f: () => void toggleFullscreen(box),
    j: () => void player.rewind(),
    l: () => player.toLive(),
  };
  const arrows: Record<string, () => void> = {
    ArrowLeft: () => void player.rewind(),
    ArrowUp: () => player.setSound({ volume: Math.min(1, player.sound.value.volume + VOLUME_STEP), muted: false }),
    ArrowDown: () => player.setSound({ volume: Math.max(0, player.sound.value.volume - VOLUME_STEP), muted: false }),
  };
  const inPlayer = target !== null && box.contains(target);
  const action = letters[event.key.toLowerCase()] ?? (inPlayer ? arrows[event.key] : undefined);
  if (!action) return;
  event.preventDefault();
  action();
}

export function ShortcutList() {
  const keys: PlainMessageKey[] = [
    'player.shortcutPlay',
    'player.shortcutMute',
    'player.shortcutVolume',
    'player.shortcutBack',
    'player.shortcutLive',
    'player.shortcutFullscreen',
  ];
  return (
    <details class="player-shortcuts">
      <summary>{t('player.shortcutsHeading')}</summary>
      <ul>
        {keys.map((key) => (
          <li key={key}>{t(key)}</li>
        ))}
      </ul>
    </details>
  );
}
