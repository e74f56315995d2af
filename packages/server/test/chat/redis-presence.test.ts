import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { PresenceChange } from '../../src/chat/presence.js';
import { RedisPresence } from '../../src/chat/redis-presence.js';

/** The machine's Redis, overridable for other setups; each test uses keys of its own prefix. */
const REDIS_URL = process.env.CHATWIRE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

const ana = { userId: 'ana', name: 'Ana' };
const bob = { userId: 'bob', name: 'Bob' };

/** One node's presence on a fresh key prefix; what it publishes is recorded. */
function node(keyPrefix: string, options: { ttlMs: number; heartbeatMs: number; now?: () => number }) {
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

  it("sweeps a dead node's entries once they are ttlMs old on the injected clock, not before", async () => {
    const prefix = `test-${randomUUID()}:`;
    const ttlMs = 9000;
    let clock = Date.UTC(2030, 0, 1);
    // The dead node: it wrote ana's entry, then never heartbeats again (as after a SIGKILL).
    const dead = node(prefix, { ttlMs, heartbeatMs: 3_600_000, now: () => clock });
    await dead.presence.join('r', 's1', ana);
    // The live node heartbeats often; each heartbeat reads the clock once per room it refreshes.
    let reads = 0;
    const live = node(prefix, {
      ttlMs,
      heartbeatMs: 10,
      now: () => {
        reads += 1;
        return clock;
      },
    });
    await live.presence.join('r', 's2', bob);
    /** Waits for two more heartbeats of the live node: the first of them ran wholly at the clock set now. */
    const heartbeats = async () => {
      const from = reads;
      await vi.waitFor(() => expect(reads).toBeGreaterThanOrEqual(from + 2), { timeout: 5000, interval: 5 });
    };

    clock += ttlMs - 1;
    await heartbeats();
    expect((await live.presence.snapshot('r')).members).toEqual([ana, bob]);
    expect(live.published.flatMap((change) => change.left)).toEqual([]);

    clock += 2;
    await vi.waitFor(() => expect(live.published.flatMap((change) => change.left)).toEqual(['ana']), {
      timeout: 5000,
      interval: 5,
    });
    expect((await live.presence.snapshot('r')).members).toEqual([bob]);
    // The live node's own entry is refreshed at each heartbeat: it outlives many TTLs of the clock.
    clock += 10 * ttlMs;
    await heartbeats();
    expect((await live.presence.snapshot('r')).members).toEqual([bob]);
  });
});
