/**
 * `CHATWIRE_BENCH_QUICK=1`: every case at a tiny size (a smoke run of the whole bench in about a
 * minute); the figures then mean nothing.
 */
export const QUICK = process.env.CHATWIRE_BENCH_QUICK === '1';

/** `full` normally, `quick` under CHATWIRE_BENCH_QUICK=1. */
export function sized<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}
