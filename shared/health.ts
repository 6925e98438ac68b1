/**
 * The control room's health view and its alerts: the snapshot pushed to technicians every second
 * (and answered by GET /api/health), the alerts that stay until acknowledged, and the webhooks
 * that carry the same events to the technicians' own tools. The server's route and socket
 * schemas are these; the client imports only the types.
 */
import { z } from 'zod';
import { recordIdSchema } from './idSchemas.js';
import { mediaKindSchema, mediaSourceSchema, recordingStatusSchema } from './protocol.js';

const isoTime = z.string().describe('An ISO-8601 time in UTC');

/** green: all is well; amber: worth watching (some loss, a weak link); red: viewers see or hear the problem. */
export const healthLightSchema = z.enum(['green', 'amber', 'red']);
export type HealthLight = z.infer<typeof healthLightSchema>;

/** Why a feed's light is not green, for the control room to say. */
export const feedProblemSchema = z.enum(['no_media', 'packet_loss', 'poor_link', 'high_round_trip', 'high_jitter']);
export type FeedProblem = z.infer<typeof feedProblemSchema>;

/** One feed (a producer on air), as mediasoup measures what it receives. */
export const feedHealthSchema = z.object({
  producerId: z.string(),
  peerId: z.string(),
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  paused: z.boolean(),
  /** What arrives, all simulcast layers together, in kbit/s. */
  bitrateKbps: z.number(),
  /** Frames a second of the best layer, counted from the RTP it receives; null for audio. */
  frameRate: z.number().nullable(),
  /** The picture's size in pixels (of the highest simulcast layer), read from a keyframe; null for audio, or before one was read. */
  resolution: z.object({ width: z.number(), height: z.number() }).nullable(),
  /** Share of packets lost over the last report of the receiver, in per cent. */
  packetLossPercent: z.number(),
  /** Packets lost since the feed started. */
  packetsLost: z.number(),
  /** null when the sender gives no way to measure it (browsers send no RTCP XR). */
  roundTripMs: z.number().nullable(),
  jitterMs: z.number().nullable(),
  /** mediasoup's own score of the stream, 0 (worst) to 10. */
  score: z.number(),
  light: healthLightSchema,
  problems: z.array(feedProblemSchema),
});
export type FeedHealth = z.infer<typeof feedHealthSchema>;

export const recordingHealthSchema = z.object({
  id: z.string(),
  status: recordingStatusSchema,
  startedAt: isoTime,
  durationSeconds: z.number(),
  sizeBytes: z.number(),
  /** Seconds since the newest segment's media ended: it grows while ffmpeg writes nothing. Null before the first segment. */
  lastSegmentAgeSeconds: z.number().nullable(),
  failureReason: z.string().nullable(),
  light: healthLightSchema,
});
export type RecordingHealth = z.infer<typeof recordingHealthSchema>;

export const stageHealthSchema = z.object({
  stageId: z.string(),
  live: z.boolean(),
  /** Joined over WebRTC (watch page, embeds, node viewers), and playing the live HLS (fallback, rewind). */
  viewers: z.object({ webrtc: z.number(), hls: z.number() }),
  speakers: z.number(),
  feeds: z.array(feedHealthSchema),
  /** The stage's newest recording, or null when it has none. */
  recording: recordingHealthSchema.nullable(),
});
export type StageHealth = z.infer<typeof stageHealthSchema>;

export const workerHealthSchema = z.object({
  id: z.number(),
  pid: z.number(),
  alive: z.boolean(),
  /** Share of one core used over the last few seconds, in per cent. */
  cpuPercent: z.number(),
  consumers: z.number(),
});
export type WorkerHealth = z.infer<typeof workerHealthSchema>;

export const diskHealthSchema = z.object({
  freeBytes: z.number(),
  totalBytes: z.number(),
  light: healthLightSchema,
});
export type DiskHealth = z.infer<typeof diskHealthSchema>;

