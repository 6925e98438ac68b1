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

/**
 * Header extensions a stage never offers to clients. abs-capture-time: a sender that negotiates it
 * gives mediasoup (3.25 and later) each simulcast stream's capture instant through that extension
 * only, and a consumer is never switched to a stream whose instant is unknown. With Chromium's
 * streams that left no lower layer to fall back on: when a speaker switched to a smaller camera and
 * the top layer stopped, viewers and the recorder lost the picture although r0 and r1 kept coming
 * (test/browser/camera-switch.test.ts). Without it mediasoup takes the instants from the RTCP
 * Sender Reports, which senders send for every stream, and falls back to r1 at once.
 */
const UNOFFERED_HEADER_EXTENSIONS = new Set(['http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time']);

/** The RTP capabilities clients publish and consume with: the router's, less the unoffered extensions. */
export function offeredRtpCapabilities(router: types.RtpCapabilities): types.RtpCapabilities {
  const headerExtensions = router.headerExtensions?.filter((extension) => !UNOFFERED_HEADER_EXTENSIONS.has(extension.uri));
  return { ...router, headerExtensions };
}

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
