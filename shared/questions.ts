/**
 * Audience questions: what attendees and moderators send, and what each of them is shown. The
 * server validates every payload with these schemas; the client imports only the types, so zod
 * stays out of the browser bundle.
 */
import { z } from 'zod';
import { freeText } from './freeText.js';
import { recordIdSchema } from './idSchemas.js';

export const questionStatuses = ['pending', 'approved', 'answered', 'declined', 'merged'] as const;
export const questionStatusSchema = z.enum(questionStatuses);
export type QuestionStatus = z.infer<typeof questionStatusSchema>;

/** Attendees see these; pending, declined and merged questions stay with the moderators (and the asker). */
export const publicQuestionStatuses = ['approved', 'answered'] as const satisfies readonly QuestionStatus[];

export const QUESTION_MAX_CHARACTERS = 1000;
export const questionTextSchema = freeText({ min: 1, max: QUESTION_MAX_CHARACTERS, multiline: true });

export const askQuestionSchema = z.strictObject({
  text: questionTextSchema,
  /** Anonymous unless given. */
  authorName: freeText({ min: 1, max: 100 }).optional(),
  talkId: recordIdSchema.optional(),
});

export const voteSchema = z.strictObject({ questionId: recordIdSchema, vote: z.boolean() });

/** "We are 4 here": several colleagues behind one screen. The server caps the size. */
export const groupSizeSchema = z.strictObject({ size: z.number().int().min(1).max(1000) });

/** What a moderator does to one question. */
export const moderationActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('approve') }),
  z.strictObject({ action: z.literal('decline') }),
  z.strictObject({ action: z.literal('answer') }),
  /** Back to approved, after an answer or a decline given by mistake. */
  z.strictObject({ action: z.literal('reopen') }),
  z.strictObject({ action: z.literal('edit'), text: questionTextSchema }),
  /** This question joins `into`: its votes add up there, and it points there. */
  z.strictObject({ action: z.literal('merge'), into: recordIdSchema }),
]);
export type ModerationAction = z.infer<typeof moderationActionSchema>;

/** The moderator's order for the approved questions, first shown first; those left out follow by votes. */
export const questionOrderSchema = z.strictObject({ questionIds: z.array(recordIdSchema).min(1).max(500) });

export const pinSchema = z.strictObject({ questionId: recordIdSchema.nullable() });

/** A question as every attendee of the stage sees it: nothing about who asked but the name they gave. */
export interface PublicQuestion {
  id: string;
  talkId: string | null;
  authorName: string;
  text: string;
  /** A moderator corrected the text (typos); attendees are told. */
  edited: boolean;
  status: QuestionStatus;
  /** Attendees' votes, each weighing the size of its group. */
  votes: number;
  createdAt: string;
}

/** What moderators see besides: the original text and where a merged question went. */
export interface ModeratedQuestion extends PublicQuestion {
  originalText: string | null;
  mergedInto: string | null;
  /** The moderator's place for it in the order; null when it is ordered by votes. */
  position: number | null;
}

/** Every question the stage received, by what became of it: moderation is visible, not silent. */
export type QuestionCounts = { received: number } & Record<Exclude<QuestionStatus, 'pending'>, number>;

export interface QuestionPin {
  questionId: string;
  pinnedAt: string;
}

/** The stage's questions as an attendee sees them, in the order everyone sees. */
export interface PublicQuestionBoard {
  stageId: string;
  questions: PublicQuestion[];
  counts: QuestionCounts;
  /** The question on screen in every player, if any. */
  onScreen: (PublicQuestion & { pinnedAt: string }) | null;
}

/** One attendee's own side of the board: what they voted for and what they asked, whatever its status. */
export interface AttendeeQuestions {
  votedFor: string[];
  asked: PublicQuestion[];
  /** Their "we are N", after the server's cap. */
  groupSize: number;
}

export interface ModeratorQuestionBoard {
  stageId: string;
  questions: ModeratedQuestion[];
  counts: QuestionCounts;
  onScreen: (PublicQuestion & { pinnedAt: string }) | null;
}
