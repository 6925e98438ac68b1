import type { ProducerInfo, TalkbackProducer } from '../../shared/protocol.js';
import type { Peer } from './peer.js';

/**
 * The control room talking to backstage on one stage: the microphones technicians publish from
 * /control (their monitor peers' producers). They never go on air: they are not among the stage's
 * on-air producers, so viewers cannot consume them, `producer:added` never names them and the
 * recorder never selects them. Only those who `hear` the talk-back may consume them.
 */
export class Talkback {
  private readonly producers = new Map<string, TalkbackProducer>();

  add(peer: Peer, producerId: string): void {
    this.producers.set(producerId, { producerId, peerId: peer.id });
  }

  /** True when the producer was one of the talk-back's. */
  remove(producerId: string): boolean {
    return this.producers.delete(producerId);
  }

  has(producerId: string): boolean {
    return this.producers.has(producerId);
  }

  list(): TalkbackProducer[] {
    return [...this.producers.values()];
  }

  /** The producer as a consumer of it is told about it: a microphone. */
  producerInfo(producerId: string): ProducerInfo | undefined {
    const producer = this.producers.get(producerId);
    return producer && { producerId, kind: 'audio', source: 'microphone', peerId: producer.peerId, paused: false };
  }

  clear(): void {
    this.producers.clear();
  }
}

/**
 * Who hears the control room: technicians monitoring the stage, and invited speakers while
 * backstage. Not a speaker on air: their microphone would carry the technician's voice to air.
 */
export function hearsTalkback(peer: Peer, backstage: boolean): boolean {
  return peer.kind === 'monitor' || (peer.invite !== undefined && backstage);
}
