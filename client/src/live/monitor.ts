/**
 * Monitoring a stage from the control room: join it as `monitor`, receive every invited speaker's
 * tracks (backstage ones too) and everything on air (the server sends video at its lowest
 * simulcast layer), and keep the speakers, the feeds on air and the program as the server pushes them.
 */
import type { types } from 'mediasoup-client';
import type { JoinResult, MediaKind, ProducerInfo, Program, StageSpeaker, TalkbackProducer } from '../../../shared/protocol';
import { Signalling, SignallingError } from '../signalling';
import {
  type LinkStatus,
  type LiveProblem,
  type StageAttachment,
  StageLink,
  type StageMediaHandler,
  toClientRtpParameters,
  toRtpCapabilitiesJson,
} from './session';
import { TalkbackMicrophone, type TalkbackState } from './talkback';

/** A speaker with the tracks of theirs this monitor receives: the preview and the sound. */
export interface MonitoredSpeaker extends StageSpeaker {
  video: MediaStreamTrack | undefined;
  audio: MediaStreamTrack | undefined;
}

/** A video on air, which the program may show: with its preview track. */
export interface MonitoredFeed {
  producer: ProducerInfo;
  /** The invite label of the speaker sending it; empty for other feeds (ingest, a technician). */
  speakerLabel: string;
  track: MediaStreamTrack | undefined;
}

export interface MonitorView {
  speakers: MonitoredSpeaker[];
  feeds: MonitoredFeed[];
  program: Program;
  status: LinkStatus;
  problem: LiveProblem | undefined;
  /** Whether this technician is talking to the stage's backstage. */
  talkback: TalkbackState;
  /** Other technicians talking to backstage, heard here too. */
  colleaguesTalking: MediaStreamTrack[];
}

export interface MonitorObserver {
  changed(view: MonitorView): void;
}

export class StageMonitor implements StageMediaHandler {
  readonly role = 'monitor';
  readonly direction = 'recv';
  private readonly link: StageLink;
  private attachment: StageAttachment | undefined;
  private speakers: StageSpeaker[] = [];
  private readonly onAir = new Map<string, ProducerInfo>();
  private program: Program = { main: null, inset: null };
  /** By producer id. */
  private readonly consumers = new Map<string, types.Consumer>();
  private readonly consuming = new Set<string>();
  private status: LinkStatus = 'connecting';
  private problem: LiveProblem | undefined;
  private readonly talkback = new TalkbackMicrophone(() => this.report());
  /** Every technician's talk-back on the stage, this one's included (not consumed: no one needs to hear themselves). */
  private talkbackProducers: TalkbackProducer[] = [];
  private ownPeerId = '';

  constructor(
    stageId: string,
    private readonly observer: MonitorObserver,
    private readonly signalling = new Signalling(),
  ) {
    this.link = new StageLink({
      stageId,
      signalling,
      handler: this,
      observer: {
        status: (status, problem) => {
          this.status = status;
          this.problem = problem;
          this.report();
        },
        stage: () => undefined,
      },
    });
    this.link.on('speakers:changed', ({ speakers }) => {
      this.speakers = speakers;
      this.follow();
    });
    this.link.on('consumer:closed', ({ producerId }) => this.drop(producerId));
    this.link.on('producer:added', (producer) => {
      if (!isFeed(producer)) return;
      this.onAir.set(producer.producerId, producer);
      this.follow();
    });
    this.link.on('producer:removed', ({ producerId }) => {
      this.onAir.delete(producerId);
      this.follow();
    });
    this.link.on('program:changed', (program) => {
      this.program = program;
      this.report();
    });
    this.link.on('talkback:changed', ({ producers }) => {
      this.talkbackProducers = producers;
      this.follow();
    });
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    await this.talkback.stop();
    await this.link.stop();
    this.signalling.close();
  }

  /** Talk to backstage (the speakers there and other technicians hear it), or stop. */
  setTalking(talking: boolean): Promise<void> {
    return talking ? this.talkback.start() : this.talkback.stop();
  }

  joined(join: JoinResult): void {
    this.speakers = join.speakers ?? [];
    this.program = join.program;
    this.ownPeerId = join.peerId;
    this.talkbackProducers = join.talkback ?? [];
    this.onAir.clear();
    for (const producer of join.producers.filter(isFeed)) this.onAir.set(producer.producerId, producer);
  }

