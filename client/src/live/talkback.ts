/**
 * A technician talking to backstage from /control: their microphone, published on a send
 * transport beside the stage's monitor join. The server keeps it off air (viewers and the
 * recording never get it); speakers backstage and other technicians hear it.
 */
import type { types } from 'mediasoup-client';
import { openSecondTransport, type StageAttachment } from './session';

export type TalkbackState = 'off' | 'starting' | 'talking' | 'failed';

export class TalkbackMicrophone {
  private wanted = false;
  private failed = false;
  private track: MediaStreamTrack | undefined;
  private attachment: StageAttachment | undefined;
  private transport: types.Transport | undefined;
  private producer: types.Producer | undefined;

  constructor(private readonly changed: () => void) {}

  state(): TalkbackState {
    if (this.failed) return 'failed';
    if (!this.wanted) return 'off';
    return this.producer ? 'talking' : 'starting';
  }

  /** Captures the microphone and publishes it (now, or once the monitor is joined). */
  async start(): Promise<void> {
    if (this.wanted) return;
    this.wanted = true;
    this.failed = false;
    this.changed();
    let track: MediaStreamTrack | undefined;
    try {
      [track] = (await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } })).getAudioTracks();
    } catch {
      track = undefined;
    }
    if (!track || !this.wanted) {
      track?.stop();
      this.failed = this.wanted;
      this.wanted = false;
      this.changed();
      return;
    }
    this.track = track;
    const attachment = this.attachment;
    if (attachment) await this.publish(attachment).catch((error: unknown) => attachment.fail(error));
  }

  /** Stops talking: the producer closes on the server, the microphone is released. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.failed = false;
    const { producer, attachment } = this;
    this.closeMedia();
    this.track?.stop();
    this.track = undefined;
    this.changed();
    if (producer && attachment?.alive()) await attachment.request('producer:close', { producerId: producer.id }).catch(() => undefined);
  }

  /** The monitor (re)joined: a technician still talking is heard again. */
  attach(attachment: StageAttachment): void {
    this.attachment = attachment;
    if (this.wanted && this.track) this.publish(attachment).catch((error: unknown) => attachment.fail(error));
  }

  /** The join is gone, and its producers with it; the microphone stays captured for the next attach. */
  detach(): void {
    this.attachment = undefined;
    this.closeMedia();
    this.changed();
  }

  private async publish(attachment: StageAttachment): Promise<void> {
    const transport = await openSecondTransport(attachment, 'send');
    const track = this.track;
    if (!attachment.alive() || !track) {
      transport.close();
      return;
    }
    this.transport = transport;
    const producer = await transport.produce({ track, stopTracks: false, appData: { source: 'microphone' } });
    if (this.transport !== transport || !this.wanted) {
      // Stopped while publishing: the server's producer closes too.
      producer.close();
      if (attachment.alive()) await attachment.request('producer:close', { producerId: producer.id }).catch(() => undefined);
      return;
    }
    this.producer = producer;
    this.changed();
  }

  private closeMedia(): void {
    this.producer = undefined;
    this.transport?.close();
    this.transport = undefined;
  }
}
