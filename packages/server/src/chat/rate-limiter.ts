/** A token bucket: `ratePerSecond` tokens refill each second, up to `burst`. Options take it partially. */
export interface RateLimit {
  /** Sustained rate. @default 10 */
  ratePerSecond: number;
  /** Bucket size: how many may go at once after a quiet spell. @default 20 */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** One token bucket per key (a user id), kept in this process. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Takes a token for `key`: 0 when it may go now, otherwise the milliseconds until it may. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.limit.ratePerSecond) * 1000);
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= 10_000) this.forgetFull(now);
      bucket = { tokens: this.limit.burst, updatedAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSeconds = (now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSeconds * this.limit.ratePerSecond);
    bucket.updatedAt = now;
    return bucket;
  }

  /** A full bucket is the same as no bucket: drop those to bound memory. */
  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const tokens = bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limit.ratePerSecond;
      if (tokens >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
