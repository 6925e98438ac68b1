/**
 * A stage's slate: the picture viewers and the recording get instead of black, when nothing is on
 * air, when the on-air video stopped arriving, or when a technician puts it up on purpose.
 */
import { z } from 'zod';
import { slateImageTypes } from './slateDefaults.js';

/** Why the slate is shown now, or null while the program is shown. */
export const slateReasonSchema = z.enum(['put-up', 'feed-lost', 'nothing-on-air']);
export type SlateReason = z.infer<typeof slateReasonSchema>;

export const stageSlateSchema = z.object({
  stageId: z.string(),
  /** A technician put the slate up on purpose (it stays up until taken down). */
  up: z.boolean(),
  /** Whether viewers see the slate now, and why (false while nobody is on the stage: no slate runs). */
  shown: z.boolean(),
  reason: slateReasonSchema.nullable(),
  /** The image: the stage's own upload, or the default one. */
  image: z.object({ custom: z.boolean(), type: z.enum(slateImageTypes), updatedAt: z.string().nullable() }),
});
export type StageSlate = z.infer<typeof stageSlateSchema>;
