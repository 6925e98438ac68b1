/**
 * Audience questions: what attendees and moderators send, and what each of them is shown. The
 * server validates every payload with these schemas; the client imports only the types, so zod
 * stays out of the browser bundle.
 */
import { z } from 'zod';
import { freeText } from './freeText.js';
import {
  AUTHOR_NAME_MAX_CHARACTERS,
  GROUP_SIZE_MAX,
  POLL_MAX_OPTIONS,
  POLL_OPTION_MAX_CHARACTERS,
  POLL_QUESTION_MAX_CHARACTERS,
  QUESTION_MAX_CHARACTERS,
} from './audienceLimits.js';
import { recordIdSchema } from './idSchemas.js';

export const questionStatuses = ['pending', 'approved', 'answered', 'declined', 'merged'] as const;
export const questionStatusSchema = z.enum(questionStatuses);
export type QuestionStatus = z.infer<typeof questionStatusSchema>;

/** Attendees see these; pending, declined and merged questions stay with the moderators (and the asker). */
export const publicQuestionStatuses = ['approved', 'answered'] as const satisfies readonly QuestionStatus[];

export const questionTextSchema = freeText({ min: 1, max: QUESTION_MAX_CHARACTERS, multiline: true });

export const askQuestionSchema = z.strictObject({
  text: questionTextSchema,
  /** Anonymous unless given. */
  authorName: freeText({ min: 1, max: AUTHOR_NAME_MAX_CHARACTERS }).optional(),
  talkId: recordIdSchema.optional(),
});

export const voteSchema = z.strictObject({ questionId: recordIdSchema, vote: z.boolean() });

/** "We are 4 here": several colleagues behind one screen. The server caps the size. */
export const groupSizeSchema = z.strictObject({ size: z.number().int().min(1).max(GROUP_SIZE_MAX) });

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
export const publicQuestionSchema = z.object({
  id: z.string(),
  talkId: z.string().nullable(),
  authorName: z.string(),
  text: z.string(),
  /** A moderator corrected the text (typos); attendees are told. */
  edited: z.boolean(),
  status: questionStatusSchema,
  /** Attendees' votes, each weighing the size of its group. */
  votes: z.number().int(),
  createdAt: z.string(),
});
export type PublicQuestion = z.infer<typeof publicQuestionSchema>;

/** What moderators see besides: the original text and where a merged question went. */
export const moderatedQuestionSchema = publicQuestionSchema.extend({
  originalText: z.string().nullable(),
  mergedInto: z.string().nullable(),
  /** The moderator's place for it in the order; null when it is ordered by votes. */
  position: z.number().int().nullable(),
});
export type ModeratedQuestion = z.infer<typeof moderatedQuestionSchema>;

/** Every question the stage received, by what became of it: moderation is visible, not silent. */
export const questionCountsSchema = z.object({
  received: z.number().int(),
  approved: z.number().int(),
  answered: z.number().int(),
  declined: z.number().int(),
  merged: z.number().int(),
});
export type QuestionCounts = z.infer<typeof questionCountsSchema>;

/** The question on screen in every player, if any, since when. */
export const questionOnScreenSchema = publicQuestionSchema.extend({ pinnedAt: z.string() }).nullable();
export type QuestionOnScreenAnswer = z.infer<typeof questionOnScreenSchema>;

/** The stage's questions as an attendee sees them, in the order everyone sees. */
export const publicQuestionBoardSchema = z.object({
  stageId: z.string(),
  questions: z.array(publicQuestionSchema),
  counts: questionCountsSchema,
  onScreen: questionOnScreenSchema,
});
export type PublicQuestionBoard = z.infer<typeof publicQuestionBoardSchema>;

/** Every question of the stage, for its moderators. */
export const moderatorQuestionBoardSchema = publicQuestionBoardSchema.extend({ questions: z.array(moderatedQuestionSchema) });
export type ModeratorQuestionBoard = z.infer<typeof moderatorQuestionBoardSchema>;

/** One attendee's own side of the board: what they voted for and what they asked, whatever its status. */
export interface AttendeeQuestions {
  votedFor: string[];
  asked: PublicQuestion[];
  /** Their "we are N", after the server's cap. */
  groupSize: number;
}

// ---------------------------------------------------------------------------------------------
// Polls

export const openPollSchema = z.strictObject({
  question: freeText({ min: 1, max: POLL_QUESTION_MAX_CHARACTERS }),
  options: z
    .array(freeText({ min: 1, max: POLL_OPTION_MAX_CHARACTERS }))
    .min(2)
    .max(POLL_MAX_OPTIONS)
    .refine((options) => new Set(options.map((option) => option.trim().toLowerCase())).size === options.length, 'give each option once'),
  /** Attendees may pick several options. */
  multiple: z.boolean().default(false),
  talkId: recordIdSchema.optional(),
});

/** An attendee's ballot: the positions of the options they pick (one unless the poll is multiple choice). */
export const pollBallotSchema = z.strictObject({
  pollId: recordIdSchema,
  options: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(POLL_MAX_OPTIONS - 1),
    )
    .min(1)
    .max(POLL_MAX_OPTIONS)
    .refine((options) => new Set(options).size === options.length, 'pick each option once'),
});

export const pollSchema = z.object({
  id: z.string(),
  talkId: z.string().nullable(),
  question: z.string(),
  multiple: z.boolean(),
  /** Each option with the ballots that picked it. */
  options: z.array(z.object({ label: z.string(), votes: z.number().int() })),
  /** Attendees who cast a ballot. */
  ballots: z.number().int(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
});
export type Poll = z.infer<typeof pollSchema>;

/** The stage's polls, newest first, with live results; closed ones stay with their talk. */
export const pollBoardSchema = z.object({ stageId: z.string(), polls: z.array(pollSchema) });
export type PollBoard = z.infer<typeof pollBoardSchema>;
