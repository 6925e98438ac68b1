/**
 * Speaking on a stage: capture camera and microphone (and the screen when asked), publish them
 * with simulcast, and publish them again by itself after the connection was rebuilt.
 */
import type { Device, types } from 'mediasoup-client';
import type { ApiError, ErrorCode, JoinResult, MediaSource, PublishingEndedCode, SpeakerPlacement, StageSummary } from '../../../shared/protocol';
import { connectionCredentials } from '../credentials';
import { Signalling, SignallingError } from '../signalling';
import { setVideoTrack } from './playback';
import { steadyVideo } from './steadyFrames';
import { type LinkStatus, type LiveProblem, type StageAttachment, StageLink, type StageMediaHandler } from './session';
import { SpeakerReturn } from './speakerReturn';

export type SpeakerState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline';
export type CaptureDevice = 'camera' | 'microphone';

export interface ProducerSummary {
  source: MediaSource;
  paused: boolean;
}

/**
 * What went wrong, as a code the page translates. `connection` comes from the stage link, with
 * what it reported as `detail` (a live/ problem code the page words too).
 */
export type SpeakerProblemCode =
  | 'capture-blocked'
  | 'capture-insecure'
  | 'capture-no-device'
  | 'capture-busy'
  | 'capture-device-gone'
  | 'capture-failed'
  | 'camera-stopped'
  | 'microphone-stopped'
  | 'screen-unsupported'
  | 'screen-failed'
  | 'invite-missing'
  | 'invite-expired'
  | 'invite-withdrawn'
  | 'invite-invalid'
  | 'invite-wrong-stage'
  | 'invite-revoked'
  | 'stage-missing'
  | 'server-unreachable'
  | 'connection';

export interface SpeakerProblem {
  code: SpeakerProblemCode;
  detail?: LiveProblem;
}

export interface SpeakerObserver {
  /** Anything the page shows changed: state, mute flags, sharing, problem. */
  changed(): void;
  stage(stage: StageSummary): void;
}

/** Low to high, as mediasoup numbers spatial layers; viewers pick one by player size. */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];
/** Slides and documents need more bits per pixel than a face to stay legible. */
const SCREEN_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 250_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 800_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 2_500_000 },
];

/** Sound first, so a slow rejoin brings the voice back before the picture. */
const PUBLISH_ORDER: MediaSource[] = ['microphone', 'camera', 'screen', 'screen-audio'];
const SCREEN_SOURCES: MediaSource[] = ['screen', 'screen-audio'];

export class SpeakerSession implements StageMediaHandler {
  readonly role = 'speaker';
  readonly direction = 'send';
  private readonly link: StageLink;
  private attachment: StageAttachment | undefined;
  /** The local tracks; they outlive transports, which is what makes republishing possible. */
  private readonly tracks = new Map<MediaSource, MediaStreamTrack>();
  private readonly producers = new Map<MediaSource, types.Producer>();
  private readonly muted = new Set<MediaSource>();
  private readonly chosenDevices: Partial<Record<CaptureDevice, string>> = {};
  private linkStatus: LinkStatus = 'stopped';
  private capturing = false;
  private currentProblem: SpeakerProblem | null = null;
  /** Where the technicians have this speaker, once joined. */
  private currentPlacement: SpeakerPlacement | undefined;
  /** The talk-back and the program return this speaker receives. */
  private readonly returned: SpeakerReturn;

  constructor(
    private readonly stageId: string,
    private readonly preview: HTMLVideoElement,
    private readonly observer: SpeakerObserver,
    signalling = new Signalling(),
  ) {
    this.link = new StageLink({
      stageId,
      signalling,
      handler: this,
      observer: {
        status: (status, problem) => {
          this.linkStatus = status;
          if (problem !== undefined || status === 'joined') this.currentProblem = problem === undefined ? null : linkProblem(problem);
          observer.changed();
        },
        stage: (stage) => observer.stage(stage),
      },
    });
    // The server has already taken this speaker out of the stage: stop, and say why.
    signalling.on('publishing:ended', ({ code }) => void this.endedByServer(code));
    this.link.on('speaker:placement', ({ placement }) => {
      this.currentPlacement = placement;
      observer.changed();
    });
    this.returned = new SpeakerReturn(this.link, () => observer.changed());
  }

