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
import { type ChatBoard, type ChatMessage, chatSendSchema, type ModeratorChatBoard } from './chat.js';
import { freeText } from './freeText.js';
import type { Alert, HealthSnapshot } from './health.js';
import { recordIdSchema } from './idSchemas.js';
import {
  askQuestionSchema,
  type AttendeeQuestions,
  groupSizeSchema,
  type ModeratorQuestionBoard,
  pollBallotSchema,
  type PollBoard,
  type PublicQuestion,
  type PublicQuestionBoard,
  voteSchema,
} from './questions.js';
import { STAGE_ID_MAX_LENGTH, STAGE_ID_PATTERN } from './ids.js';
import type { RecordingControl, StageOnAir } from './programmeControl.js';

// ---------------------------------------------------------------------------------------------
// Shared vocabulary

/** A stage id doubles as its URL segment: /watch/<stageId>. */
export const stageIdSchema = z
  .string()
  .min(1)
  .max(STAGE_ID_MAX_LENGTH)
  .regex(STAGE_ID_PATTERN, 'use lowercase letters, digits and dashes, starting with a letter or digit');
export type StageId = z.infer<typeof stageIdSchema>;

export { recordIdSchema };

const idSchema = z.string().min(1).max(64);

/** What an invite link opens: going on air on its stage, or moderating its audience (questions, polls). */
export const inviteRoleSchema = z.enum(['speaker', 'moderator']);
export type InviteRole = z.infer<typeof inviteRoleSchema>;
/** `monitor`: a technician in the control room, who sees and hears speakers backstage too. */
export const peerRoleSchema = z.enum(['viewer', 'speaker', 'monitor']);
export type PeerRole = z.infer<typeof peerRoleSchema>;

/**
 * What a producer carries; viewers lay out the stage from this. `slate` is the stage's own slate
 * (server/slate/): an image and silence shown instead of black; nobody publishes it.
 */
