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
  private readonly events: TokenBucket | undefined;
  private readonly errorReplies: TokenBucket | undefined;
  private readonly refusals: TokenBucket | undefined;

  constructor(limits: EventLimits, now: () => number) {
    this.events = limits.events && new TokenBucket(limits.events, now);
    this.errorReplies = limits.errorReplies && new TokenBucket(limits.errorReplies, now);
    this.refusals = limits.refusals && new TokenBucket(limits.refusals, now);
  }

  /** Charges one incoming event: 0 when it may be handled, otherwise the milliseconds until one may. */
  chargeEvent(): number {
    return this.events?.take() ?? 0;
  }

  /** Counts a refused event; true when refusals are sustained and the connection must go. */
  refuse(): boolean {
    this.refused += 1;
    return (this.refusals?.take() ?? 0) > 0;
  }

  /** May an error reply go out? When not, it is counted as dropped. */
  allowReply(): boolean {
    if ((this.errorReplies?.take() ?? 0) === 0) return true;
    this.droppedReplies += 1;
    return false;
  }
}

/** One token bucket, for one connection: two numbers. */
class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now();
  }

  /** Takes a token: 0 when there was one, otherwise the milliseconds until there is. */
  take(): number {
    const now = this.now();
    const { tokens, waitMs } = takeToken(this.limit, this.tokens, now - this.updatedAt);
    this.tokens = tokens;
    this.updatedAt = now;
    return waitMs;
  }
}
