/**
 * The rules for ids that appear in URLs. Kept free of zod so the browser bundle can use them;
 * shared/protocol.ts builds its schemas from them.
 */

/** Stage ids double as URL segments: /watch/<stageId>. */
export const STAGE_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const STAGE_ID_MAX_LENGTH = 64;

export function isStageId(value: string): boolean {
  return value.length <= STAGE_ID_MAX_LENGTH && STAGE_ID_PATTERN.test(value);
}

/**
 * Ids of records: recordings and replays (/replay/<id>), invites, speakers and talks. Estrad makes
 * random UUIDs; programme files may bring readable ones (`opening_talk`).
 */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
