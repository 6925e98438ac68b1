import type { z } from 'zod';
import { AppError } from './errors.js';

/** Parses request input with its schema, or fails with a 400 naming the first bad fields. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${fieldPath(issue.path) || what}: ${issue.message}`)
    .join('; ');
  throw new AppError('invalid_payload', `Invalid ${what}: ${detail}`);
}

/** "talks[2].plannedEnd" for zod's ['talks', 2, 'plannedEnd']. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}