export const mediaSourceSchema = z.enum(['camera', 'microphone', 'screen', 'screen-audio', 'slate']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;
/** What publishers may send: anything but the slate, which only the server makes. */
export const publishedSourceSchema = mediaSourceSchema.exclude(['slate']);
export type PublishedSource = z.infer<typeof publishedSourceSchema>;

export const mediaKindSchema = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKindSchema>;

/** Codecs a plain-RTP ingest (ffmpeg) can send. */
export const ingestCodecSchema = z.enum(['VP8', 'H264', 'opus']);
export type IngestCodec = z.infer<typeof ingestCodecSchema>;

/** How a production tool sends a stage's program feed to an ingest point. */
export const ingestProtocolSchema = z.enum(['srt', 'rtmp', 'whip']);
export type IngestProtocol = z.infer<typeof ingestProtocolSchema>;

/** A stage's main feed is on air while it sends media; its backup takes over when none does. */
export const ingestFeedRoleSchema = z.enum(['main', 'backup']);
export type IngestFeedRole = z.infer<typeof ingestFeedRoleSchema>;
/** A technician's choice of feed: one pinned on air, or `auto` (the backup takes over by itself). */
export const stageFeedChoiceSchema = z.enum(['main', 'backup', 'auto']);
export type StageFeedChoice = z.infer<typeof stageFeedChoiceSchema>;

/** Which of a stage's feeds is on air, the technician's choice, and its switches so far. */
export const stageFeedStateSchema = z.object({
  onAir: ingestFeedRoleSchema,
  choice: stageFeedChoiceSchema,
  /** Switches so far, by the role switched to. */
  switches: z.object({ main: z.number().int(), backup: z.number().int() }),
  /** The latest switch, the alert the control room shows. */
  lastSwitch: z.object({ at: z.string(), from: ingestFeedRoleSchema, to: ingestFeedRoleSchema, reason: z.string() }).nullable(),
});
export type StageFeedState = z.infer<typeof stageFeedStateSchema>;

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
  'unsupported_media_type',
  'method_not_allowed',
  'uri_too_long',
  'headers_too_large',
  'request_timeout',
  'unauthorized',
  'not_found',
  'not_joined',
  'forbidden',
  /** A speaker invite past its end, revoked by the technicians, not one this server issued (or damaged), or for another stage. */
  'invite_expired',
  'invite_revoked',
  'invite_invalid',
  'invite_wrong_stage',
  /** A chat message refused because the stage's chat is off, or because a moderator muted its author for a while. */
  'chat_off',
  'chat_muted',
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
  'stage:join': z.object({
    stageId: stageIdSchema,
    role: peerRoleSchema,
    /**
     * Also create the peer's transport (receive for viewers, send for speakers) and answer it with
     * the join: one round trip less before the first picture.
     */
    transport: z.object({ forceTcp: z.boolean().optional() }).optional(),
  }),
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
    source: publishedSourceSchema,
    rtpParameters: rtpParametersSchema,
  }),
  'producer:pause': z.object({ producerId: idSchema }),
  'producer:resume': z.object({ producerId: idSchema }),
  'producer:close': z.object({ producerId: idSchema }),
  'consumer:create': z.object({
    producerId: idSchema,
    rtpCapabilities: rtpCapabilitiesSchema,
    /** Start sending at once (the consumer is resumed and a keyframe asked for), sparing the consumer:resume. */
    flowing: z.boolean().optional(),
    /** For simulcast: the layer to start at (the highest the producer has, when larger). */
    spatialLayer: z.number().int().min(0).max(3).optional(),
  }),
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
          source: publishedSourceSchema,
          codec: ingestCodecSchema,
        }),
      )
      .min(1)
      .max(4),
  }),
  /** The joined stage's questions as attendees see them, and this attendee's own (votes, questions, group). */
  'questions:list': z.object({}),
  'questions:ask': askQuestionSchema,
  'questions:vote': voteSchema,
  'questions:group': groupSizeSchema,
  /** A moderator (technician or moderator invite) follows a stage's moderation: every question and poll, pushed as they change. */
  'questions:moderate': z.object({ stageId: stageIdSchema }),
  /** The joined stage's polls with live results, and the options this attendee picked. */
  'polls:list': z.object({}),
  'polls:vote': pollBallotSchema,
  /** A technician's control room follows every stage's health and the alerts (pushed as `health:snapshot`, `alerts:alert`). */
  'health:follow': z.object({}),
  /** The joined stage's chat: its settings and latest messages (off until a moderator turns it on). */
  'chat:list': z.object({}),
  'chat:send': chatSendSchema,
} as const;

export type RequestName = keyof typeof requestSchemas;
export type RequestPayload<N extends RequestName> = z.infer<(typeof requestSchemas)[N]>;

// ---------------------------------------------------------------------------------------------
// Results of requests

export const stageSummarySchema = z.object({
  id: stageIdSchema,
  /** True while anything is on air. */
  live: z.boolean(),
  viewers: z.number(),
  speakers: z.number(),
});
export type StageSummary = z.infer<typeof stageSummarySchema>;

