/**
 * The one place where the wire contract between server and clients lives: socket.io event
 * names, their payload schemas and types, the acknowledgement shape, and HTTP API payloads.
 *
 * The server validates every inbound payload with these schemas. Clients import only types
 * (`import type`), so zod never reaches the browser bundle.
 *
 * WebRTC parameter objects (RTP capabilities, RTP parameters, DTLS parameters) are produced and
 * deeply checked by mediasoup on both ends; here they are bounded JSON objects so that a malformed
 * or oversized payload is refused before it reaches the media layer.
 */
import { z } from 'zod';
import { freeText } from './freeText.js';
import { RECORD_ID_PATTERN, STAGE_ID_MAX_LENGTH, STAGE_ID_PATTERN } from './ids.js';

// ---------------------------------------------------------------------------------------------
// Shared vocabulary

/** A stage id doubles as its URL segment: /watch/<stageId>. */
export const stageIdSchema = z
  .string()
  .min(1)
  .max(STAGE_ID_MAX_LENGTH)
  .regex(STAGE_ID_PATTERN, 'use lowercase letters, digits and dashes, starting with a letter or digit');
export type StageId = z.infer<typeof stageIdSchema>;

export const recordIdSchema = z.string().regex(RECORD_ID_PATTERN, 'use 1 to 64 letters, digits, dashes and underscores');

const idSchema = z.string().min(1).max(64);

export const peerRoleSchema = z.enum(['viewer', 'speaker']);
export type PeerRole = z.infer<typeof peerRoleSchema>;

/** What a producer carries; viewers lay out the stage from this. */
export const mediaSourceSchema = z.enum(['camera', 'microphone', 'screen', 'screen-audio']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

export const mediaKindSchema = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKindSchema>;

/** Codecs a plain-RTP ingest (ffmpeg) can send. */
export const ingestCodecSchema = z.enum(['VP8', 'H264', 'opus']);
export type IngestCodec = z.infer<typeof ingestCodecSchema>;

/** How a production tool sends a stage's program feed to an ingest point. */
export const ingestProtocolSchema = z.enum(['srt', 'rtmp', 'whip']);
export type IngestProtocol = z.infer<typeof ingestProtocolSchema>;

/** An opaque JSON object with bounded size; mediasoup validates the inside. */
function boundedObject(maxKeys: number) {
  return z.record(z.string().max(64), z.unknown()).refine((value) => Object.keys(value).length <= maxKeys, `at most ${maxKeys} fields`);
}

const rtpCapabilitiesSchema = z.looseObject({
  codecs: z.array(boundedObject(16)).max(64).optional(),
  headerExtensions: z.array(boundedObject(16)).max(64).optional(),
});
export type RtpCapabilitiesJson = z.infer<typeof rtpCapabilitiesSchema>;

const rtpParametersSchema = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(boundedObject(16)).min(1).max(16),
  headerExtensions: z.array(boundedObject(16)).max(32).optional(),
  encodings: z.array(boundedObject(16)).max(8).optional(),
  rtcp: boundedObject(8).optional(),
});
export type RtpParametersJson = z.infer<typeof rtpParametersSchema>;

const dtlsParametersSchema = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.string().max(16), value: z.string().max(256) }))
    .min(1)
    .max(8),
});
export type DtlsParametersJson = z.infer<typeof dtlsParametersSchema>;

// ---------------------------------------------------------------------------------------------
// Acknowledgements

export const errorCodes = [
  'invalid_payload',
  'payload_too_large',
  'uri_too_long',
  'headers_too_large',
  'request_timeout',
  'unauthorized',
  'not_found',
  'not_joined',
  'forbidden',
  'conflict',
  'media_rejected',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };
export type AckCallback<T> = (response: Ack<T>) => void;

// ---------------------------------------------------------------------------------------------
// Payloads of client → server requests (each validated by its schema on the server)

