import type { Redis } from 'ioredis';
import { MemoryRateLimiter, type RateLimit, type RateLimiter } from '../limits/rate-limiter.js';
import { type Logger, toLogger } from '../logger.js';
import { type ConnectionCap, MemoryConnectionCap } from './connection-cap.js';
import type { Limits } from './limits.js';

/**
 * Options of {@link RedisLimits}.
 *
 * @example
 * ```ts
 * const limits = new RedisLimits(new Redis(process.env.REDIS_URL ?? ''), { keyPrefix: 'chat:' } satisfies RedisLimitsOptions);
 * ```
 */
export interface RedisLimitsOptions {
  /** Prefix of the keys. @default 'chatwire:' */
  keyPrefix?: string;
  /** A Redis call slower than this counts as Redis being away: the node counts on its own. @default 500 */
  commandTimeoutMs?: number;
  /** A connection not refreshed for this long no longer counts (its node died). @default 9000 */
  ttlMs?: number;
  /** How often a node refreshes its connections' entries. @default 2000 */
  heartbeatMs?: number;
  /** Where switching to per-node limits and back is reported. @default silent */
  logger?: Logger;
}

/**
 * The token bucket of rate-limiter.ts `takeToken`, atomically in Redis. KEYS[1] the bucket hash;
 * ARGV now (ms), ratePerSecond, burst, key TTL (ms). Returns the wait in ms (0: taken). Clocks of
 * several nodes differ a little: time never runs backwards for a bucket.
 */
const TAKE_TOKEN = `
local now, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]) or burst, tonumber(state[2]) or now
if now < at then now = at end
tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return wait`;

/**
 * Counts a connection unless its user is at the maximum, in one step. KEYS[1] the user's sorted
 * set (socket id → expiry); ARGV now, expiry, max, socket id, key TTL (ms). Returns 1 if counted.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[4]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

type Commands = Redis & {
  chatwireTakeToken(key: string, now: number, rate: number, burst: number, ttlMs: number): Promise<number>;
  chatwireAcquire(
    key: string,
    now: number,
    expiresAt: number,
    max: number,
    member: string,
    ttlMs: number,
  ): Promise<number>;
};

/**
 * Limits shared by every node through Redis: token buckets as Redis hashes updated by a script, and
 * each user's connections as a sorted set of socket ids scored by expiry, refreshed by each node's
 * heartbeat (a node that dies, even by SIGKILL, stops counting within `ttlMs`). While Redis is away
 * (not connected, failing, or slower than `commandTimeoutMs`) each node counts on its own, in
 * memory, and shares again once Redis answers. The Redis connection is the caller's to close.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisLimits } from '@chatwire/server/redis';
 * const redis = new Redis('redis://127.0.0.1:6379', { commandTimeout: 2000 });
 * const chat = createChatServer({ httpServer, store, authenticate, limits: new RedisLimits(redis) });
 * ```
 */
export class RedisLimits implements Limits {
  private readonly redis: Commands;
  private readonly prefix: string;
  private readonly commandTimeoutMs: number;
  private readonly ttlMs: number;
  private readonly heartbeatMs: number;
  private readonly logger: Logger;
  private away = false;
  /** A PING is under way to tell whether Redis answers again. */
  private probing = false;