export const producerInfoSchema = z.object({
  producerId: z.string(),
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  peerId: z.string(),
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof producerInfoSchema>;

/**
 * Where an invited speaker is: `backstage` (the green room: technicians see and hear them, viewers
 * and the recording do not) or `on-air`. Speakers arrive backstage; a technician takes them to air.
 */
export const speakerPlacementSchema = z.enum(['on-air', 'backstage']);
export type SpeakerPlacement = z.infer<typeof speakerPlacementSchema>;

/** An invited speaker of a stage, as the control room sees them: by their invite, with what they publish. */
export const stageSpeakerSchema = z.object({
  inviteId: z.string(),
  /** The invite's label, e.g. "Anna Berg (keynote)". */
  label: z.string(),
  placement: speakerPlacementSchema,
  /** False while nobody is connected with the invite (a placement on air then waits for them). */
  connected: z.boolean(),
  /** What they publish now, backstage or on air. */
  producers: z.array(producerInfoSchema),
});
export type StageSpeaker = z.infer<typeof stageSpeakerSchema>;

/**
 * What viewers and the recording get besides every open microphone on air: the main video and an
 * optional inset (picture in picture), by producer id. A null main is Estrad's own choice: the
 * screen share, else the newest camera. A feed that leaves the air leaves the program.
 */
export const programSchema = z.object({
  main: z.string().nullable(),
  inset: z.string().nullable(),
  /**
   * While the stage's slate is shown instead (put up by a technician, no running video on air, or
   * the main feed lost): the slate's video, which viewers show in place of main and inset.
   */
  slate: z.string().optional(),
});
export type Program = z.infer<typeof programSchema>;

export const stageProgramResponseSchema = z.object({ stageId: z.string(), program: programSchema });
export type StageProgramResponse = z.infer<typeof stageProgramResponseSchema>;

export const stageSpeakersResponseSchema = z.object({ stageId: z.string(), speakers: z.array(stageSpeakerSchema) });
export type StageSpeakersResponse = z.infer<typeof stageSpeakersResponseSchema>;

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
  /** Consumers start paused unless asked to flow; a paused one is resumed with consumer:resume. */
  paused: boolean;
}

export interface JoinResult {
  peerId: string;
  routerRtpCapabilities: RtpCapabilitiesJson;
  stage: StageSummary;
  /** What is on air now; later changes arrive as `producer:added` / `producer:removed`. */
  producers: ProducerInfo[];
  /** The transport, when the join asked for one. */
  transport?: TransportOptions;
  /** The main and inset video viewers show; later changes arrive as `program:changed`. */
  program: Program;
  /** A speaker's: whether they are on air or backstage now; later changes arrive as `speaker:placement`. */
  placement?: SpeakerPlacement;
  /** A monitor's: the stage's invited speakers, backstage or on air; later changes arrive as `speakers:changed`. */
  speakers?: StageSpeaker[];
  /** A backstage speaker's and a monitor's: the control room's microphones talking to backstage; later changes arrive as `talkback:changed`. */
  talkback?: TalkbackProducer[];
}

/**
 * A technician's microphone talking to backstage (talk-back): heard by the speakers backstage and
 * the other technicians monitoring the stage, never by viewers, never recorded, never on air.
 */
export interface TalkbackProducer {
  producerId: string;
  /** The monitor peer talking: a technician does not consume their own voice. */
  peerId: string;
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
  'questions:list': { board: PublicQuestionBoard; mine: AttendeeQuestions };
  'questions:ask': PublicQuestion;
  'questions:vote': Record<string, never>;
  'questions:group': { groupSize: number };
  'questions:moderate': ModeratorQuestionBoard;
  'polls:list': { board: PollBoard; ballots: Record<string, number[]> };
  'polls:vote': Record<string, never>;
  /** The health now and the alerts not yet acknowledged; what changes afterwards is pushed. */
  'health:follow': { snapshot: HealthSnapshot; alerts: Alert[] };
  'chat:list': ChatBoard;
  /** The message as sent: `held` when the stage's word filter keeps it for a moderator. */
  'chat:send': ChatMessage;
}

// ---------------------------------------------------------------------------------------------
// socket.io event maps

/** invite_revoked: the technicians revoked the invite this speaker (or moderator) came with. */
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
  /** A technician took a new program (main and inset video). */
  'program:changed': (program: Program) => void;
  /** A technician put this speaker on air or took them backstage. */
  'speaker:placement': (event: { placement: SpeakerPlacement }) => void;
  /** For monitors: the stage's invited speakers changed (one arrived, left, published, went on air or off). */
  'speakers:changed': (event: { stageId: string; speakers: StageSpeaker[] }) => void;
  /** For backstage speakers and monitors: the control room's talk-back microphones now (none for a speaker on air). */
  'talkback:changed': (event: { producers: TalkbackProducer[] }) => void;
  /** This speaker was taken off air and out of the stage; `code` says why, for the page to translate. */
  'publishing:ended': (event: { code: PublishingEndedCode; message: string }) => void;
  /** The joined stage's questions changed (coalesced: at most a few pushes a second). */
  'questions:board': (board: PublicQuestionBoard) => void;
  /** This attendee's own questions or votes changed. */
  'questions:mine': (mine: AttendeeQuestions) => void;
  /** For moderators following a stage's moderation. */
  'questions:moderation': (board: ModeratorQuestionBoard) => void;
  /** This moderator's invite was revoked: no more moderation pushes, and their actions are refused. */
  'moderation:ended': (event: { code: PublishingEndedCode; message: string }) => void;
  /** The joined stage's polls or their results changed. */
  'polls:board': (board: PollBoard) => void;
  /** The talk on air on the joined stage (and, to control rooms following health, on every stage) and the next one: sent on joining, and when the control room changes it. */
  'programme:onAir': (onAir: StageOnAir) => void;
  /** To control rooms following health: every stage, feed, worker and the disk, every second. */
  'health:snapshot': (snapshot: HealthSnapshot) => void;
  /** To control rooms following health: an alert raised, cleared by itself or acknowledged. */
  'alerts:alert': (alert: Alert) => void;
  /** To control rooms following health: a stage's recording was switched on or off, or got a chapter marker. */
  'recording:control': (state: RecordingControl) => void;
  /** The joined stage's chat changed: settings, a message sent, deleted or released. */
  'chat:board': (board: ChatBoard) => void;
  /** For moderators following a stage: its chat with held and deleted messages. */
  'chat:moderation': (board: ModeratorChatBoard) => void;
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

/** A technician's new password (ADMIN_PASSWORD, the admin CLI, a reset in the control room). */
export const technicianPasswordSchema = z.string().min(12, 'use at least 12 characters').max(256);

/** How long an invite link works: two days unless said, at most sixty. */
const inviteLifetimeHours = z
  .number()
  .int()
  .min(1)
  .max(24 * 60)
  .default(48);

export const apiRequestSchemas = {
  login: z.strictObject({ username: technicianUsernameSchema, password: z.string().min(1).max(256) }),
  newTechnician: z.strictObject({ username: technicianUsernameSchema, password: technicianPasswordSchema }),
  technicianChanges: z.strictObject({ disabled: z.boolean() }),
  passwordReset: z.strictObject({ password: technicianPasswordSchema }),
  stageChanges: z.strictObject({ title: freeText({ min: 1, max: 200 }) }),
  /** Hours a finished recording of the stage is kept; null keeps them all. */
  retention: z.strictObject({ hours: z.number().int().min(1).max(87_600).nullable() }),
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
    expiresInHours: inviteLifetimeHours,
  }),
  /** A moderator for the stage's questions and polls (a panel host), without a technician's account. */
  moderatorInvite: z.strictObject({
    label: freeText({ max: 100 }).optional(),
    expiresInHours: inviteLifetimeHours,
  }),
  ingestPoint: z.strictObject({
    protocol: ingestProtocolSchema,
    label: freeText({ max: 100 }).optional(),
    role: ingestFeedRoleSchema.optional(),
  }),
  /** A new label or role (main/backup) for an ingest point; an encoder sending to it stays connected. */
  ingestPointChanges: z
    .strictObject({ label: freeText({ max: 100 }).optional(), role: ingestFeedRoleSchema.optional() })
    .refine((changes) => Object.keys(changes).length > 0, 'change at least one of label, role'),
  /** A technician's Take: the program's main and inset video, from what is on air (null main: Estrad chooses). */
  program: z
    .strictObject({ main: idSchema.nullable(), inset: idSchema.nullable() })
    .refine((program) => program.inset === null || program.inset !== program.main, {
      message: 'the inset must be another video than the main one',
      path: ['inset'],
    }),
  /** A technician takes an invited speaker to air, or back to the green room. */
  speakerPlacement: z.strictObject({ placement: speakerPlacementSchema }),
  /** A technician's choice of feed for a stage; `auto` lets the backup take over by itself again. */
  stageFeed: z.strictObject({ use: stageFeedChoiceSchema }),
  replayChanges: z
    .strictObject({
      title: freeText({ min: 1, max: 200 }).optional(),
      inAt: z.iso.datetime({ offset: true }).optional(),
      outAt: z.iso.datetime({ offset: true }).optional(),
    })
    .refine((changes) => Object.keys(changes).length > 0, 'change at least one of title, inAt, outAt'),
  question: askQuestionSchema,
} as const;

