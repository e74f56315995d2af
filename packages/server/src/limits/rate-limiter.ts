/**
 * A token bucket: `ratePerSecond` tokens refill each second, up to `burst`. Options take it partially.
 *
 * @example
 * ```ts
 * const rateLimit: RateLimit = { ratePerSecond: 5, burst: 10 };
 * createChatServer({ httpServer, store, authenticate, rateLimit });
 * ```
 */
export interface RateLimit {
  /** Sustained rate. @default 10 */
  ratePerSecond: number;
  /** Bucket size: how many may go at once after a quiet spell. @default 20 */
  burst: number;
}

/**
 * One token bucket per key (a user id), wherever the buckets live.
 *
 * @example
 * ```ts
 * const limiter: RateLimiter = memoryLimits.rateLimiter('send', { ratePerSecond: 5, burst: 10 }, Date.now);
 * const waitMs = await limiter.take('u1'); // 0: go now
 * ```
 */
export interface RateLimiter {
  /** Takes a token for `key`: 0 when it may go now, otherwise the milliseconds until it may. */
  take(key: string): Promise<number>;
}

/** Past this many buckets, a new key first drops the least recently used ones that are full. */
const SOFT_MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket after `elapsedMs` more of refill, and the token taken if there is one: the wait
 * is 0 when taken, else the milliseconds until one is back. The same arithmetic runs in Redis
 * (redis-limits.ts), so that one node and several answer alike.
 */
export function takeToken(limit: RateLimit, tokens: number, elapsedMs: number): { tokens: number; waitMs: number } {
  const refilled = Math.min(limit.burst, tokens + (Math.max(0, elapsedMs) / 1000) * limit.ratePerSecond);
  if (refilled >= 1) return { tokens: refilled - 1, waitMs: 0 };
  return { tokens: refilled, waitMs: Math.ceil(((1 - refilled) / limit.ratePerSecond) * 1000) };
}

/** Token buckets kept in this process. */
export class MemoryRateLimiter implements RateLimiter {
  /** In least recently used order: a touched bucket moves to the end. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  async take(key: string): Promise<number> {
    return this.takeNow(key);
  }

  /** {@link take}, synchronously: what a Redis limiter falls back to while Redis is away. */
  takeNow(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (bucket === undefined) this.forgetFull(now);
    else this.buckets.delete(key);
    const { tokens, waitMs } = takeToken(
      this.limit,
      bucket?.tokens ?? this.limit.burst,
      bucket === undefined ? 0 : now - bucket.updatedAt,
    );
    this.buckets.set(key, { tokens, updatedAt: now });
    return waitMs;
  }

  /**
   * A full bucket is the same as no bucket: past the soft maximum, drop the least recently used
   * while they are full. Each key is dropped at most once per insertion (amortised O(1)); what
   * stays above the maximum was used within the last `burst / ratePerSecond` seconds.
   */
  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size < SOFT_MAX_BUCKETS) return;
      const tokens = bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limit.ratePerSecond;
      if (tokens < this.limit.burst) return;
      this.buckets.delete(key);
    }
  }
}