  /** The program's main picture (lowest layer, no sound), backstage and on air alike. */
  programReturn(): MediaStreamTrack | undefined {
    return this.returned.programTrack();
  }

  /** The control room's microphones talking to this speaker (backstage only). */
  talkback(): MediaStreamTrack[] {
    return this.returned.talkbackTracks();
  }

  /** What this speaker receives (talk-back, program return), as WebRTC statistics. */
  receiveStats(): Promise<RTCStatsReport | undefined> {
    return this.returned.stats();
  }

  private async endedByServer(code: PublishingEndedCode): Promise<void> {
    await this.stop();
    this.setProblem(describePublishingEnded(code));
  }

  state(): SpeakerState {
    if (this.capturing) return 'connecting';
    switch (this.linkStatus) {
      case 'stopped':
        return 'idle';
      case 'connecting':
        return 'connecting';
      case 'joined':
        return 'live';
      case 'reconnecting':
        return 'reconnecting';
      case 'offline':
        return 'offline';
    }
  }

  /** Backstage (technicians only see and hear them) or on air; undefined while not joined. */
  placement(): SpeakerPlacement | undefined {
    return this.linkStatus === 'joined' ? this.currentPlacement : undefined;
  }

  producerSummaries(): ProducerSummary[] {
    return [...this.producers.entries()].map(([source, producer]) => ({ source, paused: producer.paused }));
  }

  /** What went wrong last; null when all is well. */
  problem(): SpeakerProblem | null {
    return this.currentProblem;
  }

  /** The captured track of a device, for the page's level meter. */
  track(device: CaptureDevice): MediaStreamTrack | undefined {
    return this.tracks.get(device);
  }

  /** The send transport's WebRTC statistics while on air, for the network-quality indicator. */
  async sendStats(): Promise<RTCStatsReport | undefined> {
    return this.attachment?.transport.getStats();
  }

  isMuted(source: CaptureDevice): boolean {
    return this.muted.has(source);
  }

  has(source: MediaSource): boolean {
    return this.tracks.has(source);
  }

  /** The device in use, or the one chosen for the next capture. */
  deviceId(device: CaptureDevice): string | undefined {
    return this.tracks.get(device)?.getSettings().deviceId ?? this.chosenDevices[device];
  }

  /** Captures camera and microphone and shows the preview, without going on air. */
  async startPreview(): Promise<void> {
    if (this.capturing || this.has('camera') || this.has('microphone')) return;
    this.capturing = true;
    this.setProblem(null);
    try {
      await this.capture();
    } finally {
      this.capturing = false;
      this.observer.changed();
    }
  }

  async goLive(): Promise<void> {
    if (this.capturing || this.link.running) return;
    this.capturing = true;
    this.setProblem(null);
    try {
      // After a preview, or an error that stopped the link, the tracks are still here; go live with them.
      if (await this.capture()) this.link.start();
    } finally {
      this.capturing = false;
      this.observer.changed();
    }
  }

  /** Whether camera or microphone are captured, capturing them now when they are not; sets the problem when not. */
  private async capture(): Promise<boolean> {
    try {
      if (!this.tracks.has('camera') && !this.tracks.has('microphone')) {
        // Asked first: a speaker who may not speak here should not have to allow the camera.
        const refusal = await speakerAccessRefusal(this.stageId);
        if (refusal !== null) {
          this.setProblem(refusal);
          return false;
        }
        const captured = await captureCameraAndMicrophone(this.chosenDevices);
        for (const [device, track] of captured) this.useTrack(device, track);
      }
      this.showPreview();
      return true;
    } catch (error) {
      this.setProblem(describeCaptureError(error));
      return false;
    }
  }

  async stop(): Promise<void> {
    await this.link.stop();
    for (const track of this.tracks.values()) track.stop();
    this.tracks.clear();
    this.muted.clear();
    this.showPreview();
    this.setProblem(null);
  }

  toggleMute(device: CaptureDevice): Promise<void> {
    return this.setMuted(device, !this.muted.has(device));
  }