/** What a client sends to an API route, before the server's defaults and transforms. */
export type ApiRequest<N extends keyof typeof apiRequestSchemas> = z.input<(typeof apiRequestSchemas)[N]>;

// ---------------------------------------------------------------------------------------------
// HTTP API answers: the routes' response schemas (and so the OpenAPI document), and the types
// clients read them as.

const isoTime = z.string().describe('An ISO-8601 time in UTC');

export const recordingStatusSchema = z.enum(['recording', 'complete', 'interrupted', 'failed']);
export type RecordingStatus = z.infer<typeof recordingStatusSchema>;

export const recordingInfoSchema = z.object({
  id: z.string(),
  stage: z.string(),
  status: recordingStatusSchema,
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  durationSeconds: z.number(),
  sizeBytes: z.number(),
  /** Why a failed or interrupted recording stopped. */
  failureReason: z.string().nullable(),
  /** What of the recording was found gone or changed on disk (segments deleted, overwritten, its folder removed); null while intact. */
  damage: z.string().nullable(),
  /** HLS: an EVENT playlist while recording (live HLS), VOD once it stops. */
  playlistUrl: z.string(),
});
export type RecordingInfo = z.infer<typeof recordingInfoSchema>;

const speakerNameSchema = z.object({ name: z.string(), organisation: z.string() });

