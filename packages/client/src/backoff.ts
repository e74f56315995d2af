/** How long to wait before retry number `attempt` (0 for the first). */
export interface Backoff {
  /** The ceiling of the first wait; it doubles with each attempt. */
  baseMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
  /** A number in [0, 1). */
  random: () => number;
}

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(maxMs, baseMs × 2^attempt)), so
 * that clients failing together do not retry together; never less than `minMs` (the server's
 * `retryAfterMs`).
 */
export function backoffDelayMs(attempt: number, backoff: Backoff, minMs = 0): number {
  const ceilingMs = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(minMs, Math.floor(backoff.random() * ceilingMs));
}
