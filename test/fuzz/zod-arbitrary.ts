import fc from 'fast-check';
import * as z from 'zod/v4/core';

/**
 * fast-check arbitraries from zod 4 schemas, for the schema kinds contracts use. zod-fast-check only
 * knows zod 3's internals, so this reads zod 4's `_zod.def` directly. What it generates satisfies the
 * structure and the built-in checks (lengths, bounds, regexes); refinements are left to
 * {@link validArbitrary}, which filters with the schema itself.
 */

/** Schemas with a hand-made arbitrary (room ids the fuzz client is in, small serials…). */
export type Overrides = ReadonlyMap<z.$ZodType, fc.Arbitrary<unknown>>;

interface Check {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

interface Def {
  type: string;
  checks?: { _zod: { def: Check } }[];
  innerType?: z.$ZodType;
  shape?: Record<string, z.$ZodType>;
  element?: z.$ZodType;
  keyType?: z.$ZodType;
  valueType?: z.$ZodType;
  options?: z.$ZodType[];
  items?: z.$ZodType[];
  rest?: z.$ZodType | null;
  values?: unknown[];
  entries?: Record<string, unknown>;
  in?: z.$ZodType;
}

const defOf = (schema: z.$ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def): Check[] => (def.checks ?? []).map((check) => check._zod.def);

/** Longest string or array generated for a schema without a smaller bound: cases stay cheap. */
const MAX_GENERATED = 40;

/** A value of `schema`'s shape; may still fail its refinements. */
export function arbitraryOf(schema: z.$ZodType, overrides: Overrides = new Map()): fc.Arbitrary<unknown> {
  const override = overrides.get(schema);
  if (override !== undefined) return override;
  const def = defOf(schema);
  const checks = checksOf(def);
  const inner = (child: z.$ZodType | undefined) => {
    if (child === undefined) throw new TypeError(`zod "${def.type}" without an inner schema`);
    return arbitraryOf(child, overrides);
  };
  switch (def.type) {
    case 'string': {
      const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
      const max = checks.find((c) => c.check === 'max_length')?.maximum ?? MAX_GENERATED;
      const pattern = checks.find((c) => c.check === 'string_format' && c.format === 'regex')?.pattern;
      const fits = (value: string) => value.length >= min && value.length <= max;
      if (pattern !== undefined) return fc.stringMatching(pattern).filter(fits);
      return fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, MAX_GENERATED)), unit: 'binary' });
    }
    case 'number': {
      const int = checks.some((c) => c.check === 'number_format' && c.format === 'safeint');
      const low = checks.find((c) => c.check === 'greater_than');
      const high = checks.find((c) => c.check === 'less_than');
      if (int) {
        const min = low === undefined ? Number.MIN_SAFE_INTEGER : (low.value ?? 0) + (low.inclusive ? 0 : 1);
        const max = high === undefined ? Number.MAX_SAFE_INTEGER : (high.value ?? 0) - (high.inclusive ? 0 : 1);
        return fc.integer({ min, max });
      }
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        ...(low === undefined ? {} : { min: low.value, minExcluded: !low.inclusive }),
        ...(high === undefined ? {} : { max: high.value, maxExcluded: !high.inclusive }),
      });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'undefined':
      return fc.constant(undefined);
    case 'literal':
      return fc.constantFrom(...(def.values ?? []));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case 'optional':
    case 'default':
      return fc.option(inner(def.innerType), { nil: undefined });
    case 'nullable':
      return fc.option(inner(def.innerType), { nil: null });
    case 'pipe':
      return inner(def.in);
    case 'array': {
      const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
      const max = checks.find((c) => c.check === 'max_length')?.maximum ?? 5;
      return fc.array(inner(def.element), { minLength: min, maxLength: Math.min(max, Math.max(min, 5)) });
    }
    case 'tuple':
      return fc.tuple(...(def.items ?? []).map((item) => arbitraryOf(item, overrides)));
    case 'object': {
      const shape = def.shape ?? {};
      const fields = Object.fromEntries(Object.entries(shape).map(([key, child]) => [key, inner(child)]));
      const optional = (child: z.$ZodType) => ['optional', 'default'].includes(defOf(child).type);
      const requiredKeys = Object.keys(shape).filter((key) => !optional(shape[key] as z.$ZodType));
      // An optional field is either absent or present with a value, never present as undefined.
      return fc
        .record(fields, { requiredKeys })
        .map((value) => Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)));
    }
    case 'record':
      return fc
        .uniqueArray(fc.tuple(inner(def.keyType), inner(def.valueType)), {
          maxLength: 4,
          selector: ([key]) => key,
        })
        .map((entries) => Object.fromEntries(entries));
    case 'union':
      return fc.oneof(...(def.options ?? []).map((option) => arbitraryOf(option, overrides)));
    default:
      throw new TypeError(`zod-arbitrary: no arbitrary for zod type "${def.type}"`);
  }
}

/** Values `schema` accepts. */
export function validArbitrary(schema: z.$ZodType, overrides?: Overrides): fc.Arbitrary<unknown> {
  return arbitraryOf(schema, overrides).filter((value) => z.safeParse(schema, value).success);
}
