import type { types } from 'mediasoup';
import type { IngestCodec } from '../../shared/protocol.js';

/**
 * What every stage router offers. Opus for audio; VP8 because every browser and test client can
 * send and decode it; H.264 (baseline and main) so a browser speaker can send video the recorder
 * stores without re-encoding.
 */
export const routerMediaCodecs: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 },
  },
];

/** RTP codec parameters a plain-RTP ingest (ffmpeg) is told to send with. */
export const ingestCodecs: Record<IngestCodec, types.RtpCodecParameters & { kind: 'audio' | 'video' }> = {
  opus: { kind: 'audio', mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
  VP8: { kind: 'video', mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
  H264: {
    kind: 'video',
    mimeType: 'video/H264',
    payloadType: 102,
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
  },
};
