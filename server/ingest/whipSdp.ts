/**
 * WHIP's SDP: an encoder's offer (OBS, a browser) read into what the stage's producers need, and
 * the answer built from the WebRTC transport the stage made for it. mediasoup is ice-lite, so the
 * answer carries all of its candidates and nothing is trickled.
 */
import { isSameProfile } from 'h264-profile-level-id';
import { type MediaAttributes, type MediaDescription, parse, parseParams, type SessionDescription, write } from 'sdp-transform';
import type { DtlsParametersJson, MediaKind, RtpCapabilitiesJson, RtpParametersJson, TransportOptions } from '../../shared/protocol.js';
import { AppError } from '../errors.js';

/** What the stage is given for one accepted media section of the offer. */
export interface OfferedTrack {
  mid: string;
  kind: MediaKind;
  rtpParameters: RtpParametersJson;
  /** The codec accepted, with the offer's fmtp parameters (H.264's profile-level-id). */
  codec: { mimeType: string; clockRate: number; parameters: Record<string, unknown> };
}

/** An offer read and matched against the router: what to connect, produce and answer. */
export interface WhipOffer {
  dtlsParameters: DtlsParametersJson;
  tracks: OfferedTrack[];
  /** For the answer: every media section of the offer, in order, with what was accepted of it. */
  sections: AnswerSection[];
}

interface AnswerSection {
  offered: MediaDescription;
  accepted: { kind: MediaKind; codec: RouterCodec; payloadType: number; extensions: { id: number; uri: string }[]; rids: string[] } | undefined;
}

interface RouterCodec {
  kind: MediaKind;
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
  rtcpFeedback?: { type: string; parameter?: string }[];
}

interface RouterHeaderExtension {
  kind: MediaKind;
  uri: string;
}

const MID_EXTENSION = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_EXTENSION = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
/** The biggest offer a WHIP client sends is a few kilobytes; the body limit bounds it anyway. */
const MAX_MEDIA_SECTIONS = 8;

/** Reads an offer; throws `invalid_payload` when it is not SDP, `media_rejected` when nothing in it can go on air. */
export function readWhipOffer(sdp: string, capabilities: RtpCapabilitiesJson): WhipOffer {
  const session = parseSession(sdp);
  const dtlsParameters = dtlsOf(session);
  // sdp-transform reads a lone number ("a=group:BUNDLE 0") as a number, not a string.
  const bundleGroup = session.groups?.find((group) => group.type === 'BUNDLE');
  const bundled = new Set(bundleGroup ? String(bundleGroup.mids).split(' ') : []);
  const taken = new Set<MediaKind>();
  const sections: AnswerSection[] = session.media.map((media) => {
    const accepted = acceptSection(media, capabilities, taken);
    if (accepted) taken.add(accepted.kind);
    return { offered: media, accepted };
  });
  const tracks = sections.flatMap(({ offered, accepted }) => (accepted ? [trackOf(session, offered, accepted)] : []));
  if (tracks.length === 0) {
    throw new AppError(
      'media_rejected',
      'The offer has no media this server takes: send H.264 (packetization-mode 1) or VP8 video and Opus audio, sendonly, over UDP/TLS/RTP/SAVPF.',
    );
  }
  if (tracks.length > 1 && tracks.some((track) => !bundled.has(track.mid))) {
    throw new AppError('media_rejected', 'The offer does not bundle its media sections (a=group:BUNDLE): this server takes all media on one transport.');
  }
  return { dtlsParameters, tracks, sections };
}

