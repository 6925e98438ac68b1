/**
 * A stage's chat: off until a moderator turns it on; messages go to everyone on the stage, except
 * those the stage's word filter holds for a moderator. The server validates with these schemas;
 * the client imports only the types.
 */
import { z } from 'zod';
import { AUTHOR_NAME_MAX_CHARACTERS, CHAT_HELD_WORDS_MAX, CHAT_MESSAGE_MAX_CHARACTERS } from './audienceLimits.js';
import { freeText } from './freeText.js';
import { recordIdSchema } from './idSchemas.js';

export const chatMessageStatuses = ['shown', 'held', 'deleted'] as const;
export type ChatMessageStatus = (typeof chatMessageStatuses)[number];

export const chatSendSchema = z.strictObject({
  text: freeText({ min: 1, max: CHAT_MESSAGE_MAX_CHARACTERS }),
  /** Anonymous unless given. */
  authorName: freeText({ min: 1, max: AUTHOR_NAME_MAX_CHARACTERS }).optional(),
});

/** What a moderator sets for a stage's chat. */
export const chatSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** Seconds each attendee waits between two messages; 0 is off. */
  slowModeSeconds: z.number().int().min(0).max(3600),
  /** A message with one of these words (any case) waits for a moderator instead of showing. */
  heldWords: z.array(freeText({ min: 1, max: 60 })).max(CHAT_HELD_WORDS_MAX),
});
export type ChatSettings = z.infer<typeof chatSettingsSchema>;

export const chatActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('delete') }),
  /** A held message shows after all. */
  z.strictObject({ action: z.literal('release') }),
  /** Its author may send nothing on this stage for this long. */
  z.strictObject({
    action: z.literal('mute'),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
  }),
]);
export type ChatAction = z.infer<typeof chatActionSchema>;

export const chatMessageParams = z.object({ messageId: recordIdSchema });

/** A message as everyone on the stage sees it: nothing of who sent it but the name they gave. */
export const chatMessageSchema = z.object({
  id: z.string(),
  authorName: z.string(),
  text: z.string(),
  status: z.enum(chatMessageStatuses),
  createdAt: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** The stage's chat as attendees see it: its settings and the latest shown messages, oldest first. */
export const chatBoardSchema = z.object({
  stageId: z.string(),
  enabled: z.boolean(),
  slowModeSeconds: z.number().int(),
  messages: z.array(chatMessageSchema),
});
export type ChatBoard = z.infer<typeof chatBoardSchema>;

/** For moderators: held and deleted messages too, whether each author is muted, and the word filter. */
export const moderatorChatBoardSchema = chatBoardSchema.extend({
  messages: z.array(chatMessageSchema.extend({ authorMutedUntil: z.string().nullable() })),
  heldWords: z.array(z.string()),
});
export type ModeratorChatBoard = z.infer<typeof moderatorChatBoardSchema>;