export const replayInfoSchema = z.object({
  id: z.string(),
  talkId: z.string(),
  recordingId: z.string(),
  stage: z.string(),
  title: z.string(),
  speakers: z.array(speakerNameSchema),
  inAt: isoTime,
  outAt: isoTime,
  durationSeconds: z.number(),
  playlistUrl: z.string(),
  /** One MP4 file, remuxed from the segments without re-encoding. */
  downloadUrl: z.string(),
  /** A JPEG frame of the replay (taken on first request); answers 404 when the recording has none to give. */
  posterUrl: z.string(),
});
export type ReplayInfo = z.infer<typeof replayInfoSchema>;

/** A replay as the archive lists it: with its event, stage title and the talk's description. */
export const archiveEntrySchema = replayInfoSchema.extend({ eventId: z.string(), stageTitle: z.string(), description: z.string() });
export type ArchiveEntry = z.infer<typeof archiveEntrySchema>;

/**
 * A talk, or a marker a technician set while recording, within what a player plays: where it
 * starts, in seconds from the start of the played media. A marker has no replay or talk, and an
 * empty title when it was set without one (the player names it by its time).
 */
export const replayChapterSchema = z.object({
  id: z.string(),
  kind: z.enum(['talk', 'marker']),
  replayId: z.string().nullable(),
  talkId: z.string().nullable(),
  title: z.string(),
  startSeconds: z.number(),
});
export type ReplayChapter = z.infer<typeof replayChapterSchema>;

/** GET /api/replays/:id/chapters and /api/recordings/:id/chapters. */
export const chaptersResponseSchema = z.object({ chapters: z.array(replayChapterSchema) });
export type ChaptersResponse = z.infer<typeof chaptersResponseSchema>;

/**
 * GET /api/replays/:id/captions and /api/recordings/:id/captions: the WebVTT captions a replay
 * has (files `captions.<language>.vtt` in its recording's folder), each timed on what it plays.
 */
export const captionTrackSchema = z.object({ language: z.string().describe('A BCP 47 language tag: sv, en, en-GB'), url: z.string() });
export type CaptionTrack = z.infer<typeof captionTrackSchema>;
export const captionsResponseSchema = z.object({ captions: z.array(captionTrackSchema) });
export type CaptionsResponse = z.infer<typeof captionsResponseSchema>;

