/**
 * What a speaker receives beside publishing, on a receive transport of their own join (made when
 * first needed): the control room's talk-back while backstage, and the program return, the
 * program's main video at its lowest simulcast layer and without its sound (the speaker's
 * microphone would pick that up and send it back).
 */
import type { types } from 'mediasoup-client';
import type { JoinResult, ProducerInfo, Program, TalkbackProducer } from '../../../shared/protocol';
import { SignallingError } from '../signalling';
import { openSecondTransport, type StageAttachment, type StageLink, toClientRtpParameters, toRtpCapabilitiesJson } from './session';
import { pickShownProducer } from './viewer';

/** The lowest layer: a small picture costs the speaker's downlink little. */
const PROGRAM_RETURN_LAYER = 0;

export class SpeakerReturn {
  private readonly onAir = new Map<string, ProducerInfo>();
  private program: Program = { main: null, inset: null };
  private talkback: TalkbackProducer[] = [];
  private attachment: StageAttachment | undefined;
  private transport: Promise<types.Transport> | undefined;
  /** By producer id. */
  private readonly consumers = new Map<string, types.Consumer>();
  private readonly consuming = new Set<string>();
  /** Consumers the server closed, maybe while this page was still making them. */
  private readonly closedOnServer = new Set<string>();

  constructor(
    link: StageLink,
    /** Called whenever the program picture or the talk-back changes. */
    private readonly changed: () => void,
  ) {
    link.on('producer:added', (producer) => {
      this.onAir.set(producer.producerId, producer);
      this.follow();
    });
    // The server closes the consumers of a producer leaving the air, and of a talk-back no longer for this speaker.
    link.on('producer:removed', ({ producerId }) => {
      this.onAir.delete(producerId);
      this.drop(producerId);
      this.follow();
    });
    link.on('producer:paused', ({ producerId, paused }) => {
      const producer = this.onAir.get(producerId);
      if (producer) producer.paused = paused;
      this.follow();
    });
    link.on('program:changed', (program) => {
      this.program = program;
      this.follow();
    });
    link.on('talkback:changed', ({ producers }) => {
      const kept = new Set(producers.map((producer) => producer.producerId));
      for (const { producerId } of this.talkback) if (!kept.has(producerId)) this.drop(producerId);
      this.talkback = producers;
      this.follow();
    });
    link.on('consumer:closed', ({ consumerId, producerId }) => {
      this.closedOnServer.add(consumerId);
      this.drop(producerId);
    });
  }

  /** The program's main picture, once it arrives. */
  programTrack(): MediaStreamTrack | undefined {
    const shown = this.shownProducerId();
    return shown === undefined ? undefined : this.flowingTrack(shown);
  }

  /** The control room's microphones now heard. */
  talkbackTracks(): MediaStreamTrack[] {
    return this.talkback.flatMap((producer) => this.flowingTrack(producer.producerId) ?? []);
  }

  private flowingTrack(producerId: string): MediaStreamTrack | undefined {
    const consumer = this.consumers.get(producerId);
    return consumer && !consumer.paused ? consumer.track : undefined;
  }

  /** The receive transport's WebRTC statistics, once it exists (for tests and diagnostics). */
  async stats(): Promise<RTCStatsReport | undefined> {
    return (await this.transport?.catch(() => undefined))?.getStats();
  }

  joined(join: JoinResult): void {
    this.onAir.clear();
    for (const producer of join.producers) this.onAir.set(producer.producerId, { ...producer });
    this.program = join.program;
    this.talkback = join.talkback ?? [];
  }

  attach(attachment: StageAttachment): void {
    this.attachment = attachment;
    this.follow();
  }

  detach(): void {
    this.attachment = undefined;
    for (const consumer of this.consumers.values()) consumer.close();
    this.consumers.clear();
    this.consuming.clear();
    this.closedOnServer.clear();
    void this.transport?.then((transport) => transport.close()).catch(() => undefined);
    this.transport = undefined;
    this.changed();
  }

  private shownProducerId(): string | undefined {
    return pickShownProducer([...this.onAir.values()], this.program.main)?.producerId;
  }

  private wanted(): Set<string> {
    const wanted = new Set(this.talkback.map((producer) => producer.producerId));
    const shown = this.shownProducerId();
    if (shown !== undefined) wanted.add(shown);
    return wanted;
  }

  /**
   * Consumes what is wanted and pauses what is not. A consumer stays until the server closes it
   * (its producer left, or the talk-back is no longer for this speaker): the server keeps one
   * consumer per producer and peer, and answers that same one when asked again.
   */
  private follow(): void {
    const wanted = this.wanted();
    const attachment = this.attachment;
    if (attachment) {
      for (const [producerId, consumer] of this.consumers) this.setFlowing(attachment, consumer, wanted.has(producerId));
      for (const producerId of wanted) {
        if (!this.consumers.has(producerId) && !this.consuming.has(producerId)) {
          this.consume(attachment, producerId).catch((error: unknown) => attachment.fail(error));
        }
      }
    }
    this.changed();
  }

  private async consume(attachment: StageAttachment, producerId: string): Promise<void> {
    this.consuming.add(producerId);
    try {
      this.transport ??= openSecondTransport(attachment, 'recv');
      const transport = await this.transport;
      const options = await attachment.request('consumer:create', {
        producerId,
        rtpCapabilities: toRtpCapabilitiesJson(attachment.device.rtpCapabilities),
        flowing: true,
        spatialLayer: PROGRAM_RETURN_LAYER,
      });
      const consumer = await transport.consume({ id: options.id, producerId, kind: options.kind, rtpParameters: toClientRtpParameters(options.rtpParameters) });
      if (!attachment.alive() || this.closedOnServer.has(consumer.id)) {
        consumer.close();
        return;
      }
      this.consumers.set(producerId, consumer);
      // No longer wanted meanwhile: it waits paused.
      this.setFlowing(attachment, consumer, this.wanted().has(producerId));
    } catch (error) {
      // Gone off air (or out of the talk-back) meanwhile: no failure. Anything else needs a rejoin.
      if (attachment.alive() && !(error instanceof SignallingError && error.code === 'not_found')) throw error;
    } finally {
      if (attachment.alive()) this.consuming.delete(producerId);
      this.changed();
    }
  }

  private setFlowing(attachment: StageAttachment, consumer: types.Consumer, flowing: boolean): void {
    if (consumer.paused === !flowing) return;
    if (flowing) consumer.resume();
    else consumer.pause();
    attachment.request(flowing ? 'consumer:resume' : 'consumer:pause', { consumerId: consumer.id }).catch((error: unknown) => {
      // A consumer the server has just closed is no longer ours; its consumer:closed is on the way.
      if (!(error instanceof SignallingError && (error.code === 'forbidden' || error.code === 'not_found'))) attachment.fail(error);
    });
  }

  /** The server closed the consumer (or its producer left): it is gone for good. */
  private drop(producerId: string): void {
    this.consumers.get(producerId)?.close();
    if (this.consumers.delete(producerId)) this.changed();
  }
}
