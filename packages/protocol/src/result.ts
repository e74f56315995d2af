import * as z from 'zod/mini';
import { type ErrorPayload, errorPayloadSchema } from './errors.js';

/** The envelope every ack travels in: the handler's data, or a typed error. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorPayload };

/**
 * Zod schema of the result envelope around `data`.
 * @example resultSchema(z.object({ id: z.string() })).parse({ ok: true, data: { id: 'a' } });
 */
export function resultSchema<T extends z.core.$ZodType>(data: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: errorPayloadSchema }),
  ]);
}

/** A successful result. */
export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

/** A failed result. */
export function err(error: ErrorPayload): Result<never> {
  return { ok: false, error };
}