/** The answer: ice-lite, every candidate, DTLS passive (unless the offer insisted on being passive). */
export function writeWhipAnswer(offer: WhipOffer, transport: TransportOptions, sessionVersion: string): string {
  const fingerprint = preferredFingerprint(transport.dtlsParameters);
  const ice = transport.iceParameters as { usernameFragment: string; password: string };
  const candidates = transport.iceCandidates.map(toSdpCandidate);
  const setup = offer.dtlsParameters.role === 'server' ? 'active' : 'passive';
  const acceptedMids = offer.sections.filter((section) => section.accepted).map((section) => midOf(section.offered));
  const answer: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: sessionVersion, sessionVersion: 2, netType: 'IN', ipVer: 4, address: '127.0.0.1' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    fingerprint,
    groups: [{ type: 'BUNDLE', mids: acceptedMids.join(' ') }],
    msidSemantic: { semantic: 'WMS', token: '*' },
    media: offer.sections.map(({ offered, accepted }) => {
      const media: MediaDescription = {
        type: offered.type,
        port: accepted ? (candidates[0]?.port ?? 9) : 0,
        protocol: offered.protocol,
        payloads: accepted ? String(accepted.payloadType) : String(offered.payloads ?? ''),
        connection: { version: 4, ip: '0.0.0.0' },
        mid: midOf(offered),
        rtp: [],
        fmtp: [],
      };
      if (!accepted) return { ...media, direction: 'inactive' };
      const { codec, payloadType } = accepted;
      return {
        ...media,
        direction: 'recvonly',
        iceUfrag: ice.usernameFragment,
        icePwd: ice.password,
        candidates,
        endOfCandidates: 'end-of-candidates',
        setup,
        rtcpMux: 'rtcp-mux',
        ...(offered.rtcpRsize ? { rtcpRsize: 'rtcp-rsize' } : {}),
        rtp: [{ payload: payloadType, codec: codec.mimeType.split('/')[1]!, rate: codec.clockRate, ...(codec.channels ? { encoding: codec.channels } : {}) }],
        fmtp: offered.fmtp.filter((fmtp) => fmtp.payload === payloadType),
        rtcpFb: answeredFeedback(offered, accepted.payloadType, codec).map((feedback) => ({
          payload: payloadType,
          type: feedback.type,
          ...(feedback.parameter ? { subtype: feedback.parameter } : {}),
        })),
        ext: accepted.extensions.map((extension) => ({ value: extension.id, uri: extension.uri })),
        ...(accepted.rids.length > 0
          ? { rids: accepted.rids.map((rid) => ({ id: rid, direction: 'recv' })), simulcast: { dir1: 'recv', list1: accepted.rids.join(';') } }
          : {}),
      };
    }),
  };
  return write(answer);
}

function parseSession(sdp: string): SessionDescription & { media: MediaDescription[] } {
  if (!/^v=0\r?\n/.test(sdp))
    throw new AppError('invalid_payload', 'The body is not an SDP offer: it must start with "v=0" (send the offer as application/sdp).');
  let session: SessionDescription;
  try {
    session = parse(sdp);
  } catch (error) {
    throw new AppError('invalid_payload', `The SDP offer could not be read: ${(error as Error).message}`);
  }
  const media = session.media ?? [];
  if (media.length === 0) throw new AppError('invalid_payload', 'The SDP offer has no media section (m=): offer the audio and video to send.');
  if (media.length > MAX_MEDIA_SECTIONS)
    throw new AppError('invalid_payload', `The SDP offer has ${media.length} media sections; send at most ${MAX_MEDIA_SECTIONS}.`);
  for (const section of media) {
    if (!Array.isArray(section.rtp) || !Array.isArray(section.fmtp)) throw new AppError('invalid_payload', 'A media section of the SDP offer is malformed.');
  }
  return { ...session, media };
}

/** ICE and DTLS may be given per section or for the whole session; BUNDLE makes the first one count. */
function dtlsOf(session: SessionDescription & { media: MediaDescription[] }): DtlsParametersJson {
  const first = session.media[0]!;
  const fingerprint = first.fingerprint ?? session.fingerprint;
  const ufrag = first.iceUfrag ?? session.iceUfrag;
  const pwd = first.icePwd ?? session.icePwd;
  if (!fingerprint || !ufrag || !pwd) {
    throw new AppError('invalid_payload', 'The SDP offer lacks a=fingerprint, a=ice-ufrag or a=ice-pwd: it is not a WebRTC offer.');
  }
  const setup = first.setup ?? session.setup ?? 'actpass';
  // Our role is the opposite of theirs; mediasoup is told theirs.
  const role = setup === 'passive' ? 'server' : 'client';
  return { role, fingerprints: [{ algorithm: fingerprint.type.toLowerCase(), value: fingerprint.hash }] };
}

