/**
 * `/speak/<stage>?invite=`: a speaker tries camera and microphone (preview, level meter, device
 * pickers), goes on air, mutes, shares the screen, and sees how well their network carries it,
 * what is on air (program return) and when the control room talks to them.
 */
import '../styles.css';
import '../components/pages.css';
// Before anything renders: the page's own messages.
import '../i18n/speakMessages';
import { signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { EventSummary, StageSummary } from '../../../shared/protocol';
import { fetchEvents } from '../api/events';
import { Layout } from '../components/Layout';
import { LevelMeter } from '../components/LevelMeter';
import { ProgramReturn, TalkbackNotice } from '../components/SpeakerReturnView';
import { setEventLanguage, t } from '../i18n/language';
import { problemText } from '../i18n/liveText';
import type { MessageKey } from '../i18n/messages';
import { networkQuality, type NetworkQuality } from '../live/networkQuality';
import { type CaptureDevice, listCaptureDevices, type ProducerSummary, SpeakerSession, type SpeakerProblemCode, type SpeakerState } from '../live/speaker';
import { stageIdFromLocation } from './common';

declare global {
  interface Window {
    /** For tests and diagnostics. */
    estradSpeaker?: { state(): SpeakerState; producers(): ProducerSummary[]; receiveStats(): Promise<RTCStatsReport | undefined> };
  }
}

const NETWORK_POLL_MS = 2_000;

const STATE_TEXT = {
  idle: 'speak.state.idle',
  connecting: 'speak.state.connecting',
  live: 'speak.state.live',
  reconnecting: 'speak.state.reconnecting',
  offline: 'speak.state.offline',
} as const satisfies Record<SpeakerState, MessageKey>;

const PROBLEM_TEXT = {
  'capture-blocked': 'speak.problem.captureBlocked',
  'capture-insecure': 'speak.problem.captureInsecure',
  'capture-no-device': 'speak.problem.captureNoDevice',
  'capture-busy': 'speak.problem.captureBusy',
  'capture-device-gone': 'speak.problem.captureDeviceGone',
  'capture-failed': 'speak.problem.captureFailed',
  'camera-stopped': 'speak.problem.cameraStopped',
  'microphone-stopped': 'speak.problem.microphoneStopped',
  'screen-unsupported': 'speak.problem.screenUnsupported',
  'screen-failed': 'speak.problem.screenFailed',
  'invite-missing': 'speak.problem.inviteMissing',
  'invite-expired': 'speak.problem.inviteExpired',
  'invite-withdrawn': 'speak.problem.inviteWithdrawn',
  'invite-invalid': 'speak.problem.inviteInvalid',
  'invite-wrong-stage': 'speak.problem.inviteWrongStage',
  'invite-revoked': 'speak.problem.inviteRevoked',
  'stage-missing': 'speak.problem.stageMissing',
  'server-unreachable': 'speak.problem.serverUnreachable',
  connection: 'speak.problem.connection',
} as const satisfies Record<SpeakerProblemCode, MessageKey>;

const NETWORK_TEXT = { good: 'speak.network.good', fair: 'speak.network.fair', poor: 'speak.network.poor' } as const satisfies Record<
  NetworkQuality['level'],
  MessageKey
>;

/** Bumped whenever the session says something it shows changed; components read it to re-render. */
const revision = signal(0);
const stageSummary = signal<StageSummary | null>(null);
const events = signal<EventSummary[]>([]);
const devices = signal<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }>({ cameras: [], microphones: [] });
const network = signal<NetworkQuality | undefined>(undefined);
let session: SpeakerSession | undefined;

function stageTitle(stageId: string): string {
  for (const event of events.value) {
    const stage = event.stages.find((candidate) => candidate.id === stageId);
    if (stage) return stage.title;
  }
  return stageId;
}

