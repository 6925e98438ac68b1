/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01),
 * the RTCP a browser sends back to tell the sender when each packet arrived. libdatachannel only
 * sends receiver reports and REMB; a bench viewer that claims transport-cc without sending this
 * makes mediasoup keep 60 s of send history per viewer, which browsers never cause, and one that
 * does not claim it spares mediasoup the feedback work browsers do cause. So the crowd sends it.
 *
 * Written here because the one TypeScript implementation on npm (werift-rtp) leaves the chunking
 * and delta arithmetic to its caller, which is most of the work.
 */

import { extendSequenceNumber } from './rtpStats.js';

export const TRANSPORT_WIDE_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const RTP_VERSION = 2;
const ONE_BYTE_EXTENSION_PROFILE = 0xbede;
const FEEDBACK_FORMAT = 15;
const TRANSPORT_FEEDBACK_TYPE = 205;
const REFERENCE_TIME_UNIT_US = 64_000;
const DELTA_UNIT_US = 250;
const SYMBOLS_PER_CHUNK = 7;
const SEQUENCE_MODULO = 0x1_0000;
/** More than this many packets since the last feedback and the oldest are given up on. */
const MAX_STATUS_COUNT = 2_000;

const enum Status {
  NotReceived = 0,
  SmallDelta = 1,
  LargeDelta = 2,
}

/** The transport-wide sequence number carried in a one-byte header extension, if there is one. */
export function readTransportSequence(packet: Uint8Array, extensionId: number): number | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== RTP_VERSION || (packet[0]! & 0x10) === 0) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let offset = 12 + 4 * (packet[0]! & 0x0f);
  if (offset + 4 > packet.length || view.getUint16(offset) !== ONE_BYTE_EXTENSION_PROFILE) return undefined;
  const end = Math.min(packet.length, offset + 4 + 4 * view.getUint16(offset + 2));
  offset += 4;
  while (offset < end) {
    const byte = packet[offset]!;
    if (byte === 0) {
      offset++; // padding between elements
      continue;
    }
    const id = byte >> 4;
    const length = (byte & 0x0f) + 1;
    if (id === 15) return undefined; // "stop parsing" marker
    if (id === extensionId && length === 2 && offset + 3 <= end) return view.getUint16(offset + 1);
    offset += 1 + length;
  }
  return undefined;
}

/** Collects arrivals and turns them into one feedback packet at a time, as a receiver does every ~100 ms. */
export class TransportFeedbackRecorder {
  /** Arrival time in microseconds by extended sequence number, for packets not yet reported. */
  private readonly arrivals = new Map<number, number>();
  private highestExtended: number | undefined;
  private nextToReport: number | undefined;
  private feedbackCount = 0;

  constructor(
    private readonly senderSsrc: number,
    private readonly mediaSsrc: number,
  ) {}

  record(sequenceNumber: number, arrivalUs: number): void {
    const extended = this.highestExtended === undefined ? sequenceNumber : extendSequenceNumber(sequenceNumber, this.highestExtended);
    if (this.nextToReport !== undefined && extended < this.nextToReport) return; // already reported as lost
    this.arrivals.set(extended, arrivalUs);
    if (this.highestExtended === undefined || extended > this.highestExtended) this.highestExtended = extended;
    this.nextToReport ??= extended;
  }

  /** The RTCP packet covering everything since the last one, or undefined if nothing arrived. */
  takeFeedback(): Buffer | undefined {
    if (this.arrivals.size === 0 || this.highestExtended === undefined || this.nextToReport === undefined) return undefined;
    const first = Math.max(this.nextToReport, this.highestExtended - MAX_STATUS_COUNT + 1);
    const statuses: Status[] = [];
    const deltas: number[] = [];
    let referenceUs: number | undefined;
    let previousUs = 0;
    for (let extended = first; extended <= this.highestExtended; extended++) {
      const arrivalUs = this.arrivals.get(extended);
      if (arrivalUs === undefined) {
        statuses.push(Status.NotReceived);
        continue;
      }
      if (referenceUs === undefined) {
        referenceUs = Math.floor(arrivalUs / REFERENCE_TIME_UNIT_US) * REFERENCE_TIME_UNIT_US;
        previousUs = referenceUs;
      }
      // Rounded and clamped before it is added up, so sender and receiver sum the same deltas.
      const delta = Math.max(-0x8000, Math.min(0x7fff, Math.round((arrivalUs - previousUs) / DELTA_UNIT_US)));
      previousUs += delta * DELTA_UNIT_US;
      statuses.push(delta >= 0 && delta <= 0xff ? Status.SmallDelta : Status.LargeDelta);
      deltas.push(delta);
    }
    this.arrivals.clear();
    this.nextToReport = this.highestExtended + 1;
    return this.serialize(first, statuses, deltas, referenceUs!);
  }

  private serialize(first: number, statuses: Status[], deltas: number[], referenceUs: number): Buffer {
    const chunkCount = Math.ceil(statuses.length / SYMBOLS_PER_CHUNK);
    const deltaBytes = statuses.reduce((sum, status) => sum + (status === Status.SmallDelta ? 1 : status === Status.LargeDelta ? 2 : 0), 0);
    const unpadded = 20 + 2 * chunkCount + deltaBytes;
    const packet = Buffer.alloc(Math.ceil(unpadded / 4) * 4);
    const padded = packet.length !== unpadded;
    packet[0] = (RTP_VERSION << 6) | (padded ? 0x20 : 0) | FEEDBACK_FORMAT;
    packet[1] = TRANSPORT_FEEDBACK_TYPE;
    packet.writeUInt16BE(packet.length / 4 - 1, 2);
    packet.writeUInt32BE(this.senderSsrc >>> 0, 4);
    packet.writeUInt32BE(this.mediaSsrc >>> 0, 8);
    packet.writeUInt16BE(first % SEQUENCE_MODULO, 12);
    packet.writeUInt16BE(statuses.length, 14);
    packet.writeUIntBE((referenceUs / REFERENCE_TIME_UNIT_US) & 0x7fffff, 16, 3);
    packet[19] = this.feedbackCount++ & 0xff;
    let offset = 20;
    for (let index = 0; index < statuses.length; index += SYMBOLS_PER_CHUNK) {
      // Status vector chunk: type 1, two-bit symbols (1), then seven symbols.
      let chunk = 0b11 << 14;
      for (let symbol = 0; symbol < SYMBOLS_PER_CHUNK; symbol++) chunk |= (statuses[index + symbol] ?? Status.NotReceived) << (12 - 2 * symbol);
      packet.writeUInt16BE(chunk, offset);
      offset += 2;
    }
    let deltaIndex = 0;
    for (const status of statuses) {
      if (status === Status.SmallDelta) offset = packet.writeUInt8(deltas[deltaIndex++]!, offset);
      else if (status === Status.LargeDelta) offset = packet.writeInt16BE(deltas[deltaIndex++]!, offset);
    }
    if (padded) packet[packet.length - 1] = packet.length - unpadded;
    return packet;
  }
}