function acceptSection(media: MediaDescription, capabilities: RtpCapabilitiesJson, taken: Set<MediaKind>): AnswerSection['accepted'] {
  if (media.type !== 'audio' && media.type !== 'video') return undefined;
  const kind: MediaKind = media.type;
  // One program feed: a second section of a kind is declined.
  if (taken.has(kind) || media.port === 0) return undefined;
  if (media.direction !== undefined && media.direction !== 'sendonly' && media.direction !== 'sendrecv') return undefined;
  if (!/^UDP\/TLS\/RTP\/SAVPF$/i.test(media.protocol)) return undefined;
  if (!media.rtcpMux) {
    throw new AppError('media_rejected', `The ${kind} section of the offer lacks a=rtcp-mux, which this server requires.`);
  }
  const routerCodecs = ((capabilities.codecs ?? []) as unknown as RouterCodec[]).filter((codec) => codec.kind === kind);
  const match = chooseCodec(media, routerCodecs);
  if (!match) return undefined;
  const routerExtensions = (capabilities.headerExtensions ?? []) as unknown as RouterHeaderExtension[];
  const extensions = (media.ext ?? [])
    .filter((extension) => routerExtensions.some((candidate) => candidate.kind === kind && candidate.uri === extension.uri))
    .map((extension) => ({ id: extension.value, uri: extension.uri }));
  const rids = simulcastRids(media);
  if (rids.length > 0 && !extensions.some((extension) => extension.uri === RID_EXTENSION)) {
    throw new AppError('media_rejected', `The ${kind} section offers simulcast without the ${RID_EXTENSION} header extension, which tells its layers apart.`);
  }
  return { kind, ...match, extensions, rids };
}

/**
 * The first offered codec the router has, preferring H.264 for video (recorded without
 * re-encoding). An H.264 offer matches a router codec of the same profile and packetization mode;
 * the level is not compared (OBS always offers 42e01f, whatever its encoder is set to).
 */
function chooseCodec(media: MediaDescription, routerCodecs: RouterCodec[]): { codec: RouterCodec; payloadType: number } | undefined {
  const offered = media.rtp.map((rtp) => ({
    payloadType: rtp.payload,
    mimeType: `${media.type}/${rtp.codec}`.toLowerCase(),
    clockRate: rtp.rate,
    channels: rtp.encoding,
    parameters: fmtpOf(media, rtp.payload),
  }));
  const preference = (mimeType: string) => (mimeType === 'video/h264' ? 0 : 1);
  // Retransmission is not taken (NACKed packets are resent on the media SSRC): only media codecs.
  const ordered = offered.filter((candidate) => candidate.mimeType !== 'video/rtx').sort((a, b) => preference(a.mimeType) - preference(b.mimeType));
  for (const candidate of ordered) {
    const codec = routerCodecs.find(
      (routerCodec) =>
        routerCodec.mimeType.toLowerCase() === candidate.mimeType &&
        routerCodec.clockRate === candidate.clockRate &&
        (routerCodec.kind !== 'audio' || (candidate.channels ?? 1) === (routerCodec.channels ?? 1)) &&
        (candidate.mimeType !== 'video/h264' || sameH264(candidate.parameters, routerCodec.parameters ?? {})),
    );
    if (codec) return { codec, payloadType: candidate.payloadType };
  }
  return undefined;
}

function sameH264(offered: Record<string, string | number>, router: Record<string, unknown>): boolean {
  return Number(offered['packetization-mode'] ?? 0) === Number(router['packetization-mode'] ?? 0) && isSameProfile(offered, router);
}

function fmtpOf(media: MediaDescription, payloadType: number): Record<string, string | number> {
  const fmtp = media.fmtp.find((entry) => entry.payload === payloadType);
  return fmtp ? (parseParams(fmtp.config) as Record<string, string | number>) : {};
}

/** The rids of `a=simulcast:send`, lowest layer first (the attribute lists them by preference, best first). */
function simulcastRids(media: MediaDescription): string[] {
  const simulcast = media.simulcast;
  if (!simulcast) return [];
  const list = simulcast.dir1 === 'send' ? simulcast.list1 : simulcast.dir2 === 'send' ? simulcast.list2 : undefined;
  if (!list) return [];
  // Alternatives ("a,b") are not taken: the first of each is the layer; "~" marks a paused one.
  const rids = list.split(';').map((alternatives) => alternatives.split(',')[0]!.replace(/^~/, ''));
  const known = new Set((media.rids ?? []).filter((rid) => rid.direction === 'send').map((rid) => String(rid.id)));
  const sendable = rids.filter((rid) => known.has(rid));
  const width = (rid: string) => Number(/max-width=(\d+)/.exec(media.rids?.find((entry) => String(entry.id) === rid)?.params ?? '')?.[1] ?? NaN);
  if (sendable.every((rid) => Number.isFinite(width(rid)))) return sendable.sort((a, b) => width(a) - width(b));
  return sendable.reverse();
}