  constructor(redis: Redis, options: RedisLimitsOptions = {}) {
    this.prefix = options.keyPrefix ?? 'chatwire:';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500;
    this.ttlMs = options.ttlMs ?? 9000;
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.logger = toLogger(options.logger);
    redis.defineCommand('chatwireTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
    redis.defineCommand('chatwireAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    this.redis = redis as Commands;
    // Reconnected: shared again at once.
    redis.on('ready', () => this.back());
  }

  rateLimiter(name: string, limit: RateLimit, now: () => number): RateLimiter {
    const local = new MemoryRateLimiter(limit, now);
    const key = (userKey: string) => `${this.prefix}limit:${name}:${userKey}`;
    // A bucket left alone this long is full again: the same as no bucket.
    const ttlMs = Math.ceil((limit.burst / limit.ratePerSecond) * 1000) + 1000;
    return {
      take: (userKey) =>
        this.shared(
          () => this.redis.chatwireTakeToken(key(userKey), now(), limit.ratePerSecond, limit.burst, ttlMs),
          () => local.takeNow(userKey),
        ),
    };
  }

  connectionCap(max: number): ConnectionCap {
    return new RedisConnectionCap(max, {
      redis: this.redis,
      shared: (call, fallback) => this.shared(call, fallback),
      key: (userId) => `${this.prefix}connections:${userId}`,
      ttlMs: this.ttlMs,
      heartbeatMs: this.heartbeatMs,
      logger: this.logger,
    });
  }

  /**
   * Runs `call` on Redis, or `fallback` (this node's own count) while Redis is away. Away, no call
   * waits for Redis: one PING at a time tells when it answers again (or its reconnection does).
   */
  private async shared<T>(call: () => Promise<T>, fallback: () => T): Promise<T> {
    if (this.redis.status !== 'ready') return this.fellBack(fallback, 'not connected');
    if (this.away) {
      this.probe();
      return fallback();
    }
    try {
      return await this.timed(call());
    } catch (error) {
      return this.fellBack(fallback, error);
    }
  }

  /** `promise`, or a rejection after `commandTimeoutMs`. */
  private async timed<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private probe(): void {
    if (this.probing) return;
    this.probing = true;
    this.timed(this.redis.ping()).then(
      () => {
        this.probing = false;
        this.back();
      },
      () => {
        this.probing = false;
      },
    );
  }

  private back(): void {
    if (!this.away) return;
    this.away = false;
    this.logger.info('chatwire: Redis is back, limits are shared again');
  }

  private fellBack<T>(fallback: () => T, reason: unknown): T {
    if (!this.away) {
      this.away = true;
      this.logger.warn('chatwire: Redis unavailable, limits are counted per node', { reason });
    }
    return fallback();
  }
}

/** What a {@link RedisConnectionCap} takes from its {@link RedisLimits}. */
interface CapContext {
  redis: Commands;
  shared<T>(call: () => Promise<T>, fallback: () => T): Promise<T>;
  key(userId: string): string;
  ttlMs: number;
  heartbeatMs: number;
  logger: Logger;
}

/** Connections per user in Redis sorted sets; this node's own are also kept here, to refresh and fall back on. */
class RedisConnectionCap implements ConnectionCap {
  /** By then a dead node's connections no longer count. */
  readonly retryAfterMs: number;
  private readonly local: MemoryConnectionCap;
  private readonly timer: ReturnType<typeof setInterval>;
  private beating = false;

  constructor(
    private readonly max: number,
    private readonly context: CapContext,
  ) {
    this.retryAfterMs = context.ttlMs;
    this.local = new MemoryConnectionCap(max);
    this.timer = setInterval(() => void this.heartbeat(), context.heartbeatMs);
    this.timer.unref();
  }

  async acquire(userId: string, socketId: string): Promise<boolean> {
    const { redis, shared, key, ttlMs } = this.context;
    let counted = false;
    const taken = await shared(
      async () => {
        const now = Date.now();
        counted = (await redis.chatwireAcquire(key(userId), now, now + ttlMs, this.max, socketId, ttlMs * 2)) === 1;
        return counted;
      },
      // Redis away: this node's own count decides.
      () => this.local.acquireNow(userId, socketId),
    );
    // Kept here too, to be refreshed by heartbeats (even if Redis lost some of this node's entries).
    if (counted) this.local.acquireNow(userId, socketId, Number.POSITIVE_INFINITY);
    return taken;
  }

  async release(userId: string, socketId: string): Promise<void> {
    await this.local.release(userId, socketId);
    // Where Redis does not take it now, the entry expires within ttlMs: no node refreshes it any more.
    await this.context.shared(
      () => this.context.redis.zrem(this.context.key(userId), socketId),
      () => 0,
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const removals = [...this.local.held()].flatMap(([userId, sockets]) =>
      [...sockets].map((socketId) => ['zrem', this.context.key(userId), socketId]),
    );
    await this.local.close();
    if (removals.length > 0) {
      await this.context.shared(
        () => this.context.redis.multi(removals).exec(),
        () => null,
      );
    }
  }

  /** Refreshes this node's entries (and writes them back after Redis lost its data); never overlaps. */
  private async heartbeat(): Promise<void> {
    const { redis, key, ttlMs, logger } = this.context;
    const held = this.local.held();
    if (this.beating || held.size === 0 || redis.status !== 'ready') return;
    this.beating = true;
    const expiresAt = Date.now() + ttlMs;
    const pipeline = redis.pipeline();
    for (const [userId, sockets] of held) {
      for (const socketId of sockets) pipeline.zadd(key(userId), expiresAt, socketId);
      pipeline.pexpire(key(userId), ttlMs * 2);
    }
    try {
      await pipeline.exec();
    } catch (error) {
      logger.warn('chatwire: connection count heartbeat failed', { error });
    } finally {
      this.beating = false;
    }
  }
}