function SpeakPage({ stageId }: { stageId: string | null }) {
  if (!stageId) {
    return (
      <Layout title={t('speak.noStageTitle')}>
        <h1>{t('speak.noStageTitle')}</h1>
        <p>{t('speak.noStage')}</p>
        <p>
          <a href="/">{t('speak.toProgramme')}</a>
        </p>
      </Layout>
    );
  }
  const title = stageTitle(stageId);
  const summary = stageSummary.value;
  return (
    <Layout title={t('speak.pageTitle', { stage: title })}>
      <div class="stage-heading">
        <h1>{t('speak.pageTitle', { stage: title })}</h1>
        <span id="live-badge" class="badge" data-live={String(summary?.live ?? false)}>
          {summary?.live ? t('home.live') : t('home.offAir')}
        </span>
        {summary && (
          <span id="viewer-count" class="meta">
            {t('home.viewers', { count: summary.viewers })}
          </span>
        )}
      </div>
      <Studio stageId={stageId} />
    </Layout>
  );
}

function Studio({ stageId }: { stageId: string }) {
  const previewRef = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const created = new SpeakerSession(stageId, previewRef.current!, {
      changed: () => revision.value++,
      stage: (stage) => (stageSummary.value = stage),
    });
    session = created;
    window.estradSpeaker = { state: () => created.state(), producers: () => created.producerSummaries(), receiveStats: () => created.receiveStats() };
    const refresh = () => void refreshDeviceLists();
    navigator.mediaDevices?.addEventListener('devicechange', refresh);
    refresh();
    revision.value++;
    return () => navigator.mediaDevices?.removeEventListener('devicechange', refresh);
  }, [stageId]);
  void revision.value;
  const state = session?.state() ?? 'idle';
  const placement = session?.placement();
  useEffect(() => {
    document.body.dataset.state = state;
    document.body.dataset.placement = placement ?? '';
  }, [state, placement]);
  const problem = session?.problem() ?? null;
  const onStage = state === 'connecting' || state === 'live' || state === 'reconnecting';
  const hasCamera = session?.has('camera') ?? false;
  const camera = !hasCamera ? 'none' : session?.isMuted('camera') ? 'off' : 'on';
  const captured = hasCamera || (session?.has('microphone') ?? false);
  return (
    <div class="speaker-layout">
      <div id="preview-box" class="player preview" data-camera={camera}>
        <video id="preview" class="player-video preview-video" playsInline autoPlay muted aria-label={t('speak.previewLabel')} ref={previewRef} />
        {camera !== 'on' && (
          <p id="preview-notice" class="player-notice">
            {camera === 'none' ? t('speak.previewNone') : t('speak.previewOff')}
          </p>
        )}
      </div>

      <div class="controls">
        <p id="speaker-state" class="status status-strong" role="status" aria-live="polite">
          {t(placement === 'backstage' ? 'speak.state.backstage' : STATE_TEXT[state])} {state === 'idle' && captured ? t('speak.state.previewing') : ''}
        </p>
        {placement && (
          <p>
            <span id="speaker-placement" class="badge" data-placement={placement} data-live={String(placement === 'on-air')}>
              {placement === 'on-air' ? t('backstage.placementOnAir') : t('backstage.placementBackstage')}
            </span>
          </p>
        )}
        {problem && (
          <p id="speaker-problem" class="problem" role="alert">
            {[t(PROBLEM_TEXT[problem.code]), problem.detail && problemText(problem.detail)].filter(Boolean).join(' ')}
          </p>
        )}
        {state === 'live' && <NetworkIndicator />}
        {state === 'live' && <TalkbackNotice tracks={session?.talkback() ?? []} />}
        {state === 'live' && <ProgramReturn track={session?.programReturn()} />}
        <MicrophoneLevel />

        <div class="actions actions-stacked">
          {!captured && !onStage && (
            <button id="test-devices" class="button" type="button" onClick={() => void session?.startPreview().then(refreshDeviceLists)}>
              {t('speak.testDevices')}
            </button>
          )}
          <button
            id="go-live"
            class="button button-primary button-large"
            type="button"
            disabled={onStage}
            // Device names become readable once the browser allowed capture.
            onClick={() => void session?.goLive().then(refreshDeviceLists)}
          >
            {t('speak.goLive')}
          </button>
          <button id="toggle-mic" class="button" type="button" disabled={!session?.has('microphone')} onClick={() => void session?.toggleMute('microphone')}>
            {session?.isMuted('microphone') ? t('speak.unmuteMic') : t('speak.muteMic')}
          </button>
          <button id="toggle-camera" class="button" type="button" disabled={!hasCamera} onClick={() => void session?.toggleMute('camera')}>
            {session?.isMuted('camera') ? t('speak.cameraOn') : t('speak.cameraOff')}
          </button>
          <button
            id="share-screen"
            class="button"
            type="button"
            disabled={!onStage || !canShareScreen()}
            onClick={() => void (session?.has('screen') ? session.stopSharing() : session?.shareScreen())}
          >
            {session?.has('screen') ? t('speak.stopSharing') : t('speak.shareScreen')}
          </button>
          <button id="stop" class="button button-danger" type="button" disabled={state === 'idle' && !captured} onClick={() => void session?.stop()}>
            {t('speak.stop')}
          </button>
        </div>

        <DevicePicker device="camera" id="camera-select" label={t('speak.camera')} options={devices.value.cameras} />
        <DevicePicker device="microphone" id="mic-select" label={t('speak.microphone')} options={devices.value.microphones} />
      </div>
    </div>
  );
}