/** A question a moderator had on screen while the recording was made, placed on the played media's timeline. */
export const replayOnScreenSchema = z.object({
  questionId: z.string(),
  text: z.string(),
  authorName: z.string(),
  fromSeconds: z.number(),
  /** Where it was taken down, or the end of what is played when it stayed up. */
  toSeconds: z.number(),
});
export type ReplayOnScreen = z.infer<typeof replayOnScreenSchema>;

/** GET /api/replays/:id/questions-on-screen and /api/recordings/:id/questions-on-screen. */
export const onScreenResponseSchema = z.object({ questions: z.array(replayOnScreenSchema) });
export type OnScreenResponse = z.infer<typeof onScreenResponseSchema>;

/** GET /api/archive?q=&event=&stage=: replays by talk, newest first. */
export const archiveResponseSchema = z.object({ replays: z.array(archiveEntrySchema) });
export type ArchiveResponse = z.infer<typeof archiveResponseSchema>;

export const apiErrorResponseSchema = z.object({ error: z.object({ code: z.enum(errorCodes), message: z.string() }) });
export type ApiErrorResponse = z.infer<typeof apiErrorResponseSchema>;

export const technicianResponseSchema = z.object({ technician: z.object({ id: z.string(), username: z.string() }) });
export type TechnicianResponse = z.infer<typeof technicianResponseSchema>;

/** A technician as the control room lists them. */
export const technicianInfoSchema = z.object({ id: z.string(), username: z.string(), createdAt: isoTime, disabledAt: isoTime.nullable() });
export type TechnicianInfo = z.infer<typeof technicianInfoSchema>;

export const techniciansResponseSchema = z.object({ technicians: z.array(technicianInfoSchema) });
export type TechniciansResponse = z.infer<typeof techniciansResponseSchema>;

