import * as z from 'zod/mini';

/**
 * A message's app-defined fields: a JSON object.
 *
 * @example
 * ```ts
 * const meta: MessageMeta = { pinned: true };
 * ```
 */
export type MessageMeta = Record<string, unknown>;

/**
 * What a chat contract's `meta` schema must be: one of objects (or `z.undefined()`, for none), made
 * with `zod` or `zod/mini`.
 *
 * @example
 * ```ts
 * const meta: MetaSchema = z.object({ pinned: z.boolean() });
 * ```
 */
export type MetaSchema = z.core.$ZodType<MessageMeta | undefined>;

/**
 * The default of `maxMetaBytes`: 4 KiB of JSON.
 *
 * @example
 * ```ts
 * const contract = defineChatContract({ meta, maxMetaBytes: 2 * DEFAULT_MAX_META_BYTES });
 * ```
 */
export const DEFAULT_MAX_META_BYTES = 4096;

const encoder = new TextEncoder();

/** The size of `value` as UTF-8 JSON, in bytes. */
function metaBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value) ?? '').length;
}

/** `meta`, refusing a value longer than `maxBytes` of JSON once parsed. */
export function boundedMeta<M extends MetaSchema>(meta: M, maxBytes: number): M {
  if (!Number.isInteger(maxBytes) || maxBytes < 2) {
    throw new TypeError('defineChatContract: maxMetaBytes must be an integer of at least 2');
  }
  const bounded = z.refine<MessageMeta | undefined>((value) => value === undefined || metaBytes(value) <= maxBytes, {
    message: `meta must be at most ${maxBytes} bytes of JSON`,
  });
  // What `.check()` does, on a schema of either zod API: a copy with one more check.
  const def = meta._zod.def;
  return z.clone(meta, { ...def, checks: [...(def.checks ?? []), bounded] });
}