function DevicePicker({ device, id, label, options }: { device: CaptureDevice; id: string; label: string; options: MediaDeviceInfo[] }) {
  void revision.value;
  const selected = session?.deviceId(device) ?? '';
  const numbered = (index: number) =>
    device === 'camera' ? t('speak.cameraNumber', { number: index + 1 }) : t('speak.microphoneNumber', { number: index + 1 });
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={selected} onChange={(event) => void session?.chooseDevice(device, event.currentTarget.value)}>
        {options.length === 0 && <option value="">{device === 'camera' ? t('speak.defaultCamera') : t('speak.defaultMicrophone')}</option>}
        {/* Until the browser allows capture, devices have no names; they are numbered instead. */}
        {options.map((option, index) => (
          <option key={option.deviceId} value={option.deviceId}>
            {option.label || numbered(index)}
          </option>
        ))}
      </select>
    </div>
  );
}

function MicrophoneLevel() {
  void revision.value;
  const track = session?.track('microphone');
  if (!track) return null;
  return <LevelMeter id="mic-level" label={session?.isMuted('microphone') ? t('speak.levelMuted') : t('speak.level')} track={track} />;
}

function NetworkIndicator() {
  useEffect(() => {
    const timer = setInterval(() => {
      void session
        ?.sendStats()
        .then((report) => (network.value = report ? networkQuality(report.values() as Iterable<{ type: string }>) : undefined))
        .catch(() => undefined);
    }, NETWORK_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const quality = network.value;
  return (
    <p id="network-quality" class="meta" data-level={quality?.level ?? 'unknown'}>
      {quality
        ? t(NETWORK_TEXT[quality.level], { roundTrip: Math.round(quality.roundTripMs ?? 0), loss: Math.round(quality.lossPercent * 10) / 10 })
        : t('speak.network.measuring')}
    </p>
  );
}

async function refreshDeviceLists(): Promise<void> {
  devices.value = await listCaptureDevices();
}

function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

async function loadEvents(): Promise<void> {
  try {
    events.value = (await fetchEvents()).events;
    const event = events.value.find((candidate) => candidate.stages.some((stage) => stage.id === stageId));
    if (event) setEventLanguage(event.language);
  } catch {
    // The page then names the stage by its id.
  }
}

const stageId = stageIdFromLocation();
render(<SpeakPage stageId={stageId} />, document.getElementById('app')!);
void loadEvents();