/** One technician action, as the audit log keeps it. */
export const auditEntrySchema = z.object({
  id: z.number(),
  technicianId: z.string().nullable(),
  username: z.string(),
  /** The route, e.g. "POST /api/events/:eventId/stages". */
  action: z.string(),
  /** What it was about: the route's path parameters. */
  subject: z.record(z.string(), z.string()),
  /** The HTTP status it was answered with. */
  status: z.number(),
  createdAt: isoTime,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditLogResponseSchema = z.object({ entries: z.array(auditEntrySchema) });
export type AuditLogResponse = z.infer<typeof auditLogResponseSchema>;

export const registrationResponseSchema = z.object({
  registrationId: z.string(),
  /**
   * The personal link, shown once: keep it, it is the way in to a private event. An address that
   * was registered before gets an answer of the same shape whose link opens nothing (the owner's
   * link is unchanged); the technicians can issue the owner a new one.
   */
  watchUrl: z.string(),
  token: z.string(),
});
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;

export const accessResponseSchema = z.object({
  /** A viewer pass for the event; send it as `access` in the socket handshake. */
  pass: z.string(),
  expiresAt: isoTime,
});
export type AccessResponse = z.infer<typeof accessResponseSchema>;

/** GET /api/stages/:stageId/ingest-key (technicians): what a plain-RTP source sends as `ingest`. */
export const ingestKeyResponseSchema = z.object({ stageId: z.string(), ingestKey: z.string() });
export type IngestKeyResponse = z.infer<typeof ingestKeyResponseSchema>;

export const ingestPreflightWarningSchema = z.object({
  code: z.enum(['video_codec', 'b_frames', 'keyframe_interval', 'bitrate']),
  message: z.string(),
});
export type IngestPreflightWarning = z.infer<typeof ingestPreflightWarningSchema>;

/** The pre-flight check of an ingest's video, measured over its first seconds. */
export const ingestPreflightSchema = z.object({
  codec: z.string(),
  /** The H.264 profile, e.g. "Main"; null when ffmpeg did not name one. */
  profile: z.string().nullable(),
  width: z.number(),
  height: z.number(),
  frameRate: z.number(),
  bFrames: z.boolean(),
  /** The longest gap between keyframes seen; null with fewer than two keyframes. */
  keyframeIntervalSeconds: z.number().nullable(),
  bitrateKbps: z.number(),
  measuredSeconds: z.number(),
  warnings: z.array(ingestPreflightWarningSchema),
});
export type IngestPreflight = z.infer<typeof ingestPreflightSchema>;

/**
 * An ingest point as technicians see it (with its secret, to paste into the encoder). SRT: `url`
 * is the caller URL with stream id and passphrase; RTMP: `url` is the server URL, `secret` the
 * stream key; WHIP: `url` is the endpoint, `secret` the bearer token.
 */
export const ingestPointInfoSchema = z.object({
  id: z.string(),
  stageId: z.string(),
  protocol: ingestProtocolSchema,
  label: z.string(),
  role: ingestFeedRoleSchema,
  port: z.number().nullable(),
  url: z.string(),
  secret: z.string(),
  /** SRT only: the stream id the encoder sends (also in `url`). */
  streamId: z.string().nullable(),
  /** What the connected encoder sends, from its first seconds; null while none is connected. */
  preflight: ingestPreflightSchema.nullable(),
  /** An encoder is connected and its media is arriving now. */
  receiving: z.boolean(),
  /** Its media is what viewers get and the recorder records (not waiting on standby as a backup). */
  onAir: z.boolean(),
  createdAt: isoTime,
  rotatedAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
});
export type IngestPointInfo = z.infer<typeof ingestPointInfoSchema>;

/** The encoders Estrad gives ready-to-paste settings for. */
export const encoderKindSchema = z.enum(['obs', 'vmix', 'blackmagic']);
export type EncoderKind = z.infer<typeof encoderKindSchema>;

/** What an encoder setting is about; the control room names each in the technician's language. */
export const encoderSettingNameSchema = z.enum([
  'service',
  'server',
  'bearerToken',
  'streamKey',
  'srtUrl',
  'srtMode',
  'host',
  'port',
  'streamId',
  'passphrase',
  'keyLength',
  'latency',
  'videoCodec',
  'profile',
  'rateControl',
  'videoBitrate',
  'keyframeInterval',
  'bFrames',
  'tune',
  'audioCodec',
  'audioBitrate',
  'sampleRate',
]);
export type EncoderSettingName = z.infer<typeof encoderSettingNameSchema>;

export const encoderSettingSchema = z.object({
  setting: encoderSettingNameSchema,
  /** The setting as the encoder's own (English) interface calls it, with its unit. */
  label: z.string(),
  /** What to type or paste into that field. */
  value: z.string(),
  /** A credential: shown only on purpose, never logged. */
  secret: z.boolean(),
});
export type EncoderSetting = z.infer<typeof encoderSettingSchema>;

/** One encoder's settings for an ingest point. */
export const encoderSettingsSchema = z.object({
  encoder: encoderKindSchema,
  /** Which products and versions the settings are for, e.g. "OBS Studio 30 or later". */
  product: z.string(),
  /** Where in the encoder they go, in its own (English) words. */
  where: z.string(),
  settings: z.array(encoderSettingSchema),
  /** Blackmagic (RTMP points): the streaming XML the device imports, with server, key and quality; null otherwise. */
  streamingXmlUrl: z.string().nullable(),
});
export type EncoderSettings = z.infer<typeof encoderSettingsSchema>;

/** GET /api/ingest-points/:id/encoder-settings: what to paste into each encoder that can send this point's protocol. */
export const ingestEncoderSettingsResponseSchema = z.object({
  ingestPointId: z.string(),
  stageId: z.string(),
  protocol: ingestProtocolSchema,
  role: ingestFeedRoleSchema,
  encoders: z.array(encoderSettingsSchema),
});
export type IngestEncoderSettingsResponse = z.infer<typeof ingestEncoderSettingsResponseSchema>;

export const inviteResponseSchema = z.object({
  id: z.string(),
  stageId: z.string(),
  talkId: z.string().nullable(),
  label: z.string(),
  expiresAt: isoTime,
  token: z.string(),
  speakUrl: z.string(),
});
export type InviteResponse = z.infer<typeof inviteResponseSchema>;

/** A moderator invite just made: the link to the stage's moderation page, shown once. */
export const moderatorInviteResponseSchema = inviteResponseSchema.omit({ talkId: true, speakUrl: true }).extend({ moderateUrl: z.string() });
export type ModeratorInviteResponse = z.infer<typeof moderatorInviteResponseSchema>;

/** An invite as technicians see it afterwards: its token is not stored, so never shown again. */
export const inviteInfoSchema = inviteResponseSchema.omit({ token: true, speakUrl: true }).extend({
  role: inviteRoleSchema,
  revokedAt: isoTime.nullable(),
  createdAt: isoTime,
});
export type InviteInfo = z.infer<typeof inviteInfoSchema>;

const stageNameSchema = z.object({ id: z.string(), title: z.string() });

export const eventSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  /** Who organises the event (a municipality, a region); empty when not given. */
  organiser: z.string(),
  timeZone: z.string(),
  language: z.string(),
  visibility: z.enum(['public', 'private']),
  hasAccessCode: z.boolean(),
  stages: z.array(stageNameSchema),
});
export type EventSummary = z.infer<typeof eventSummarySchema>;

