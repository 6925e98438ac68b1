/**
 * Translation between the server's mediasoup parameters and SDP for a receive-only WebRTC peer
 * (node-datachannel speaks only SDP). The server is the offerer: one BUNDLEd offer with an
 * m-section per consumer; the viewer's answer only matters for its DTLS fingerprint and role.
 * The sections say sendrecv, not sendonly, because libdatachannel lets a receive-only track send
 * nothing but its own RTCP, and the viewer sends congestion-control feedback itself; mediasoup
 * never sees this SDP, only the DTLS parameters taken from it.
 *
 * Written with sdp-transform rather than by string concatenation so that every attribute has the
 * grammar the parsers on the other side expect.
 */
import sdpTransform from 'sdp-transform';
import type { MediaAttributes, MediaDescription, SessionDescription } from 'sdp-transform';
import type { ConsumerOptions, DtlsParametersJson, TransportOptions } from '../../shared/protocol.js';

// The protocol carries mediasoup objects as bounded JSON; these are the parts an SDP needs.

interface CodecJson {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, string | number>;
  rtcpFeedback?: { type: string; parameter?: string }[];
}

interface HeaderExtensionJson {
  uri: string;
  id: number;
}

interface EncodingJson {
  ssrc?: number;
  rtx?: { ssrc: number };
}

interface IceCandidateJson {
  foundation: string;
  priority: number;
  ip: string;
  protocol: 'udp' | 'tcp';
  port: number;
  type: string;
  tcpType?: string;
}

interface IceParametersJson {
  usernameFragment: string;
  password: string;
}

/** What one consumer looks like on the wire, reduced to what goes into its m-section. */
export interface ConsumerMedia {
  mid: string;
  kind: 'audio' | 'video';
  codecs: CodecJson[];
  headerExtensions: HeaderExtensionJson[];
  ssrc: number;
  rtxSsrc: number | undefined;
  cname: string;
  /** Payload types of the media itself (not RTX): only these carry the sequence numbers of the stream. */
  mediaPayloadTypes: number[];
}

/** The hash both ends certainly implement; the server offers several. */
const PREFERRED_FINGERPRINT_ALGORITHM = 'sha-256';
/** Port placeholder for m-lines; the real addresses come from the candidates (as in browsers). */
const DISCARD_PORT = 7;

export function consumerMedia(consumer: ConsumerOptions): ConsumerMedia {
  const { rtpParameters } = consumer;
  const codecs = rtpParameters.codecs as unknown as CodecJson[];
  const encoding = (rtpParameters.encodings?.[0] ?? {}) as EncodingJson;
  const cname = (rtpParameters.rtcp as { cname?: string } | undefined)?.cname;
  if (rtpParameters.mid === undefined || encoding.ssrc === undefined || cname === undefined) {
    throw new Error(`consumer ${consumer.id} lacks a mid, an SSRC or a CNAME; cannot describe it in SDP`);
  }
  return {
    mid: rtpParameters.mid,
    kind: consumer.kind,
    codecs,
    headerExtensions: (rtpParameters.headerExtensions ?? []) as unknown as HeaderExtensionJson[],
    ssrc: encoding.ssrc,
    rtxSsrc: encoding.rtx?.ssrc,
    cname,
    mediaPayloadTypes: codecs.filter((codec) => !isRtx(codec)).map((codec) => codec.payloadType),
  };
}

/** mediasoup sends its bandwidth probes (RTP padding) on this SSRC of every consumer transport. */
const PROBATOR_SSRC = 1234;

/**
 * An m-section for mediasoup's probe packets, as mediasoup-client adds one: without it the probes
 * have no track to arrive on and are never acknowledged in congestion-control feedback.
 */
export function probatorMedia(video: ConsumerMedia): ConsumerMedia {
  return { ...video, mid: 'probator', ssrc: PROBATOR_SSRC, rtxSsrc: undefined, cname: 'probator' };
}

