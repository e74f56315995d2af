import type { ChatServerOptions } from '@chatwire/server';
import { redisCluster } from '@chatwire/server/redis';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { attempt, type ChatTestClient, connectAtOnce, connectUser, join, range, startChat } from '../chat/support.js';
import { startRedis } from '../support/cluster.js';

/** A clock that stands still: no token comes back during a test, so counts are exact. */
const now = () => 1_800_000_000_000;

/**
 * A chat node in this process whose limits are shared through Redis (only the limits: fan-out and
 * presence are not what these tests look at). Its own ioredis client, to watch and cut.
 */
async function startNode(url: string, options: Partial<ChatServerOptions> = {}, ttlMs = 9000) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  onTestFinished(() => redis.disconnect());
  // Until then the node counts on its own: connected first, as a node in service is.
  await expect.poll(() => redis.status).toBe('ready');
  const cluster = redisCluster({ redis, limits: { ttlMs, heartbeatMs: Math.floor(ttlMs / 5) } });
  const node = await startChat({ now, ...options, limits: cluster.limits });
  return { ...node, redis };
}

function sends(client: ChatTestClient, count: number, prefix: string) {
  return Promise.all(
    range(1, count).map((i) =>
      client.request('message:send', { roomId: 'lobby', clientMessageId: `${prefix}-${i}`, text: `${prefix} ${i}` }),
    ),
  );
}

const accepted = (results: { ok: boolean }[]) => results.filter((result) => result.ok).length;

/** ana with one connection on each node, both in `lobby`. */
async function anaOnBoth(one: { url: string }, two: { url: string }) {
  const tabs = [await connectUser(one.url, 'ana'), await connectUser(two.url, 'ana')] as const;
  for (const tab of tabs) await join(tab, 'lobby');
  return tabs;
}

