/**
 * The rule for stage ids, which double as URL segments (/watch/<stageId>). Kept free of zod so
 * the browser bundle can use it; shared/protocol.ts builds its schema from it.
 */
export const STAGE_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const STAGE_ID_MAX_LENGTH = 64;

export function isStageId(value: string): boolean {
  return value.length <= STAGE_ID_MAX_LENGTH && STAGE_ID_PATTERN.test(value);
}
