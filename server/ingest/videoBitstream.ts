/**
 * What the pre-flight check of a WebRTC ingest reads from the RTP of its video, as it arrives:
 * the RTP header, which H.264 NAL units (RFC 6184) or VP8 frames (RFC 7741) a packet carries, and
 * the picture size and profile in an H.264 sequence parameter set or a VP8 keyframe header.
 */

export interface RtpPacket {
  sequenceNumber: number;
  timestamp: number;
  payload: Buffer;
}

/** The fields the check needs, or undefined for what is not an RTP packet. */
export function readRtp(packet: Buffer): RtpPacket | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const csrcCount = packet[0]! & 0x0f;
  let offset = 12 + 4 * csrcCount;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  const end = packet[0]! & 0x20 ? packet.length - packet[packet.length - 1]! : packet.length;
  if (offset >= end) return undefined;
  return { sequenceNumber: packet.readUInt16BE(2), timestamp: packet.readUInt32BE(4), payload: packet.subarray(offset, end) };
}

export const H264_IDR = 5;
export const H264_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

/** The NAL units of an H.264 RTP payload: whole ones (single, STAP-A) with their bytes, a fragment's first part by its type only. */
export function h264Units(payload: Buffer): { type: number; unit?: Buffer }[] {
  const type = payload[0]! & 0x1f;
  if (type >= 1 && type < STAP_A) return [{ type, unit: payload }];
  if (type === FU_A) return payload.length > 1 && payload[1]! & 0x80 ? [{ type: payload[1]! & 0x1f }] : [];
  if (type !== STAP_A) return [];
  const units: { type: number; unit: Buffer }[] = [];
  for (let offset = 1; offset + 2 < payload.length;) {
    const size = payload.readUInt16BE(offset);
    offset += 2;
    if (size === 0 || offset + size > payload.length) break;
    units.push({ type: payload[offset]! & 0x1f, unit: payload.subarray(offset, offset + size) });
    offset += size;
  }
  return units;
}

export interface PictureFacts {
  width: number;
  height: number;
  /** The H.264 profile as ffmpeg names it ("Constrained Baseline", "Main", "High"…); null for VP8. */
  profile: string | null;
}

const PROFILE_NAMES: Record<number, string> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4 Predictive',
};
/** Profiles whose SPS carries chroma format, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Profile and picture size from an H.264 sequence parameter set (the NAL unit, header included); undefined when it is not one it can read. */
export function readSps(unit: Buffer): PictureFacts | undefined {
  if (unit.length < 4 || (unit[0]! & 0x1f) !== H264_SPS) return undefined;
  try {
    return parseSps(new BitReader(withoutEmulationPrevention(unit.subarray(1))));
  } catch {
    return undefined;
  }
}

function parseSps(bits: BitReader): PictureFacts {
  const profileIdc = bits.bits(8);
  const constraints = bits.bits(8);
  bits.bits(8); // level_idc
  bits.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormat = bits.ue();
    if (chromaFormat === 3) bits.bits(1); // separate_colour_plane_flag
    bits.ue(); // bit_depth_luma_minus8
    bits.ue(); // bit_depth_chroma_minus8
    bits.bits(1); // qpprime_y_zero_transform_bypass_flag
    if (bits.bits(1)) for (let list = 0; list < (chromaFormat === 3 ? 12 : 8); list++) if (bits.bits(1)) skipScalingList(bits, list < 6 ? 16 : 64);
  }
  bits.ue(); // log2_max_frame_num_minus4
  const pocType = bits.ue();
  if (pocType === 0) bits.ue();
  else if (pocType === 1) {
    bits.bits(1);
    bits.se();
    bits.se();
    const cycle = bits.ue();
    for (let index = 0; index < cycle; index++) bits.se();
  }
  bits.ue(); // max_num_ref_frames
  bits.bits(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = bits.ue() + 1;
  const heightInMapUnits = bits.ue() + 1;
  const frameMbsOnly = bits.bits(1);
  if (!frameMbsOnly) bits.bits(1); // mb_adaptive_frame_field_flag
  bits.bits(1); // direct_8x8_inference_flag
  const crop = bits.bits(1) ? { left: bits.ue(), right: bits.ue(), top: bits.ue(), bottom: bits.ue() } : { left: 0, right: 0, top: 0, bottom: 0 };
  const cropX = chromaFormat === 1 || chromaFormat === 2 ? 2 : 1;
  const cropY = (chromaFormat === 1 ? 2 : 1) * (2 - frameMbsOnly);
  const constrained = profileIdc === 66 && (constraints & 0x40) !== 0;
  return {
    width: widthInMbs * 16 - cropX * (crop.left + crop.right),
    height: (2 - frameMbsOnly) * heightInMapUnits * 16 - cropY * (crop.top + crop.bottom),
    profile: constrained ? 'Constrained Baseline' : (PROFILE_NAMES[profileIdc] ?? `profile_idc ${profileIdc}`),
  };
}

function skipScalingList(bits: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let index = 0; index < size; index++) {
    if (next !== 0) next = (last + bits.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** The RBSP: every 00 00 03 loses its 03. */
function withoutEmulationPrevention(bytes: Buffer): Buffer {
  const out: number[] = [];
  for (let index = 0; index < bytes.length; index++) {
    if (index >= 2 && bytes[index] === 3 && bytes[index - 1] === 0 && bytes[index - 2] === 0 && out.at(-1) === 0 && out.at(-2) === 0) continue;
    out.push(bytes[index]!);
  }
  return Buffer.from(out);
}

class BitReader {
  private position = 0;

  constructor(private readonly bytes: Buffer) {}

  bits(count: number): number {
    let value = 0;
    for (let index = 0; index < count; index++) {
      const byte = this.bytes[this.position >> 3];
      if (byte === undefined) throw new RangeError('SPS ended early');
      value = value * 2 + ((byte >> (7 - (this.position & 7))) & 1);
      this.position++;
    }
    return value;
  }

  /** Exp-Golomb, unsigned. */
  ue(): number {
    let zeros = 0;
    while (this.bits(1) === 0) if (++zeros > 31) throw new RangeError('bad Exp-Golomb code');
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Exp-Golomb, signed. */
  se(): number {
    const code = this.ue();
    return code % 2 === 1 ? (code + 1) / 2 : -code / 2;
  }
}

/** Whether a VP8 RTP payload starts a keyframe, with the keyframe's picture size; undefined for a packet that starts no frame. */
export function readVp8Start(payload: Buffer): { key: boolean; picture?: PictureFacts } | undefined {
  const descriptor = payload[0];
  if (descriptor === undefined || !(descriptor & 0x10) || (descriptor & 0x07) !== 0) return undefined;
  let offset = 1;
  if (descriptor & 0x80) {
    const extension = payload[offset++] ?? 0;
    if (extension & 0x80) offset += (payload[offset] ?? 0) & 0x80 ? 2 : 1;
    if (extension & 0x40) offset++;
    if (extension & 0x30) offset++;
  }
  const header = payload[offset];
  if (header === undefined) return undefined;
  const key = (header & 0x01) === 0;
  const startCode = payload.length >= offset + 10 && payload[offset + 3] === 0x9d && payload[offset + 4] === 0x01 && payload[offset + 5] === 0x2a;
  if (!key || !startCode) return { key };
  return { key, picture: { width: payload.readUInt16LE(offset + 6) & 0x3fff, height: payload.readUInt16LE(offset + 8) & 0x3fff, profile: null } };
}