  async setMuted(device: CaptureDevice, muted: boolean): Promise<void> {
    if (muted) this.muted.add(device);
    else this.muted.delete(device);
    const track = this.tracks.get(device);
    if (track) track.enabled = !muted;
    const producer = this.producers.get(device);
    const attachment = this.attachment;
    this.observer.changed();
    if (producer && attachment) await this.setProducerPaused(attachment, producer, muted);
  }

  /** Switches the camera or microphone in use (or the one to use at Go live). */
  async chooseDevice(device: CaptureDevice, deviceId: string): Promise<void> {
    if (deviceId === '') return;
    this.chosenDevices[device] = deviceId;
    const previous = this.tracks.get(device);
    if (!previous || previous.getSettings().deviceId === deviceId) return;
    try {
      const track = await captureDevice(device, { deviceId: { exact: deviceId } });
      this.useTrack(device, track);
      previous.stop();
      await this.producers.get(device)?.replaceTrack({ track: steadyVideo(track) });
      this.showPreview();
      this.setProblem(null);
    } catch (error) {
      this.setProblem(describeCaptureError(error));
    }
  }

  async shareScreen(): Promise<void> {
    if (this.tracks.has('screen')) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: true });
    } catch (error) {
      // Cancelling the browser's picker is a choice, not a problem.
      if (!(error instanceof DOMException && error.name === 'NotAllowedError')) this.setProblem(describeScreenError(error));
      return;
    }
    const [video] = stream.getVideoTracks();
    const [audio] = stream.getAudioTracks();
    if (!video) return;
    // Keeps text sharp: the encoder lowers the frame rate before the resolution.
    video.contentHint = 'detail';
    // The browser's own "Stop sharing" button ends the track.
    video.addEventListener('ended', () => void this.stopSharing());
    this.tracks.set('screen', video);
    if (audio) this.tracks.set('screen-audio', audio);
    this.observer.changed();
    const attachment = this.attachment;
    if (!attachment) return; // published when the link (re)attaches
    await this.publishAll(attachment, SCREEN_SOURCES).catch((error: unknown) => attachment.fail(error));
  }

  async stopSharing(): Promise<void> {
    const attachment = this.attachment;
    for (const source of SCREEN_SOURCES) {
      this.tracks.get(source)?.stop();
      this.tracks.delete(source);
      const producer = this.producers.get(source);
      if (!producer) continue;
      this.producers.delete(source);
      producer.close();
      if (attachment) await attachment.request('producer:close', { producerId: producer.id }).catch(() => undefined);
    }
    this.observer.changed();
  }

  // -------------------------------------------------------------------------------------------
  // StageMediaHandler

  joined(join: JoinResult): void {
    // Technicians speaking go on air directly. Of what others publish, a speaker follows only the program return and the talk-back.
    this.currentPlacement = join.placement ?? 'on-air';
    this.returned.joined(join);
  }

  async attach(attachment: StageAttachment): Promise<void> {
    this.attachment = attachment;
    await this.publishAll(attachment, PUBLISH_ORDER);
    // After publishing: the speaker's own voice and picture reach the stage first.
    if (attachment.alive()) this.returned.attach(attachment);
  }

  detach(): void {
    // Closing the transport closes the producers; the tracks stay for the next attach.
    this.attachment = undefined;
    this.producers.clear();
    this.returned.detach();
  }

  // -------------------------------------------------------------------------------------------

  private async publishAll(attachment: StageAttachment, sources: MediaSource[]): Promise<void> {
    for (const source of sources) {
      if (this.tracks.has(source) && !this.producers.has(source)) await this.publish(attachment, source);
      if (!attachment.alive()) return;
    }
    this.observer.changed();
  }

  private async publish(attachment: StageAttachment, source: MediaSource): Promise<void> {
    const track = this.tracks.get(source);
    if (!track) return;
    const producer = await attachment.transport.produce({
      track: steadyVideo(track),
      ...publishOptions(source, attachment.device),
      // The tracks belong to this session, not to one transport: keep them across rejoins.
      stopTracks: false,
      appData: { source },
    });
    if (!attachment.alive()) return;
    const current = this.tracks.get(source);
    if (!current) {
      // Stopped while publishing.
      producer.close();
      await attachment.request('producer:close', { producerId: producer.id });
      return;
    }
    this.producers.set(source, producer);
    if (current !== track) await producer.replaceTrack({ track: steadyVideo(current) });
    if (this.muted.has(source)) await this.setProducerPaused(attachment, producer, true);
  }

  private async setProducerPaused(attachment: StageAttachment, producer: types.Producer, paused: boolean): Promise<void> {
    if (paused) producer.pause();
    else producer.resume();
    this.observer.changed();
    try {
      await attachment.request(paused ? 'producer:pause' : 'producer:resume', { producerId: producer.id });
    } catch (error) {
      // A dropped socket triggers a rejoin anyway, which publishes with the current mute state.
      if (!(error instanceof SignallingError && error.code === 'disconnected')) attachment.fail(error);
    }
  }

  private useTrack(device: CaptureDevice, track: MediaStreamTrack): void {
    track.enabled = !this.muted.has(device);
    track.addEventListener('ended', () => {
      if (this.tracks.get(device) !== track) return;
      this.setProblem({ code: device === 'camera' ? 'camera-stopped' : 'microphone-stopped' });
    });
    this.tracks.set(device, track);
  }

  private showPreview(): void {
    setVideoTrack(this.preview, this.tracks.get('camera') ?? null);
  }

  private setProblem(problem: SpeakerProblem | null): void {
    this.currentProblem = problem;
    this.observer.changed();
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

function publishOptions(source: MediaSource, device: Device): Pick<types.ProducerOptions, 'encodings' | 'codec' | 'codecOptions'> {
  if (source === 'microphone') return {};
  if (source === 'screen-audio') return { codecOptions: { opusStereo: true } };
  const codec = preferredVideoCodec(device);
  const baseEncodings = source === 'camera' ? CAMERA_ENCODINGS : SCREEN_ENCODINGS;
  // Temporal layers let mediasoup drop frame rate before resolution; browsers offer them for VP8.
  const encodings = isVp8(codec) ? baseEncodings.map((encoding) => ({ ...encoding, scalabilityMode: 'L1T3' })) : baseEncodings;
  return { codec, encodings, codecOptions: { videoGoogleStartBitrate: 1000 } };
}

/**
 * H.264 when this browser can send it, so the recorder stores the stream without re-encoding;
 * constrained baseline first, because every H.264 decoder plays it. VP8 otherwise.
 */
function preferredVideoCodec(device: Device): types.RtpCodecCapability | undefined {
  const codecs = device.sendRtpCapabilities.codecs ?? [];
  const h264 = codecs.filter((codec) => codec.mimeType.toLowerCase() === 'video/h264');
  const baseline = h264.find((codec) => String((codec.parameters?.['profile-level-id'] as string | undefined) ?? '').startsWith('42'));
  return baseline ?? h264[0] ?? codecs.find(isVp8);
}

function isVp8(codec: types.RtpCodecCapability | undefined): boolean {
  return codec?.mimeType.toLowerCase() === 'video/vp8';
}

// ---------------------------------------------------------------------------------------------
// Access

/** Why the server would refuse this page publishing on the stage (its invite), or null. */
async function speakerAccessRefusal(stageId: string): Promise<SpeakerProblem | null> {
  const { invite } = connectionCredentials();
  let response: Response;
  try {
    response = await fetch(`/api/stages/${encodeURIComponent(stageId)}/speaker-access`, {
      headers: invite ? { 'x-estrad-invite': invite } : {},
      cache: 'no-store',
    });
  } catch {
    return { code: 'server-unreachable' };
  }
  if (response.ok) return null;
  const body = (await response.json().catch(() => undefined)) as { error?: ApiError } | undefined;
  const code = body?.error?.code;
  if (code === 'not_found') return { code: 'stage-missing' };
  const detail: LiveProblem = response.status === 429 ? 'rate_limited' : response.status >= 500 ? 'server_error' : 'request_refused';
  return (code && INVITE_PROBLEMS[code]) ?? { code: 'connection', detail };
}

/** The server's refusals of a speaker invite (HTTP and socket answer the same codes). */
const INVITE_PROBLEMS: Partial<Record<ErrorCode, SpeakerProblem>> = {
  forbidden: { code: 'invite-missing' },
  unauthorized: { code: 'invite-missing' },
  invite_expired: { code: 'invite-expired' },
  invite_revoked: { code: 'invite-withdrawn' },
  invite_invalid: { code: 'invite-invalid' },
  invite_wrong_stage: { code: 'invite-wrong-stage' },
};

/** What the stage link reported: a refused invite by its own code, anything else as the connection's problem. */
function linkProblem(problem: LiveProblem): SpeakerProblem {
  switch (problem) {
    case 'invite_expired':
    case 'invite_revoked':
    case 'invite_invalid':
    case 'invite_wrong_stage':
      return INVITE_PROBLEMS[problem]!;
    case 'access_refused':
      return { code: 'invite-missing' };
    default:
      return { code: 'connection', detail: problem };
  }
}

// ---------------------------------------------------------------------------------------------
// Capture

const CAMERA_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};
const MICROPHONE_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