describe('limits shared by two nodes through Redis', { timeout: 60_000 }, () => {
  it('a user sending through both nodes gets the send limit once, not once per node', async () => {
    const redis = await startRedis();
    const [one, two] = [await startNode(redis.url), await startNode(redis.url)];
    const [tab1, tab2] = await anaOnBoth(one, two);
    const results = await Promise.all([sends(tab1, 15, 'one'), sends(tab2, 15, 'two')]);
    // The default bucket (burst 20) counts both nodes' sends together.
    expect(accepted(results.flat())).toBe(20);
    const refused = results.flat().find((result) => !result.ok);
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: 100 } });
  });

  it('the action limit is per user across nodes too', async () => {
    const redis = await startRedis();
    const options = { actionRateLimit: { ratePerSecond: 5, burst: 10 } };
    const [one, two] = [await startNode(redis.url, options), await startNode(redis.url, options)];
    const [tab1, tab2] = await anaOnBoth(one, two);
    const fetches = (tab: ChatTestClient) =>
      Promise.all(range(1, 6).map(() => tab.request('history:fetch', { roomId: 'lobby' })));
    // The two joins took 2 of 10.
    expect(accepted((await Promise.all([fetches(tab1), fetches(tab2)])).flat())).toBe(8);
  });

  it('the connection cap holds across nodes, exactly, when 20 connects race (10 per node)', async () => {
    const redis = await startRedis();
    const [one, two] = [await startNode(redis.url), await startNode(redis.url)];
    const [atOne, atTwo] = await Promise.all([connectAtOnce(one.url, 'ana', 10), connectAtOnce(two.url, 'ana', 10)]);
    expect(atOne.accepted.length + atTwo.accepted.length).toBe(16);
    expect([...atOne.refused, ...atTwo.refused]).toEqual(
      Array.from({ length: 4 }, () => expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 9000 })),
    );
    // A disconnect on one node frees a place for a connect on the other, one place only.
    const [leaving, server] = atOne.accepted.length > 0 ? [atOne.accepted[0]!, one] : [atTwo.accepted[0]!, two];
    const before = server.chat.raw.server.sockets.sockets.size;
    leaving.close();
    await expect.poll(() => server.chat.raw.server.sockets.sockets.size).toBe(before - 1);
    const other = server === one ? two : one;
    await expect.poll(async () => (await attempt(other.url, 'ana')).error).toBeUndefined();
    expect((await attempt(other.url, 'ana')).error?.code).toBe('RATE_LIMITED');
  });

  it("a dead node's connections stop counting once their entries expire", async () => {
    const redis = await startRedis();
    const options = { maxConnectionsPerUser: 2 };
    const [one, two] = [await startNode(redis.url, options, 600), await startNode(redis.url, options, 600)];
    expect((await connectAtOnce(one.url, 'ana', 2)).accepted).toHaveLength(2);
    expect((await attempt(two.url, 'ana')).error?.code).toBe('RATE_LIMITED');
    // Node one is gone for the cluster: no heartbeat, no release reaches Redis any more.
    one.redis.disconnect();
    await expect.poll(async () => (await attempt(two.url, 'ana')).error, { timeout: 5000 }).toBeUndefined();
  });

  it('with Redis down the limits fall back to per node and sends still work; with Redis back they are shared again', async () => {
    const redis = await startRedis();
    const options = { rateLimit: { ratePerSecond: 1, burst: 5 }, maxConnectionsPerUser: 4 };
    const [one, two] = [await startNode(redis.url, options), await startNode(redis.url, options)];
    const [tab1, tab2] = await anaOnBoth(one, two);

    await redis.stop();
    await expect.poll(() => [one.redis.status, two.redis.status].includes('ready')).toBe(false);
    // Each node counts on its own: 5 per node.
    const during = await Promise.all([sends(tab1, 6, 'down-one'), sends(tab2, 6, 'down-two')]);
    expect(during.map(accepted)).toEqual([5, 5]);
    for (const result of during.flat().filter((r) => !r.ok)) {
      expect(result).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    }
    // Connecting still works (counted per node): ana now has 3 connections.
    const third = await attempt(one.url, 'ana');
    expect(third.error).toBeUndefined();

    await redis.start();
    await expect.poll(() => [one.redis.status, two.redis.status], { timeout: 10_000 }).toEqual(['ready', 'ready']);
    // Shared again: one fresh bucket (Redis came back empty) for both nodes.
    const after = await Promise.all([sends(tab1, 4, 'up-one'), sends(tab2, 4, 'up-two')]);
    expect(accepted(after.flat())).toBe(5);
    // Heartbeats write the nodes' connections back: 3 held, so of 3 racing connects one gets in.
    const control = new Redis(redis.url);
    onTestFinished(() => control.disconnect());
    await expect.poll(() => control.zcard('chatwire:connections:ana'), { timeout: 10_000 }).toBe(3);
    const [a, b] = await Promise.all([connectAtOnce(one.url, 'ana', 2), connectAtOnce(two.url, 'ana', 1)]);
    expect(a.accepted.length + b.accepted.length).toBe(1);
  });

  it('with Redis paused (connected, not answering) sends do not wait for it: they count per node', async () => {
    const redis = await startRedis();
    const options = { rateLimit: { ratePerSecond: 1, burst: 5 } };
    const [one, two] = [await startNode(redis.url, options), await startNode(redis.url, options)];
    const [tab1] = await anaOnBoth(one, two);
    const control = new Redis(redis.url);
    onTestFinished(() => control.disconnect());
    // Paused until the test ends: the sends must be answered while Redis does not answer.
    await control.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    onTestFinished(async () => {
      await control.call('CLIENT', 'UNPAUSE');
    });
    await control.call('CONFIG', 'RESETSTAT');
    const during = await sends(tab1, 6, 'paused');
    expect(one.redis.status).toBe('ready');
    expect(accepted(during)).toBe(5);
    expect(during.filter((r) => !r.ok)).toEqual([
      { ok: false, error: expect.objectContaining({ code: 'RATE_LIMITED' }) },
    ]);
    // Once Redis is known to be away, requests no longer queue commands for it.
    for (let i = 1; i <= 10; i++) {
      const [later] = await sends(tab1, 1, `later-${i}`);
      expect(later).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    }
    await control.call('CLIENT', 'UNPAUSE');
    // Answered after every command node one queued before it.
    await one.redis.ping();
    const stats = String(await control.call('INFO', 'commandstats'));
    expect(Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1])).toBe(6);
  });
});