export const healthSnapshotSchema = z.object({
  takenAt: isoTime,
  stages: z.array(stageHealthSchema),
  workers: z.array(workerHealthSchema),
  /** The disk recordings are written to; null when it cannot be read. */
  disk: diskHealthSchema.nullable(),
});
export type HealthSnapshot = z.infer<typeof healthSnapshotSchema>;

// ---------------------------------------------------------------------------------------------
// Alerts

export const alertKinds = [
  'feed_lost',
  'bitrate_collapsed',
  'frame_rate_collapsed',
  'recording_failed',
  'recording_restarted',
  'worker_restarted',
  'viewers_dropped',
  'disk_nearly_full',
  'feed_switched',
] as const;
export const alertKindSchema = z.enum(alertKinds);
export type AlertKind = z.infer<typeof alertKindSchema>;

/** Why a stage switched between its main and backup feeds (a feed_switched alert's `reason`). */
export const feedSwitchReasons = ['main_silent', 'main_returned', 'technician_choice', 'role_changed'] as const;
export type FeedSwitchReason = (typeof feedSwitchReasons)[number];

export const alertSeveritySchema = z.enum(['warning', 'critical']);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

export const alertSchema = z.object({
  id: z.string(),
  kind: alertKindSchema,
  severity: alertSeveritySchema,
  stageId: z.string().nullable(),
  /** What the alert is about: a producer, a recording, a worker, the disk. */
  subject: z.string(),
  /** In English, for logs and webhooks; the control room says it in its own language from `kind` and `details`. */
  message: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number()])),
  raisedAt: isoTime,
  /** When the condition ended by itself; the alert still stays until acknowledged. */
  clearedAt: isoTime.nullable(),
  acknowledgedAt: isoTime.nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertsResponseSchema = z.object({ alerts: z.array(alertSchema) });
export type AlertsResponse = z.infer<typeof alertsResponseSchema>;

export const alertsQuerySchema = z.object({
  /** open: not acknowledged yet (the default); all: acknowledged ones too, newest first. */
  state: z.enum(['open', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const alertParamsSchema = z.object({ alertId: recordIdSchema });

// ---------------------------------------------------------------------------------------------
// Webhooks

/** What a webhook receives: the `event` field of the body, also in the X-Estrad-Event header. */
export const webhookEvents = ['alert.raised', 'alert.acknowledged', 'webhook.test'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export const newWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// address' }).max(2000),
  /** Signs every delivery (HMAC-SHA256 of the body, in X-Estrad-Signature: sha256=<hex>). */
  secret: z.string().min(16, 'use at least 16 characters').max(256),
});
export type NewWebhook = z.input<typeof newWebhookSchema>;

export const webhookDeliverySchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  event: z.enum(webhookEvents),
  /** pending: being tried (again); delivered: answered 2xx; failed: every try failed. */
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  /** The HTTP status of the last try, null when it got no answer. */
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoTime,
  lastAttemptAt: isoTime.nullable(),
  nextAttemptAt: isoTime.nullable(),
  deliveredAt: isoTime.nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/** A webhook as technicians see it: its secret is never shown again. */
export const webhookInfoSchema = z.object({
  id: z.string(),
  url: z.string(),
  createdBy: z.string(),
  createdAt: isoTime,
  /** The newest delivery, to see at a glance whether the receiver answers. */
  lastDelivery: webhookDeliverySchema.nullable(),
});
export type WebhookInfo = z.infer<typeof webhookInfoSchema>;

export const webhooksResponseSchema = z.object({ webhooks: z.array(webhookInfoSchema) });
export const webhookDeliveriesResponseSchema = z.object({ deliveries: z.array(webhookDeliverySchema) });
export const webhookParamsSchema = z.object({ webhookId: recordIdSchema });

/** The body of every delivery; the signature covers exactly these bytes. */
export interface WebhookBody {
  /** The delivery's id: the same on every retry, so a receiver can drop repeats. */
  id: string;
  event: WebhookEvent;
  sentAt: string;
  alert: Alert | null;
}