async function captureDevice(device: CaptureDevice, extra: MediaTrackConstraints): Promise<MediaStreamTrack> {
  const constraints = device === 'camera' ? { video: { ...CAMERA_CONSTRAINTS, ...extra } } : { audio: { ...MICROPHONE_CONSTRAINTS, ...extra } };
  const stream = await mediaDevices().getUserMedia(constraints);
  const [track] = device === 'camera' ? stream.getVideoTracks() : stream.getAudioTracks();
  if (!track) throw new DOMException('No track was captured.', 'NotFoundError');
  return track;
}

/** Both at once (one permission prompt); whichever exists when only one of them does. */
async function captureCameraAndMicrophone(chosen: Partial<Record<CaptureDevice, string>>): Promise<Map<CaptureDevice, MediaStreamTrack>> {
  // `ideal`, not `exact`: a remembered device that is gone should not stop the speaker going live.
  const video = { ...CAMERA_CONSTRAINTS, ...(chosen.camera ? { deviceId: { ideal: chosen.camera } } : {}) };
  const audio = { ...MICROPHONE_CONSTRAINTS, ...(chosen.microphone ? { deviceId: { ideal: chosen.microphone } } : {}) };
  const captured = new Map<CaptureDevice, MediaStreamTrack>();
  try {
    const stream = await mediaDevices().getUserMedia({ video, audio });
    const [camera] = stream.getVideoTracks();
    const [microphone] = stream.getAudioTracks();
    if (camera) captured.set('camera', camera);
    if (microphone) captured.set('microphone', microphone);
    return captured;
  } catch (error) {
    if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
    for (const device of ['microphone', 'camera'] as const) {
      const track = await captureDevice(device, device === 'camera' ? video : audio).catch(() => undefined);
      if (track) captured.set(device, track);
    }
    if (captured.size === 0) throw error;
    return captured;
  }
}

