import type { z } from 'zod';
import { ChatwireError, toValidationIssues } from './errors.js';

/** The outcome of {@link parsePayload}. */
export type ParseOutcome<T> = { ok: true; data: T } | { ok: false; error: ChatwireError };

/**
 * Parses `value` with `schema`; a failure becomes a `VALIDATION_FAILED` {@link ChatwireError} whose
 * message names `what` and whose `issues` say where.
 * @example parsePayload(z.string(), 42, 'payload of "login"') // { ok: false, error }
 */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown, what: string): ParseOutcome<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issues = toValidationIssues(parsed.error);
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  const detail = first ? `: ${first.message}${where}` : '';
  return {
    ok: false,
    error: new ChatwireError('VALIDATION_FAILED', `Invalid ${what}${detail}`, {
      issues,
      cause: parsed.error,
    }),
  };
}