export const requestSchemas = {
  'stage:join': z.object({ stageId: stageIdSchema, role: peerRoleSchema }),
  'stage:leave': z.object({}),
  'transport:create': z.object({
    direction: z.enum(['send', 'recv']),
    /** Clients whose UDP is blocked retry with TCP only. */
    forceTcp: z.boolean().optional(),
  }),
  'transport:connect': z.object({ transportId: idSchema, dtlsParameters: dtlsParametersSchema }),
  'producer:create': z.object({
    transportId: idSchema,
    kind: mediaKindSchema,
    source: mediaSourceSchema,
    rtpParameters: rtpParametersSchema,
  }),
  'producer:pause': z.object({ producerId: idSchema }),
  'producer:resume': z.object({ producerId: idSchema }),
  'producer:close': z.object({ producerId: idSchema }),
  'consumer:create': z.object({ producerId: idSchema, rtpCapabilities: rtpCapabilitiesSchema }),
  'consumer:pause': z.object({ consumerId: idSchema }),
  'consumer:resume': z.object({ consumerId: idSchema }),
  'consumer:setPreferredLayers': z.object({
    consumerId: idSchema,
    spatialLayer: z.number().int().min(0).max(3),
    temporalLayer: z.number().int().min(0).max(3).optional(),
  }),
  /** Plain-RTP ingest (the demo source, later RTMP/WHIP bridges); needs the stage's ingest key in the handshake. */
  'ingest:open': z.object({
    stageId: stageIdSchema,
    tracks: z
      .array(
        z.object({
          source: mediaSourceSchema,
          codec: ingestCodecSchema,
        }),
      )
      .min(1)
      .max(4),
  }),
} as const;

export type RequestName = keyof typeof requestSchemas;
export type RequestPayload<N extends RequestName> = z.infer<(typeof requestSchemas)[N]>;

// ---------------------------------------------------------------------------------------------
// Results of requests

export interface StageSummary {
  id: StageId;
  /** True while anything is on air. */
  live: boolean;
  viewers: number;
  speakers: number;
}

export interface ProducerInfo {
  producerId: string;
  kind: MediaKind;
  source: MediaSource;
  peerId: string;
  paused: boolean;
}

export interface TransportOptions {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: DtlsParametersJson;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: MediaKind;
  source: MediaSource;
  rtpParameters: RtpParametersJson;
  /** Consumers start paused; the client resumes once its track is attached. */
  paused: boolean;
}

export interface JoinResult {
  peerId: string;
  routerRtpCapabilities: RtpCapabilitiesJson;
  stage: StageSummary;
  /** What is on air now; later changes arrive as `producer:added` / `producer:removed`. */
  producers: ProducerInfo[];
}

export interface IngestTrackTarget {
  source: MediaSource;
  kind: MediaKind;
  codec: IngestCodec;
  /** Where to send RTP, and RTCP on its own port. */
  ip: string;
  port: number;
  rtcpPort: number;
  payloadType: number;
  ssrc: number;
  clockRate: number;
  channels?: number;
}

export interface RequestResults {
  'stage:join': JoinResult;
  'stage:leave': Record<string, never>;
  'transport:create': TransportOptions;
  'transport:connect': Record<string, never>;
  'producer:create': { producerId: string };
  'producer:pause': Record<string, never>;
  'producer:resume': Record<string, never>;
  'producer:close': Record<string, never>;
  'consumer:create': ConsumerOptions;
  'consumer:pause': Record<string, never>;
  'consumer:resume': Record<string, never>;
  'consumer:setPreferredLayers': Record<string, never>;
  'ingest:open': { tracks: IngestTrackTarget[] };
}

// ---------------------------------------------------------------------------------------------
// socket.io event maps

/** invite_revoked: the technicians revoked the invite this speaker joined with. */
export type PublishingEndedCode = 'invite_revoked';

export type ClientToServerEvents = {
  [N in RequestName]: (payload: RequestPayload<N>, ack: AckCallback<RequestResults[N]>) => void;
};

export interface ServerToClientEvents {
  'producer:added': (producer: ProducerInfo) => void;
  'producer:removed': (event: { producerId: string }) => void;
  'producer:paused': (event: { producerId: string; paused: boolean }) => void;
  'consumer:closed': (event: { consumerId: string; producerId: string }) => void;
  /** Live state and viewer count of the stage this socket joined, pushed at most once a second. */
  'stage:state': (stage: StageSummary) => void;
  /** The stage's media was rebuilt (a worker died or the stage restarted): join again. */
  'stage:reconnect': (event: { reason: string }) => void;
  /** This speaker was taken off air and out of the stage; `code` says why, for the page to translate. */
  'publishing:ended': (event: { code: PublishingEndedCode; message: string }) => void;
}

