/**
 * How long what the audience types may be, for the server's schemas (shared/questions.ts) and the
 * pages' fields alike; without zod, so that the pages can import it.
 */
export const QUESTION_MAX_CHARACTERS = 1000;
/** A name an asker gives; anonymous without one. */
export const AUTHOR_NAME_MAX_CHARACTERS = 100;
export const POLL_QUESTION_MAX_CHARACTERS = 300;
export const POLL_OPTION_MAX_CHARACTERS = 120;
export const POLL_MAX_OPTIONS = 10;
/** The largest "we are N here" a client may send; the server's QUESTION_GROUP_SIZE_MAX caps what counts. */
export const GROUP_SIZE_MAX = 1000;
export const CHAT_MESSAGE_MAX_CHARACTERS = 500;
/** Words a stage's chat filter holds for moderation, at most. */
export const CHAT_HELD_WORDS_MAX = 200;