  async attach(attachment: StageAttachment): Promise<void> {
    this.attachment = attachment;
    this.talkback.attach(attachment);
    await this.consumeMissing(attachment);
  }

  detach(): void {
    this.attachment = undefined;
    this.talkback.detach();
    for (const consumer of this.consumers.values()) consumer.close();
    this.consumers.clear();
    this.consuming.clear();
    this.report();
  }

  private follow(): void {
    const listed = this.listedProducers();
    for (const producerId of [...this.consumers.keys()]) if (!listed.has(producerId)) this.drop(producerId);
    const attachment = this.attachment;
    if (attachment) this.consumeMissing(attachment).catch((error: unknown) => attachment.fail(error));
    this.report();
  }

  private listedProducers(): Set<string> {
    return new Set([
      ...this.onAir.keys(),
      ...this.speakers.flatMap((speaker) => speaker.producers.map((producer) => producer.producerId)),
      ...this.colleaguesTalkback(),
    ]);
  }

  private colleaguesTalkback(): string[] {
    return this.talkbackProducers.filter((producer) => producer.peerId !== this.ownPeerId).map((producer) => producer.producerId);
  }

  private async consumeMissing(attachment: StageAttachment): Promise<void> {
    const missing = [...this.listedProducers()].filter((producerId) => !this.consumers.has(producerId) && !this.consuming.has(producerId));
    await Promise.all(missing.map((producerId) => this.consume(attachment, producerId)));
  }

  private async consume(attachment: StageAttachment, producerId: string): Promise<void> {
    this.consuming.add(producerId);
    try {
      const options = await attachment.request('consumer:create', {
        producerId,
        rtpCapabilities: toRtpCapabilitiesJson(attachment.device.rtpCapabilities),
      });
      const consumer = await attachment.transport.consume({
        id: options.id,
        producerId,
        kind: options.kind,
        rtpParameters: toClientRtpParameters(options.rtpParameters),
      });
      if (!attachment.alive() || !this.listedProducers().has(producerId)) {
        consumer.close();
        return;
      }
      this.consumers.set(producerId, consumer);
      await attachment.request('consumer:resume', { consumerId: consumer.id });
    } catch (error) {
      // A producer that closed meanwhile is no failure; anything else needs a rejoin.
      if (attachment.alive() && !(error instanceof SignallingError && error.code === 'not_found')) throw error;
    } finally {
      if (attachment.alive()) this.consuming.delete(producerId);
      this.report();
    }
  }

  private drop(producerId: string): void {
    this.consumers.get(producerId)?.close();
    this.consumers.delete(producerId);
    this.report();
  }

  private report(): void {
    const speakers = this.speakers.map((speaker) => ({ ...speaker, video: this.trackOf(speaker, 'video'), audio: this.trackOf(speaker, 'audio') }));
    const feeds = [...this.onAir.values()]
      .filter((producer) => producer.kind === 'video')
      .map((producer) => ({ producer, speakerLabel: this.speakerLabelOf(producer), track: this.consumers.get(producer.producerId)?.track }));
    const colleaguesTalking = this.colleaguesTalkback().flatMap((producerId) => this.consumers.get(producerId)?.track ?? []);
    this.observer.changed({
      speakers,
      feeds,
      program: this.program,
      status: this.status,
      problem: this.problem,
      talkback: this.talkback.state(),
      colleaguesTalking,
    });
  }

  private speakerLabelOf(producer: ProducerInfo): string {
    return this.speakers.find((speaker) => speaker.producers.some((candidate) => candidate.producerId === producer.producerId))?.label ?? '';
  }

  /** The camera before a screen share: the preview shows the person. */
  private trackOf(speaker: StageSpeaker, kind: MediaKind): MediaStreamTrack | undefined {
    const producers = speaker.producers.filter((producer) => producer.kind === kind);
    const ordered = [...producers.filter((producer) => producer.source === 'camera' || producer.source === 'microphone'), ...producers];
    for (const producer of ordered) {
      const consumer = this.consumers.get(producer.producerId);
      if (consumer) return consumer.track;
    }
    return undefined;
  }
}

/** The slate is no feed to take: it has its own panel (SlatePanel), and the program shows it by itself. */
function isFeed(producer: ProducerInfo): boolean {
  return producer.source !== 'slate';
}