// ---------------------------------------------------------------------------------------------
// socket.io handshake: `io(url, { auth })`

/** Secrets are 32 random bytes in base64url; anything much longer is not one of ours. */
const tokenSchema = z
  .string()
  .min(16)
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, 'not a valid token');

export const socketAuthSchema = z
  .object({
    /** A speaker invite (from /speak/<stage>?invite=...). */
    invite: tokenSchema.optional(),
    /** A registration token (the personal link) or a viewer pass (from an access code). */
    access: tokenSchema.optional(),
    /** A stage's ingest key, for plain-RTP sources (`ingest:open`). */
    ingest: tokenSchema.optional(),
    /** A random id the browser keeps, so tabs and reconnects of one viewer count once. */
    viewerKey: z
      .string()
      .min(8)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
  })
  .strict();
export type SocketAuth = z.infer<typeof socketAuthSchema>;

// ---------------------------------------------------------------------------------------------
// HTTP API payloads

/** A technician's name, as created (ADMIN_USERNAME, npm run admin) and as typed to sign in. */
export const technicianUsernameSchema = freeText({ min: 1, max: 64 });

export const apiRequestSchemas = {
  login: z.strictObject({ username: technicianUsernameSchema, password: z.string().min(1).max(256) }),
  registration: z.strictObject({
    eventId: stageIdSchema,
    name: freeText({ min: 1, max: 200 }),
    email: z.email('expected an e-mail address').max(254),
  }),
  /** A technician asks for a new personal link for a registered address. */
  registrationLink: z.strictObject({ email: z.email('expected an e-mail address').max(254) }),
  access: z.strictObject({ code: freeText({ min: 1, max: 64 }) }),
  accessCode: z.strictObject({ code: freeText({ min: 4, max: 64 }).nullable() }),
  invite: z.strictObject({
    label: freeText({ max: 100 }).optional(),
    talkId: z.string().min(1).max(64).optional(),
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(48),
  }),
  ingestPoint: z.strictObject({
    protocol: ingestProtocolSchema,
    label: freeText({ max: 100 }).optional(),
  }),
  replayChanges: z
    .strictObject({
      title: freeText({ min: 1, max: 200 }).optional(),
      inAt: z.iso.datetime({ offset: true }).optional(),
      outAt: z.iso.datetime({ offset: true }).optional(),
    })
    .refine((changes) => Object.keys(changes).length > 0, 'change at least one of title, inAt, outAt'),
  question: z.strictObject({
    text: freeText({ min: 1, max: 1000, multiline: true }),
    authorName: freeText({ min: 1, max: 100 }).optional(),
    talkId: z.string().min(1).max(64).optional(),
  }),
} as const;

/** What a client sends to an API route, before the server's defaults and transforms. */
export type ApiRequest<N extends keyof typeof apiRequestSchemas> = z.input<(typeof apiRequestSchemas)[N]>;

export type RecordingStatus = 'recording' | 'complete' | 'interrupted' | 'failed';

export interface RecordingInfo {
  id: string;
  stage: string;
  status: RecordingStatus;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number;
  sizeBytes: number;
  /** Why a failed or interrupted recording stopped. */
  failureReason: string | null;
  /** What of the recording was found gone or changed on disk (segments deleted, overwritten, its folder removed); null while intact. */
  damage: string | null;
  /** HLS: an EVENT playlist while recording (live HLS), VOD once it stops. */
  playlistUrl: string;
}

export interface ReplayInfo {
  id: string;
  talkId: string;
  recordingId: string;
  stage: string;
  title: string;
  speakers: { name: string; organisation: string }[];
  inAt: string;
  outAt: string;
  durationSeconds: number;
  playlistUrl: string;
  /** One MP4 file, remuxed from the segments without re-encoding. */
  downloadUrl: string;
  /** A JPEG frame of the replay (taken on first request); answers 404 when the recording has none to give. */
  posterUrl: string;
}

/** A replay as the archive lists it: with its event, stage title and the talk's description. */
export interface ArchiveEntry extends ReplayInfo {
  eventId: string;
  stageTitle: string;
  description: string;
}

