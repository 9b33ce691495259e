import type { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { withoutNul } from '../../core/without-nul.ts';

/** Parses a request body or query with zod (U+0000 dropped); a mismatch is a 400 naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(withoutNul(input ?? {}));
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.') || 'body';
    throw new AppError('validation_failed', {
      userMessage: `${field}: ${issue.message}`,
      details: { field },
    });
  }
  return result.data;
}
