/** zod schemas of the id rules in ids.ts, for the modules that validate payloads (server side). */
import { z } from 'zod';
import { RECORD_ID_PATTERN } from './ids.js';

export const recordIdSchema = z.string().regex(RECORD_ID_PATTERN, 'use 1 to 64 letters, digits, dashes and underscores');
