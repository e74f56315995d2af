import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { PresenceChange } from '../../src/chat/presence.js';
import { RedisPresence } from '../../src/chat/redis-presence.js';

/** The machine's Redis, overridable for other setups; each test uses keys of its own prefix. */
const REDIS_URL = process.env.CHATWIRE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

const ana = { userId: 'ana', name: 'Ana' };
const bob = { userId: 'bob', name: 'Bob' };

/** One node's presence on a fresh key prefix; what it publishes is recorded. */
function node(keyPrefix: string, options: { ttlMs: number; heartbeatMs: number }) {
  const redis = new Redis(REDIS_URL);
  const presence = new RedisPresence(redis, { keyPrefix, ...options });
  const published: PresenceChange[] = [];
  presence.attach({ publish: (_roomId, change) => published.push(change) });
  onTestFinished(async () => {
    await presence.close();
    redis.disconnect();
  });
  return { presence, published };
}

describe('RedisPresence', () => {
  it('counts a user with several sockets once: joined with the first, left with the last', async () => {
    const prefix = `test-${randomUUID()}:`;
    const { presence, published } = node(prefix, { ttlMs: 9000, heartbeatMs: 3_600_000 });
    await presence.join('r', 's1', ana);
    await presence.join('r', 's2', ana);
    await presence.join('r', 's3', bob);
    expect((await presence.snapshot('r')).members).toEqual([ana, bob]);
    await presence.leave('r', 's1');
    expect((await presence.snapshot('r')).members).toEqual([ana, bob]);
    await presence.leave('r', 's2');
    expect((await presence.snapshot('r')).members).toEqual([bob]);
    expect(published.map(({ joined, left }) => [joined.map((u) => u.userId), left])).toEqual([
      [['ana'], []],
      [['bob'], []],
      [[], ['ana']],
    ]);
    // Each change grows the version by exactly 1.
    const versions = published.map((change) => change.version);
    expect(versions).toEqual([versions[0], versions[0]! + 1, versions[0]! + 2]);
  });
});
