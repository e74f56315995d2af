import type { createAdapter, RedisStreamsAdapterOptions } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { RedisLimits, type RedisLimitsOptions } from '../chat/redis-limits.js';
import { RedisPresence, type RedisPresenceOptions } from '../chat/redis-presence.js';
import { type Logger, toLogger } from '../logger.js';
import { guardedAdapter } from './guarded-adapter.js';

/**
 * Options of {@link redisCluster}.
 *
 * @example
 * ```ts
 * const cluster = redisCluster({ redis: 'redis://127.0.0.1:6379', commandTimeoutMs: 1000 } satisfies RedisClusterOptions);
 * ```
 */
export interface RedisClusterOptions {
  /**
   * A `redis://` URL, or an ioredis client (which you then close yourself; give it a `commandTimeout`
   * and an 'error' listener of your own).
   */
  redis: string | Redis;
  /**
   * How long a Redis command of the client made from the URL may take before it fails (a join then
   * answers `UNAVAILABLE`): while Redis hangs or is away, requests fail fast instead of piling up.
   * @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * Options of socket.io's Redis Streams adapter (stream name, maxLen…). `blockTimeInMs` defaults to
   * 1000 here, at most half of `commandTimeoutMs` (the adapter's own default is 5000), so that a
   * closing node stops reading quickly and a blocking read never counts as timed out.
   */
  adapter?: RedisStreamsAdapterOptions;
  /** Options of the Redis presence (key prefix, TTL, heartbeat). */
  presence?: Omit<RedisPresenceOptions, 'logger'>;
  /** Options of the shared limits (key prefix, command timeout, connection TTL and heartbeat). */
  limits?: Omit<RedisLimitsOptions, 'logger'>;
  /** Where Redis connection errors, failed heartbeats and adapter commands, and limits falling back to per node are reported. @default silent */
  logger?: Logger;
}

/**
 * What a chat server needs to run on several nodes: give `adapter`, `presence` and `limits` to createChatServer.
 *
 * @example
 * ```ts
 * const cluster: RedisCluster = redisCluster({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
 * const { adapter, presence, limits } = cluster;
 * const chat = createChatServer({ httpServer, store, authenticate, adapter, presence, limits });
 * ```
 */
export interface RedisCluster {
  /**
   * socket.io's Redis Streams adapter, for the `adapter` option, on a connection of its own (a
   * duplicate of `redis`). A failed Redis command of it is logged, never an unhandled rejection.
   */
  adapter: ReturnType<typeof createAdapter>;
  /** Presence on Redis with expiring heartbeats, for the `presence` option. */
  presence: RedisPresence;
  /** Rate limits and connections per user counted across nodes (per node while Redis is away), for the `limits` option. */
  limits: RedisLimits;
  /** The ioredis client in use (yours, or the one made from the URL), e.g. to watch its health. */
  redis: Redis;
  /** Closes the Redis connections it opened (call after the chat server's close()). */
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
  const logger = toLogger(options.logger);
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  // A closing node's reader leaves only when its blocking XREAD returns: keep that wait short.
  const blockTimeInMs = options.adapter?.blockTimeInMs ?? Math.min(1000, Math.floor(commandTimeoutMs / 2));
  const owned = typeof options.redis === 'string';
  if (owned && blockTimeInMs >= commandTimeoutMs) {
    throw new TypeError(
      `adapter.blockTimeInMs (${blockTimeInMs}) must be below commandTimeoutMs (${commandTimeoutMs})`,
    );
  }
  const redis =
    typeof options.redis === 'string'
      ? new Redis(options.redis, {
          // Every command fails after commandTimeoutMs. Commands issued while disconnected wait in the
          // offline queue, which is emptied (each fails) after every failed reconnection attempt. The
          // queue stays on: the adapter's readers (duplicates of this client) retry a failed read at
          // once, and without the queue that retry would spin while Redis is away.
          commandTimeout: commandTimeoutMs,
          maxRetriesPerRequest: 1,
        })
      : options.redis;
  // ioredis reports connection errors as events (and reconnects by itself); unheard, they would throw.
  if (owned) redis.on('error', (error) => logger.warn('chatwire: Redis connection error', { error }));
  const adapter = guardedAdapter(redis, { ...options.adapter, blockTimeInMs }, logger);
  return {
    adapter: adapter.adapter,
    presence: new RedisPresence(redis, { ...options.presence, logger }),
    limits: new RedisLimits(redis, { ...options.limits, logger }),
    redis,
    close: async () => {
      adapter.close();
      if (owned) redis.disconnect();
    },
  };
}