/** A talk within what a player plays: where it starts, in seconds from the start of the played media. */
export interface ReplayChapter {
  replayId: string;
  talkId: string;
  title: string;
  startSeconds: number;
}

/** GET /api/replays/:id/chapters and /api/recordings/:id/chapters. */
export interface ChaptersResponse {
  chapters: ReplayChapter[];
}

/** GET /api/archive?q=&event=&stage=: replays by talk, newest first. */
export interface ArchiveResponse {
  replays: ArchiveEntry[];
}

export interface ApiErrorResponse {
  error: ApiError;
}

export interface TechnicianResponse {
  technician: { id: string; username: string };
}

export interface RegistrationResponse {
  registrationId: string;
  /**
   * The personal link, shown once: keep it, it is the way in to a private event. An address that
   * was registered before gets an answer of the same shape whose link opens nothing (the owner's
   * link is unchanged); the technicians can issue the owner a new one.
   */
  watchUrl: string;
  token: string;
}

export interface AccessResponse {
  /** A viewer pass for the event; send it as `access` in the socket handshake. */
  pass: string;
  expiresAt: string;
}

/** GET /api/stages/:stageId/ingest-key (technicians): what a plain-RTP source sends as `ingest`. */
export interface IngestKeyResponse {
  stageId: string;
  ingestKey: string;
}

/**
 * An ingest point as technicians see it (with its secret, to paste into the encoder). SRT: `url`
 * is the caller URL with stream id and passphrase; RTMP: `url` is the server URL, `secret` the
 * stream key; WHIP: `url` is the endpoint, `secret` the bearer token.
 */
export interface IngestPointInfo {
  id: string;
  stageId: string;
  protocol: IngestProtocol;
  label: string;
  port: number | null;
  url: string;
  secret: string;
  /** SRT only: the stream id the encoder sends (also in `url`). */
  streamId: string | null;
  /** What the connected encoder sends, from its first seconds; null while none is connected. */
  preflight: IngestPreflight | null;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

export interface IngestPreflightWarning {
  code: 'video_codec' | 'b_frames' | 'keyframe_interval' | 'bitrate';
  message: string;
}

/** The pre-flight check of an ingest's video, measured over its first seconds. */
export interface IngestPreflight {
  codec: string;
  /** The H.264 profile, e.g. "Main"; null when ffmpeg did not name one. */
  profile: string | null;
  width: number;
  height: number;
  frameRate: number;
  bFrames: boolean;
  /** The longest gap between keyframes seen; null with fewer than two keyframes. */
  keyframeIntervalSeconds: number | null;
  bitrateKbps: number;
  measuredSeconds: number;
  warnings: IngestPreflightWarning[];
}

export interface InviteResponse {
  id: string;
  stageId: string;
  talkId: string | null;
  label: string;
  expiresAt: string;
  token: string;
  speakUrl: string;
}

/** An invite as technicians see it afterwards: its token is not stored, so never shown again. */
export interface InviteInfo extends Omit<InviteResponse, 'token' | 'speakUrl'> {
  revokedAt: string | null;
  createdAt: string;
}

export interface EventSummary {
  id: string;
  title: string;
  description: string;
  timeZone: string;
  language: string;
  visibility: 'public' | 'private';
  hasAccessCode: boolean;
  stages: { id: string; title: string }[];
}

export interface EventsResponse {
  events: EventSummary[];
}

export interface ProgrammeTalk {
  id: string;
  title: string;
  description: string;
  kind: 'talk' | 'panel' | 'break';
  plannedStart: string;
  plannedEnd: string;
  speakers: { name: string; organisation: string }[];
}

/** The public programme: the event with its stages, each with its talks in order. */
export interface EventProgrammeResponse extends Omit<EventSummary, 'stages'> {
  stages: { id: string; title: string; talks: ProgrammeTalk[] }[];
}

export interface StageListing extends StageSummary {
  title: string;
  eventId: string;
}

export interface StagesResponse {
  stages: StageListing[];
}

export interface HealthResponse {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  mediasoup: { workersAlive: number; workersConfigured: number };
  /** The database's files: not ok when its write-ahead log vanished while running. */
  storage: { ok: boolean; problem?: string };
}
