import * as z from 'zod/mini';
import { ChatwireError, errorPayloadSchema, toValidationIssues } from './errors.js';
import type { Result } from './result.js';

/**
 * The outcome of {@link parsePayload}.
 *
 * @example
 * ```ts
 * const outcome: ParseOutcome<string> = parsePayload(z.string(), input, 'name');
 * if (!outcome.ok) throw outcome.error;
 * ```
 */
export type ParseOutcome<T> = { ok: true; data: T } | { ok: false; error: ChatwireError };

/**
 * Parses `value` with `schema`; a failure becomes a `VALIDATION_FAILED` {@link ChatwireError} whose
 * message names `what` and whose `issues` say where.
 * @example parsePayload(z.string(), 42, 'payload of "login"') // { ok: false, error }
 */
export function parsePayload<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  what: string,
): ParseOutcome<z.output<S>> {
  const parsed = z.safeParse(schema, value);
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

/**
 * Reads an answer off the wire as a result envelope: an error envelope is kept as it is, the data of
 * an ok one is parsed with `ackSchema` (none: the data is dropped). Anything else, or data the schema
 * refuses, is a `VALIDATION_FAILED` {@link ChatwireError} naming `what`.
 * @example parseResultEnvelope(z.number(), { ok: true, data: 1 }, 'answer to "ask"') // { ok: true, data: { ok: true, data: 1 } }
 */
export function parseResultEnvelope<S extends z.core.$ZodType>(
  ackSchema: S | undefined,
  response: unknown,
  what: string,
): ParseOutcome<Result<z.output<S>>> {
  const envelope = response as { ok?: unknown; data?: unknown; error?: unknown } | null | undefined;
  if (envelope?.ok === false) {
    const error = errorPayloadSchema.safeParse(envelope.error);
    if (error.success) return { ok: true, data: { ok: false, error: error.data } };
  } else if (envelope?.ok === true) {
    if (ackSchema === undefined) return { ok: true, data: { ok: true, data: undefined as z.output<S> } };
    const parsed = parsePayload(ackSchema, envelope.data, what);
    return parsed.ok ? { ok: true, data: { ok: true, data: parsed.data } } : parsed;
  }
  return { ok: false, error: new ChatwireError('VALIDATION_FAILED', `The ${what} is not a result envelope`) };
}
