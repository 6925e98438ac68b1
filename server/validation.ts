import type { z } from 'zod';
import { AppError } from './errors.js';

/** Parses request input with its schema, or fails with a 400 naming the first bad fields. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || what}: ${issue.message}`)
    .join('; ');
  throw new AppError('invalid_payload', `Invalid ${what}: ${detail}`);
}
