/**
 * The SDP that tells ffmpeg what RTP arrives where: one m-section per tapped track. Written with
 * sdp-transform, not by concatenating strings, so every line has the grammar ffmpeg expects.
 */
import sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import type { TapDestination, TappedTrack } from '../media/index.js';

const LOOPBACK = '127.0.0.1';

export function recorderSdp(tracks: TappedTrack[], destinations: Map<string, TapDestination>): string {
  const session: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: 0, sessionVersion: 0, netType: 'IN', ipVer: 4, address: LOOPBACK },
    name: 'Estrad recording',
    connection: { version: 4, ip: LOOPBACK },
    timing: { start: 0, stop: 0 },
    media: tracks.map((track) => trackMedia(track, destinationOf(track, destinations))),
  };
  return sdpTransform.write(session);
}

function destinationOf(track: TappedTrack, destinations: Map<string, TapDestination>): TapDestination {
  const destination = destinations.get(track.producerId);
  if (!destination) throw new Error(`No port chosen for the ${track.kind} track of producer ${track.producerId}`);
  return destination;
}

function trackMedia(track: TappedTrack, destination: TapDestination): MediaDescription {
  const codec = track.mimeType.split('/')[1] ?? track.mimeType;
  const fmtp = fmtpConfig(track.parameters);
  return {
    type: track.kind,
    port: destination.port,
    protocol: 'RTP/AVP',
    payloads: String(track.payloadType),
    rtp: [{ payload: track.payloadType, codec, rate: track.clockRate, ...(track.channels ? { encoding: track.channels } : {}) }],
    fmtp: fmtp ? [{ payload: track.payloadType, config: fmtp }] : [],
    rtcp: { port: destination.rtcpPort },
    ssrcs: [{ id: track.ssrc, attribute: 'cname', value: 'estrad-recorder' }],
    direction: 'recvonly',
  };
}

/** fmtp parameters as `key=value;key=value` (e.g. H.264's packetization-mode, which ffmpeg needs). */
function fmtpConfig(parameters: Record<string, string | number>): string {
  return Object.entries(parameters)
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
}
