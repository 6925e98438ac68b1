/**
 * The control room's programme and recording API: a stage's talks as technicians edit them, the
 * talk on air and the next one, recording on and off, chapter markers and disk space. The routes
 * use these schemas as their own (so the OpenAPI document shows them); clients import the types.
 */
import { z } from 'zod';
import { freeText } from './freeText.js';
import { recordIdSchema } from './idSchemas.js';
import { programmeTalkSchema, recordingStatusSchema } from './protocol.js';

const isoTime = z.string().describe('An ISO-8601 time in UTC');

/** An ISO-8601 time with a zone, or a wall-clock time (a datetime-local field) read in the event's time zone. */
export const plannedTimeSchema = z
  .union([
    z.iso.datetime({ offset: true }),
    z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'expected an ISO-8601 time, e.g. 2026-05-20T09:00 (in the event’s time zone) or 2026-05-20T07:00:00Z'),
  ])
  .describe('An ISO-8601 time with a zone, or YYYY-MM-DDTHH:MM in the event’s time zone');

/** A talk's speaker by name: one of the event's speakers with that name and organisation, or a new one. */
export const talkSpeakerInputSchema = z.strictObject({
  name: freeText({ min: 1, max: 200 }),
  organisation: freeText({ max: 200 }).default(''),
});

const talkFields = {
  title: freeText({ min: 1, max: 200 }),
  description: freeText({ max: 10_000, multiline: true }),
  kind: programmeTalkSchema.shape.kind,
  plannedStart: plannedTimeSchema,
  plannedEnd: plannedTimeSchema,
  /** In the order they are presented; replaces the talk's list. */
  speakers: z.array(talkSpeakerInputSchema).max(20),
};

export const newTalkSchema = z.strictObject({
  ...talkFields,
  description: talkFields.description.default(''),
  kind: talkFields.kind.default('talk'),
  speakers: talkFields.speakers.default([]),
});
export type NewTalk = z.input<typeof newTalkSchema>;

export const talkChangesSchema = z
  .strictObject({
    title: talkFields.title.optional(),
    description: talkFields.description.optional(),
    kind: talkFields.kind.optional(),
    plannedStart: talkFields.plannedStart.optional(),
    plannedEnd: talkFields.plannedEnd.optional(),
    speakers: talkFields.speakers.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'change at least one of title, description, kind, plannedStart, plannedEnd, speakers');
export type TalkChanges = z.input<typeof talkChangesSchema>;

/** Every talk of the stage, each once, in the new order. */
export const talkOrderSchema = z.strictObject({ talkIds: z.array(recordIdSchema).min(1).max(2_000) });

/** The talk to put on air now, or null for none. */
export const onAirChoiceSchema = z.strictObject({ talkId: recordIdSchema.nullable() });

/** A stage's talk as the control room edits it. */
export const controlTalkSchema = programmeTalkSchema.extend({
  stageId: z.string(),
  position: z.number(),
  speakers: z.array(z.object({ id: z.string(), name: z.string(), organisation: z.string() })),
});
export type ControlTalk = z.infer<typeof controlTalkSchema>;

/** What the watch page shows of a stage's programme: the talk on air (since when) and the next one. */
export const stageOnAirSchema = z.object({
  stageId: z.string(),
  talk: programmeTalkSchema.nullable(),
  since: isoTime.nullable(),
  next: programmeTalkSchema.nullable(),
});
export type StageOnAir = z.infer<typeof stageOnAirSchema>;

/** GET /api/stages/:stageId/talks: the stage's talks in programme order, with the time zone they are planned in. */
export const stageTalksResponseSchema = z.object({
  stageId: z.string(),
  eventId: z.string(),
  timeZone: z.string(),
  talks: z.array(controlTalkSchema),
  onAir: stageOnAirSchema,
});
export type StageTalksResponse = z.infer<typeof stageTalksResponseSchema>;

/** Whether the stage is recorded while live. */
export const recordingSwitchSchema = z.strictObject({ recorded: z.boolean() });

export const chapterMarkerInputSchema = z.strictObject({ title: freeText({ max: 200 }).default('') });

export const chapterMarkerSchema = z.object({ id: z.string(), recordingId: z.string(), at: isoTime, title: z.string() });
export type ChapterMarkerInfo = z.infer<typeof chapterMarkerSchema>;

export const diskSpaceSchema = z.object({ freeBytes: z.number(), totalBytes: z.number() });
export type DiskSpace = z.infer<typeof diskSpaceSchema>;

/** A stage's recording as the control room sees it. */
export const recordingControlSchema = z.object({
  stageId: z.string(),
  /** Whether the stage is recorded while it is live (technicians stop and start it). */
  recorded: z.boolean(),
  /** The recording in progress, if any: it starts when something goes on air while `recorded`. */
  current: z
    .object({
      id: recordIdSchema,
      status: recordingStatusSchema,
      startedAt: isoTime,
      durationSeconds: z.number(),
      sizeBytes: z.number(),
      markers: z.array(chapterMarkerSchema),
    })
    .nullable(),
  /** Where recordings are written; null when the folder cannot be read. */
  disk: diskSpaceSchema.nullable(),
});
export type RecordingControl = z.infer<typeof recordingControlSchema>;
