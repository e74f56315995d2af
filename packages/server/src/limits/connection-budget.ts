import { type RateLimit, takeToken } from './rate-limiter.js';

/** The per-connection limits on incoming events; `undefined` turns one off. */
export interface EventLimits {
  /** Events a connection may send, charged before anything else looks at them. */
  events: RateLimit | undefined;
  /** Error replies (error acks and `chatwire:error` events) a connection may receive. */
  errorReplies: RateLimit | undefined;
  /** Refused events (over budget, unknown or invalid) tolerated before the connection is dropped. */
  refusals: RateLimit | undefined;
}

/** Per-connection event limits: `{ ratePerSecond: 100, burst: 300 }`. */
export const DEFAULT_EVENT_RATE_LIMIT: RateLimit = { ratePerSecond: 100, burst: 300 };
/** Per-connection error reply limits: `{ ratePerSecond: 10, burst: 100 }`. */
export const DEFAULT_ERROR_REPLY_RATE_LIMIT: RateLimit = { ratePerSecond: 10, burst: 100 };
/** Refused events tolerated per connection: `{ ratePerSecond: 5, burst: 250 }`. */
export const DEFAULT_REFUSAL_LIMIT: RateLimit = { ratePerSecond: 5, burst: 250 };

/** Resolves an option: `false` is off, a partial limit fills in from the default. */
export function limitOption(
  option: Partial<RateLimit> | false | undefined,
  fallback: RateLimit,
): RateLimit | undefined {
  return option === false ? undefined : { ...fallback, ...option };
}

/** One connection's budgets: a few numbers, collected with the socket. */
export class ConnectionBudget {
  /** Error replies not sent because the reply budget was spent. */
  droppedReplies = 0;
  /** Events refused so far. */
  refused = 0;
  // Each made at its first use (most connections never see a refusal): made then, a bucket is
  // full, as one made at connection and refilled since would be.
  private events: TokenBucket | undefined;
  private errorReplies: TokenBucket | undefined;
  private refusals: TokenBucket | undefined;

  constructor(
    private readonly limits: EventLimits,
    private readonly now: () => number,
  ) {}

  /** Charges one incoming event: 0 when it may be handled, otherwise the milliseconds until one may. */
  chargeEvent(): number {
    return this.take('events');
  }

  /** Counts a refused event; true when refusals are sustained and the connection must go. */
  refuse(): boolean {
    this.refused += 1;
    return this.take('refusals') > 0;
  }

  /** May an error reply go out? When not, it is counted as dropped. */
  allowReply(): boolean {
    if (this.take('errorReplies') === 0) return true;
    this.droppedReplies += 1;
    return false;
  }

  /** Takes a token from bucket `kind`: 0 when there was one (or the limit is off), otherwise the wait. */
  private take(kind: keyof EventLimits): number {
    const limit = this.limits[kind];
    if (limit === undefined) return 0;
    const now = this.now();
    let bucket = this[kind];
    if (bucket === undefined) {
      bucket = { tokens: limit.burst, updatedAt: now };
      this[kind] = bucket;
    }
    const { tokens, waitMs } = takeToken(limit, bucket.tokens, now - bucket.updatedAt);
    bucket.tokens = tokens;
    bucket.updatedAt = now;
    return waitMs;
  }
}

/** One token bucket, for one connection: two numbers (its limit and clock are the budget's). */
interface TokenBucket {
  tokens: number;
  updatedAt: number;
}