export const eventsResponseSchema = z.object({ events: z.array(eventSummarySchema) });
export type EventsResponse = z.infer<typeof eventsResponseSchema>;

export const programmeTalkSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  kind: z.enum(['talk', 'panel', 'break']),
  plannedStart: isoTime,
  plannedEnd: isoTime,
  speakers: z.array(speakerNameSchema),
});
export type ProgrammeTalk = z.infer<typeof programmeTalkSchema>;

/** The public programme: the event with its stages, each with its talks in order. */
export const eventProgrammeResponseSchema = eventSummarySchema.extend({
  stages: z.array(stageNameSchema.extend({ talks: z.array(programmeTalkSchema) })),
});
export type EventProgrammeResponse = z.infer<typeof eventProgrammeResponseSchema>;

export const retentionResponseSchema = z.object({ stageId: z.string(), hours: z.number().nullable() });

/** A stage as the programme stores it. */
export const stageSchema = z.object({ id: z.string(), eventId: z.string(), title: z.string(), position: z.number() });

export const programmeImportResultSchema = z.object({
  eventId: z.string(),
  /** False when the event existed and was updated. */
  eventCreated: z.boolean(),
  stages: z.number(),
  speakers: z.number(),
  talks: z.number(),
});

export const talkAttendanceSchema = z.object({
  talkId: z.string(),
  stageId: z.string(),
  title: z.string(),
  plannedStart: isoTime,
  plannedEnd: isoTime,
  /** Most viewers watching at the same moment. */
  peakConcurrentViewers: z.number(),
  /** Distinct viewers who watched any part of the talk. */
  uniqueViewers: z.number(),
  /** Minutes of the talk each viewer watched on average (2 decimals), 0 without viewers. */
  averageMinutesWatched: z.number(),
  /** Where the talk's questions and poll results are, as CSV and JSON (technicians' routes). */
  audienceExports: z.object({ questionsCsv: z.string(), questionsJson: z.string(), pollsCsv: z.string(), pollsJson: z.string() }),
});
export type TalkAudienceExports = z.infer<typeof talkAttendanceSchema>['audienceExports'];

export const stageListingSchema = stageSummarySchema.extend({ title: z.string(), eventId: z.string() });
export type StageListing = z.infer<typeof stageListingSchema>;

export const stagesResponseSchema = z.object({ stages: z.array(stageListingSchema) });
export type StagesResponse = z.infer<typeof stagesResponseSchema>;

export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  mediasoup: z.object({ workersAlive: z.number(), workersConfigured: z.number() }),
  /** The database's files: not ok when its write-ahead log vanished while running. */
  storage: z.object({ ok: z.boolean(), problem: z.string().optional() }),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
