import '../styles.css';
import { type CaptureDevice, listCaptureDevices, type ProducerSummary, SpeakerSession, type SpeakerState } from '../live/speaker';
import { byId, showMissingStage, showStageSummary, stageIdFromLocation } from './common';

declare global {
  interface Window {
    /** For tests and diagnostics. */
    estradSpeaker?: { state(): SpeakerState; producers(): ProducerSummary[] };
  }
}

const STATE_TEXT: Record<SpeakerState, string> = {
  idle: 'Not live.',
  connecting: 'Going live…',
  live: 'You are live.',
  reconnecting: 'Connection lost. Reconnecting; you go back on air by yourself.',
  offline: 'Offline: not on air.',
};

function speak(stageId: string): void {
  document.title = `Speak on ${stageId} – Estrad`;
  byId('stage-title', HTMLElement).textContent = stageId;
  const summary = { badge: byId('live-badge', HTMLElement), viewers: byId('viewer-count', HTMLElement) };
  const controls = {
    goLive: byId('go-live', HTMLButtonElement),
    toggleMic: byId('toggle-mic', HTMLButtonElement),
    toggleCamera: byId('toggle-camera', HTMLButtonElement),
    shareScreen: byId('share-screen', HTMLButtonElement),
    stop: byId('stop', HTMLButtonElement),
    cameraSelect: byId('camera-select', HTMLSelectElement),
    micSelect: byId('mic-select', HTMLSelectElement),
  };
  const stateText = byId('speaker-state', HTMLElement);
  const problem = byId('speaker-problem', HTMLElement);
  const previewBox = byId('preview-box', HTMLElement);
  const previewNotice = byId('preview-notice', HTMLElement);

  const session = new SpeakerSession(stageId, byId('preview', HTMLVideoElement), {
    changed: () => render(),
    stage: (stage) => showStageSummary(summary, stage),
  });

  function render(): void {
    const state = session.state();
    document.body.dataset.state = state;
    stateText.textContent = STATE_TEXT[state];
    const problemText = session.problem();
    problem.textContent = problemText ?? '';
    problem.hidden = problemText === null;

    const onStage = state === 'connecting' || state === 'live' || state === 'reconnecting';
    controls.goLive.disabled = onStage;
    controls.stop.disabled = state === 'idle';
    controls.toggleMic.disabled = !session.has('microphone');
    controls.toggleMic.textContent = session.isMuted('microphone') ? 'Unmute microphone' : 'Mute microphone';
    controls.toggleCamera.disabled = !session.has('camera');
    controls.toggleCamera.textContent = session.isMuted('camera') ? 'Turn camera on' : 'Turn camera off';
    controls.shareScreen.disabled = !onStage || !canShareScreen();
    controls.shareScreen.textContent = session.has('screen') ? 'Stop sharing' : 'Share screen';
    renderPreview();
  }

  function renderPreview(): void {
    const camera = !session.has('camera') ? 'none' : session.isMuted('camera') ? 'off' : 'on';
    previewBox.dataset.camera = camera;
    previewNotice.textContent = camera === 'none' ? 'Your camera appears here when you go live.' : camera === 'off' ? 'Your camera is off.' : '';
    previewNotice.hidden = camera === 'on';
  }

  async function refreshDeviceLists(): Promise<void> {
    const { cameras, microphones } = await listCaptureDevices();
    fillDeviceSelect(controls.cameraSelect, cameras, 'Camera', session.deviceId('camera'));
    fillDeviceSelect(controls.micSelect, microphones, 'Microphone', session.deviceId('microphone'));
  }

  controls.goLive.addEventListener('click', () => {
    // Device names become readable once the browser allowed capture.
    void session.goLive().then(refreshDeviceLists);
  });
  controls.stop.addEventListener('click', () => void session.stop());
  controls.toggleMic.addEventListener('click', () => void session.toggleMute('microphone'));
  controls.toggleCamera.addEventListener('click', () => void session.toggleMute('camera'));
  controls.shareScreen.addEventListener('click', () => void (session.has('screen') ? session.stopSharing() : session.shareScreen()));
  onDeviceChosen(controls.cameraSelect, 'camera', session);
  onDeviceChosen(controls.micSelect, 'microphone', session);
  navigator.mediaDevices?.addEventListener('devicechange', () => void refreshDeviceLists());

  window.estradSpeaker = { state: () => session.state(), producers: () => session.producerSummaries() };
  render();
  void refreshDeviceLists();
}

function onDeviceChosen(select: HTMLSelectElement, device: CaptureDevice, session: SpeakerSession): void {
  select.addEventListener('change', () => void session.chooseDevice(device, select.value));
}

function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** Until the browser allows capture, devices have no names; number them instead. */
function fillDeviceSelect(select: HTMLSelectElement, devices: MediaDeviceInfo[], noun: string, selectedId: string | undefined): void {
  const options = devices.map((device, index) => new Option(device.label || `${noun} ${index + 1}`, device.deviceId));
  if (options.length === 0) options.push(new Option(`Default ${noun.toLowerCase()}`, ''));
  select.replaceChildren(...options);
  if (selectedId && devices.some((device) => device.deviceId === selectedId)) select.value = selectedId;
}

const stageId = stageIdFromLocation();
if (stageId) speak(stageId);
else showMissingStage(byId('main', HTMLElement));
