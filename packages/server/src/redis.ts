export { RedisLimits, type RedisLimitsOptions } from './chat/redis-limits.js';
export { RedisPresence, type RedisPresenceOptions } from './chat/redis-presence.js';
export { type RedisCluster, type RedisClusterOptions, redisCluster } from './cluster/redis-cluster.js';