/** The server's side of the session as an SDP offer: ICE-lite, DTLS actpass, one BUNDLE. */
export function buildRemoteOffer(transport: TransportOptions, consumers: ConsumerMedia[], sessionId: number): string {
  if (consumers.length === 0) throw new Error('an offer needs at least one consumer');
  const session: SessionDescription = {
    version: 0,
    origin: { username: 'estrad', sessionId, sessionVersion: 1, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    groups: [{ type: 'BUNDLE', mids: consumers.map((consumer) => consumer.mid).join(' ') }],
    msidSemantic: { semantic: 'WMS', token: '*' },
    media: consumers.map((consumer) => mediaSection(transport, consumer)),
  };
  return sdpTransform.write(session);
}

function mediaSection(transport: TransportOptions, consumer: ConsumerMedia): MediaDescription {
  const iceParameters = transport.iceParameters as unknown as IceParametersJson;
  const fingerprint = preferredFingerprint(transport.dtlsParameters);
  return {
    type: consumer.kind,
    port: DISCARD_PORT,
    protocol: 'UDP/TLS/RTP/SAVPF',
    payloads: consumer.codecs.map((codec) => codec.payloadType).join(' '),
    connection: { version: 4, ip: '127.0.0.1' },
    mid: consumer.mid,
    direction: 'sendrecv',
    iceUfrag: iceParameters.usernameFragment,
    icePwd: iceParameters.password,
    fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
    // The server (mediasoup's DTLS role 'auto') can take either role; the viewer picks.
    setup: 'actpass',
    candidates: udpCandidates(transport),
    endOfCandidates: 'end-of-candidates',
    rtcpMux: 'rtcp-mux',
    rtcpRsize: 'rtcp-rsize',
    ...codecAttributes(consumer.codecs),
    ext: consumer.headerExtensions.map((extension) => ({ value: extension.id, uri: extension.uri })),
    ...ssrcAttributes(consumer),
  };
}

/** rtpmap, fmtp and rtcp-fb lines for every codec of the consumer, RTX included. */
function codecAttributes(codecs: CodecJson[]): Pick<MediaAttributes, 'rtp' | 'fmtp' | 'rtcpFb'> {
  const rtp: MediaAttributes['rtp'] = [];
  const fmtp: MediaAttributes['fmtp'] = [];
  const rtcpFb: NonNullable<MediaAttributes['rtcpFb']> = [];
  for (const codec of codecs) {
    const [, name = codec.mimeType] = codec.mimeType.split('/');
    rtp.push({
      payload: codec.payloadType,
      codec: name,
      rate: codec.clockRate,
      ...(codec.channels !== undefined && codec.channels > 1 ? { encoding: codec.channels } : {}),
    });
    const config = Object.entries(codec.parameters ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(';');
    if (config) fmtp.push({ payload: codec.payloadType, config });
    for (const feedback of codec.rtcpFeedback ?? []) {
      rtcpFb.push({
        payload: codec.payloadType,
        type: feedback.type,
        ...(feedback.parameter ? { subtype: feedback.parameter } : {}),
      });
    }
  }
  return { rtp, fmtp, rtcpFb };
}

/**
 * SSRC lines are what lets the receiver route each packet of the BUNDLE to its track; the FID
 * group ties the retransmission SSRC to the media SSRC.
 */
function ssrcAttributes(consumer: ConsumerMedia): Pick<MediaAttributes, 'ssrcs' | 'ssrcGroups' | 'msid'> {
  const streamId = `estrad-${consumer.cname}`;
  const trackId = `${consumer.kind}-${consumer.mid}`;
  const ssrcList = consumer.rtxSsrc === undefined ? [consumer.ssrc] : [consumer.ssrc, consumer.rtxSsrc];
  return {
    msid: [{ id: streamId, appdata: trackId }],
    ssrcs: ssrcList.flatMap((id) => [
      { id, attribute: 'cname', value: consumer.cname },
      { id, attribute: 'msid', value: `${streamId} ${trackId}` },
    ]),
    ...(consumer.rtxSsrc === undefined ? {} : { ssrcGroups: [{ semantics: 'FID', ssrcs: `${consumer.ssrc} ${consumer.rtxSsrc}` }] }),
  };
}

/** libjuice does ICE over UDP only; TCP candidates would just be pairs that never work. */
function udpCandidates(transport: TransportOptions): NonNullable<MediaAttributes['candidates']> {
  return (transport.iceCandidates as unknown as IceCandidateJson[])
    .filter((candidate) => candidate.protocol === 'udp')
    .map((candidate) => ({
      foundation: candidate.foundation,
      component: 1,
      transport: candidate.protocol,
      priority: candidate.priority,
      ip: candidate.ip,
      port: candidate.port,
      type: candidate.type,
    }));
}

function preferredFingerprint(dtls: DtlsParametersJson): { algorithm: string; value: string } {
  const fingerprint = dtls.fingerprints.find((candidate) => candidate.algorithm === PREFERRED_FINGERPRINT_ALGORITHM) ?? dtls.fingerprints[0];
  if (!fingerprint) throw new Error('the server sent no DTLS fingerprint');
  return fingerprint;
}

/**
 * The viewer's DTLS parameters for transport:connect, read from its SDP answer. Its setup role
 * decides the server's: 'active' means the viewer opens the DTLS handshake, i.e. is the client.
 */
export function dtlsParametersFromAnswer(answerSdp: string): DtlsParametersJson {
  const answer = sdpTransform.parse(answerSdp);
  const firstMedia = answer.media[0];
  const fingerprint = firstMedia?.fingerprint ?? answer.fingerprint;
  const setup = firstMedia?.setup ?? answer.setup;
  if (!fingerprint) throw new Error('the SDP answer has no DTLS fingerprint');
  return {
    role: setup === 'passive' ? 'server' : 'client',
    fingerprints: [{ algorithm: fingerprint.type, value: fingerprint.hash }],
  };
}

function isRtx(codec: CodecJson): boolean {
  return codec.mimeType.toLowerCase().endsWith('/rtx');
}
