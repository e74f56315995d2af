import * as z from 'zod/mini';
import { type ErrorPayload, errorPayloadSchema } from './errors.js';

/**
 * The envelope every ack travels in: the handler's data, or a typed error.
 *
 * @example
 * ```ts
 * const result: Result<number> = await client.request('add', { a: 1, b: 2 });
 * if (result.ok) console.log(result.data);
 * else console.warn(result.error.code);
 * ```
 */
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

/**
 * A successful result.
 *
 * @example
 * ```ts
 * const answer: Result<{ sum: number }> = ok({ sum: 3 });
 * ```
 */
export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

/**
 * A failed result.
 *
 * @example
 * ```ts
 * const refused = err({ code: 'NOT_FOUND', message: 'No such room' });
 * ```
 */
export function err(error: ErrorPayload): Result<never> {
  return { ok: false, error };
}
