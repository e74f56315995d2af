import { MemoryRateLimiter, type RateLimit, type RateLimiter } from '../limits/rate-limiter.js';
import { type ConnectionCap, MemoryConnectionCap } from './connection-cap.js';

/**
 * Where a chat server counts its limits (send and request rates, connections per user): in this
 * process ({@link memoryLimits}, the default), or shared by every node (`redisCluster().limits`).
 *
 * @example
 * ```ts
 * const chat = createChatServer({ httpServer, store, authenticate, limits: memoryLimits satisfies Limits });
 * ```
 */
export interface Limits {
  /** A token-bucket limiter; `name` keeps its buckets apart from other limiters' (`send`, `action`). */
  rateLimiter(name: string, limit: RateLimit, now: () => number): RateLimiter;
  /** Counts connections per user, at most `max` each. */
  connectionCap(max: number): ConnectionCap;
}

/**
 * Limits counted in this process: right for one node; with several, each counts on its own.
 *
 * @example
 * ```ts
 * const limiter = memoryLimits.rateLimiter('send', { ratePerSecond: 5, burst: 10 }, Date.now);
 * ```
 */
export const memoryLimits: Limits = {
  rateLimiter: (_name, limit, now) => new MemoryRateLimiter(limit, now),
  connectionCap: (max) => new MemoryConnectionCap(max),
};