function mediaDevices(): MediaDevices {
  // Missing on plain-http pages other than localhost.
  if (!navigator.mediaDevices) throw new DOMException('Capture needs a secure page.', 'SecurityError');
  return navigator.mediaDevices;
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

/** Labels stay empty until the page may capture; callers number the devices instead. */
export async function listCaptureDevices(): Promise<DeviceLists> {
  const devices = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  return {
    cameras: devices.filter((device) => device.kind === 'videoinput' && device.deviceId !== ''),
    microphones: devices.filter((device) => device.kind === 'audioinput' && device.deviceId !== ''),
  };
}

function describePublishingEnded(code: PublishingEndedCode): SpeakerProblem {
  switch (code) {
    case 'invite_revoked':
      return { code: 'invite-revoked' };
  }
}

function describeCaptureError(error: unknown): SpeakerProblem {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return { code: 'capture-blocked' };
    case 'SecurityError':
      return { code: 'capture-insecure' };
    case 'NotFoundError':
      return { code: 'capture-no-device' };
    case 'NotReadableError':
    case 'AbortError':
      return { code: 'capture-busy' };
    case 'OverconstrainedError':
      return { code: 'capture-device-gone' };
    default:
      return { code: 'capture-failed' };
  }
}

function describeScreenError(error: unknown): SpeakerProblem {
  if (error instanceof TypeError || (error instanceof DOMException && error.name === 'NotSupportedError')) return { code: 'screen-unsupported' };
  return { code: 'screen-failed' };
}
