import type { PresenceChange } from '@chatwire/server';
import { RedisPresence } from '@chatwire/server/redis';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../chat-client/support.js';
import { startRedis } from '../support/cluster.js';

const ana = { userId: 'ana', name: 'Ana' };
const ben = { userId: 'ben', name: 'Ben' };
const cai = { userId: 'cai', name: 'Cai' };

/** A node's RedisPresence on its own connection, and the changes it publishes. */
function node(url: string) {
  const redis = new Redis(url);
  const presence = new RedisPresence(redis, { heartbeatMs: 50, ttlMs: 400 });
  const published: PresenceChange[] = [];
  presence.attach({ publish: (_roomId, change) => published.push(change) });
  onTestFinished(async () => {
    await presence.close();
    redis.disconnect();
  });
  return { redis, presence, published };
}

describe('RedisPresence: changes with versions shared by every node', { timeout: 20_000 }, () => {
  it('numbers the changes of all nodes 1 apart, counts a user with tabs on two nodes once, and publishes the expiry of a dead node', async () => {
    const { url } = await startRedis();
    const [one, two] = [node(url), node(url)];
    await one.presence.join('r', 's1', ana);
    await two.presence.join('r', 's2', ana); // a second tab, on the other node: no change
    await one.presence.join('r', 's3', cai);
    await two.presence.join('r', 's4', ben);
    const v = one.published[0]?.version ?? Number.NaN;
    expect(one.published).toEqual([
      { version: v, joined: [ana], left: [] },
      { version: v + 1, joined: [cai], left: [] },
    ]);
    expect(two.published).toEqual([{ version: v + 2, joined: [ben], left: [] }]);
    const snapshot = await two.presence.snapshot('r');
    expect(snapshot.version).toBe(v + 2);
    expect(snapshot.members.map((user) => user.userId).sort()).toEqual(['ana', 'ben', 'cai']);

    // Node one dies: its entries expire, node two's heartbeat sweeps them. Ana keeps her tab on two.
    one.redis.disconnect();
    await eventually(() => expect(two.published).toHaveLength(2), 5000);
    expect(two.published[1]).toEqual({ version: v + 3, joined: [], left: ['cai'] });
    expect((await two.presence.snapshot('r')).members.map((user) => user.userId).sort()).toEqual(['ana', 'ben']);

    // Her last tab goes: that is a change.
    await two.presence.leave('r', 's2');
    expect(two.published[2]).toEqual({ version: v + 4, joined: [], left: ['ana'] });
    expect(await two.presence.snapshot('r')).toEqual({ version: v + 4, members: [ben] });
  });
});
