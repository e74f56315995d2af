import { createAdapter, type RedisStreamsAdapterOptions } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { RedisLimits, type RedisLimitsOptions } from '../chat/redis-limits.js';
import { RedisPresence, type RedisPresenceOptions } from '../chat/redis-presence.js';
import { type Logger, silentLogger } from '../logger.js';

/** Options of {@link redisCluster}. */
export interface RedisClusterOptions {
  /** A `redis://` URL, or an ioredis client (which you then close yourself). */
  redis: string | Redis;
  /**
   * Options of socket.io's Redis Streams adapter (stream name, maxLen…). `blockTimeInMs` defaults to
   * 1000 here (the adapter's own default is 5000), so that a closing node stops reading quickly.
   */
  adapter?: RedisStreamsAdapterOptions;
  /** Options of the Redis presence (key prefix, TTL, heartbeat). */
  presence?: Omit<RedisPresenceOptions, 'logger'>;
  /** Options of the shared limits (key prefix, command timeout, connection TTL and heartbeat). */
  limits?: Omit<RedisLimitsOptions, 'logger'>;
  /** Where Redis connection errors, failed heartbeats and limits falling back to per node are reported. @default silent */
  logger?: Logger;
}

/** What a chat server needs to run on several nodes: give `adapter`, `presence` and `limits` to createChatServer. */
export interface RedisCluster {
  /** socket.io's Redis Streams adapter, for the `adapter` option. */
  adapter: ReturnType<typeof createAdapter>;
  /** Presence on Redis with expiring heartbeats, for the `presence` option. */
  presence: RedisPresence;
  /** Rate limits and connections per user counted across nodes (per node while Redis is away), for the `limits` option. */
  limits: RedisLimits;
  /** Closes the Redis connection it opened (call after the chat server's close()). */
  close(): Promise<void>;
}

/**
 * Wires a chat server for several nodes on one Redis: socket.io's Redis Streams adapter for fan-out
 * (a stream, so a node that loses Redis for a moment resumes where it was without losing packets;
 * its request/response traffic uses pub/sub, hence ioredis, which re-subscribes after a reconnect),
 * presence with expiring heartbeats, and limits shared by every node.
 * @example
 * const cluster = redisCluster({ redis: process.env.REDIS_URL! });
 * const chat = createChatServer({ httpServer, store, authenticate, adapter: cluster.adapter, presence: cluster.presence, limits: cluster.limits });
 */
export function redisCluster(options: RedisClusterOptions): RedisCluster {
  const logger = options.logger ?? silentLogger;
  const owned = typeof options.redis === 'string';
  const redis = typeof options.redis === 'string' ? new Redis(options.redis) : options.redis;
  // ioredis reports connection errors as events (and reconnects by itself); unheard, they would throw.
  if (owned) redis.on('error', (error) => logger.warn('chatwire: Redis connection error', { error }));
  return {
    // A closing node's reader leaves only when its blocking XREAD returns: keep that wait short.
    adapter: createAdapter(redis, { blockTimeInMs: 1000, ...options.adapter }),
    presence: new RedisPresence(redis, { ...options.presence, logger }),
    limits: new RedisLimits(redis, { ...options.limits, logger }),
    close: async () => {
      if (owned) redis.disconnect();
    },
  };
}