function trackOf(session: SessionDescription, media: MediaDescription, accepted: NonNullable<AnswerSection['accepted']>): OfferedTrack {
  const mid = midOf(media);
  const { codec, payloadType, extensions, rids } = accepted;
  if (!media.mid && !(media.ssrcs ?? []).length && rids.length === 0) {
    throw new AppError('invalid_payload', `The ${accepted.kind} section of the offer names neither a=mid nor a=ssrc, so its packets cannot be told apart.`);
  }
  if (rids.length === 0 && !(media.ssrcs ?? []).length && !extensions.some((extension) => extension.uri === MID_EXTENSION)) {
    throw new AppError('media_rejected', `The ${accepted.kind} section has no a=ssrc and no ${MID_EXTENSION} header extension: its packets cannot be matched.`);
  }
  const cname = media.ssrcs?.find((ssrc) => ssrc.attribute === 'cname')?.value;
  const parameters = fmtpOf(media, payloadType);
  const rtpParameters: RtpParametersJson = {
    mid,
    codecs: [
      {
        mimeType: codec.mimeType,
        payloadType,
        clockRate: codec.clockRate,
        ...(codec.channels ? { channels: codec.channels } : {}),
        parameters,
        rtcpFeedback: answeredFeedback(media, payloadType, codec),
      },
    ],
    headerExtensions: extensions,
    encodings: rids.length > 0 ? rids.map((rid) => ({ rid })) : [primarySsrc(media)],
    rtcp: { ...(cname ? { cname } : {}), reducedSize: Boolean(media.rtcpRsize ?? session.media[0]?.rtcpRsize), mux: true },
  };
  return { mid, kind: accepted.kind, rtpParameters, codec: { mimeType: codec.mimeType, clockRate: codec.clockRate, parameters } };
}

/** The media SSRC: the first of an FID group (the other is retransmission, not taken), else the first named. */
function primarySsrc(media: MediaDescription): { ssrc?: number } {
  const fid = media.ssrcGroups?.find((group) => group.semantics === 'FID');
  const ssrc = fid ? Number(fid.ssrcs.split(' ')[0]) : media.ssrcs?.[0]?.id;
  return ssrc === undefined || !Number.isFinite(Number(ssrc)) ? {} : { ssrc: Number(ssrc) };
}

/** RTCP feedback both sides have for the codec. */
function answeredFeedback(media: MediaAttributes, payloadType: number, codec: RouterCodec): { type: string; parameter: string }[] {
  const offered = (media.rtcpFb ?? []).filter((feedback) => String(feedback.payload) === String(payloadType) || feedback.payload === '*');
  return offered
    .filter((feedback) => (codec.rtcpFeedback ?? []).some((known) => known.type === feedback.type && (known.parameter ?? '') === (feedback.subtype ?? '')))
    .map((feedback) => ({ type: feedback.type, parameter: feedback.subtype ?? '' }));
}

function midOf(media: MediaDescription): string {
  return media.mid === undefined ? '' : String(media.mid);
}

function preferredFingerprint(dtls: DtlsParametersJson): { type: string; hash: string } {
  const chosen = dtls.fingerprints.find((fingerprint) => fingerprint.algorithm === 'sha-256') ?? dtls.fingerprints.at(-1)!;
  return { type: chosen.algorithm, hash: chosen.value };
}

/** An ICE candidate as mediasoup gives it (3.8 calls the address `ip`, later versions `address`). */
interface TransportCandidate {
  foundation: string;
  priority: number;
  ip?: string;
  address?: string;
  protocol: 'udp' | 'tcp';
  port: number;
  type: string;
  tcpType?: string;
}

function toSdpCandidate(entry: Record<string, unknown>): NonNullable<MediaAttributes['candidates']>[number] {
  const candidate = entry as unknown as TransportCandidate;
  return {
    foundation: candidate.foundation,
    component: 1,
    transport: candidate.protocol,
    priority: candidate.priority,
    ip: candidate.address ?? candidate.ip ?? '',
    port: candidate.port,
    type: candidate.type,
    ...(candidate.protocol === 'tcp' ? { tcptype: candidate.tcpType ?? 'passive' } : {}),
  };
}
