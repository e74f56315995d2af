/**
 * Running the chat server on several nodes with Redis (needs `ioredis` and `@socket.io/redis-streams-adapter`).
 *
 * @packageDocumentation
 * @module @chatwire/server/redis
 */
export { RedisLimits, type RedisLimitsOptions } from './chat/redis-limits.js';
export { RedisPresence, type RedisPresenceOptions } from './chat/redis-presence.js';
export { type RedisCluster, type RedisClusterOptions, redisCluster } from './cluster/redis-cluster.js';
