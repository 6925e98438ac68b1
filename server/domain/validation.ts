/**
 * zod schemas for what the conference model accepts from outside (programme files, and the HTTP
 * API when it creates events, stages, speakers and talks). The database's CHECKs are the last line
 * of defence; these give people an error that names the field.
 */
import { z } from 'zod';
import { freeText } from '../../shared/freeText.js';
import { recordIdSchema, stageIdSchema } from '../../shared/protocol.js';
import { toIsoTime } from '../storage/time.js';
import { fieldPath } from '../validation.js';

/** Event ids are slugs like stage ids: /events/<id>. */
export const eventIdSchema = stageIdSchema;
export { stageIdSchema };

export { recordIdSchema };

export const titleSchema = freeText({ min: 1, max: 200 });
export const nameSchema = freeText({ min: 1, max: 200 });
export const shortTextSchema = freeText({ max: 200 });
export const longTextSchema = freeText({ max: 10_000, multiline: true });
export const positionSchema = z.number().int().min(0).max(100_000);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isLanguageTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().max(64).refine(isTimeZone, 'expected an IANA time zone such as Europe/Stockholm');

/** Stored in canonical form, so "SV" and "sv" are the same language. */
export const languageSchema = z
  .string()
  .max(35)
  .refine(isLanguageTag, 'expected a BCP-47 language tag such as sv or en-GB')
  .transform((tag) => Intl.getCanonicalLocales(tag)[0] ?? tag);

/** Any ISO-8601 date-time with a zone (Z or ±hh:mm), stored as UTC in the database's one shape. */
export const isoTimeSchema = z.iso
  .datetime({ offset: true, error: 'expected an ISO-8601 time with a zone, e.g. 2026-05-20T09:00:00+02:00' })
  .transform(toIsoTime);

export const visibilitySchema = z.enum(['public', 'private']);
export const talkKindSchema = z.enum(['talk', 'panel', 'break']);
export type TalkKind = z.infer<typeof talkKindSchema>;

export const eventFieldsSchema = z.strictObject({
  id: eventIdSchema,
  title: titleSchema,
  description: longTextSchema.default(''),
  organiser: shortTextSchema.default(''),
  timeZone: timeZoneSchema,
  language: languageSchema,
  visibility: visibilitySchema,
});

export const stageFieldsSchema = z.strictObject({
  id: stageIdSchema,
  title: titleSchema,
  position: positionSchema.default(0),
});

export const speakerFieldsSchema = z.strictObject({
  id: recordIdSchema,
  name: nameSchema,
  organisation: shortTextSchema.default(''),
  bio: longTextSchema.default(''),
});

export const talkFieldsSchema = z
  .strictObject({
    id: recordIdSchema,
    stageId: stageIdSchema,
    title: titleSchema,
    description: longTextSchema.default(''),
    kind: talkKindSchema,
    plannedStart: isoTimeSchema,
    plannedEnd: isoTimeSchema,
    position: positionSchema.default(0),
    speakerIds: z.array(recordIdSchema).max(20).default([]),
  })
  .refine((talk) => talk.plannedEnd > talk.plannedStart, { message: 'must be after plannedStart', path: ['plannedEnd'] });

/** One line per problem, each naming its field. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${fieldPath(issue.path) || '(the whole file)'}: ${issue.message}`);
}
