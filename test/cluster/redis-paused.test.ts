import { chatContract } from '@chatwire/protocol';
import { MemoryStore } from '@chatwire/server';
import { redisCluster } from '@chatwire/server/redis';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startChat } from '../chat/support.js';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { startRedis } from '../support/cluster.js';
import { connectClient, connected, sleep } from '../support/harness.js';
import { closeAll } from './support.js';

// The 30 s pause with 2 s command timeouts, ten times shorter in CI; the same proportions at
// full length with CHATWIRE_TEST_REDIS_TIMEOUT_MS=2000.
const COMMAND_TIMEOUT_MS = Number(process.env.CHATWIRE_TEST_REDIS_TIMEOUT_MS ?? 200);
const PAUSE_MS = 15 * COMMAND_TIMEOUT_MS;
const MEMBERSHIPS = 1000;

/** A chat node in this process on the test's Redis; all nodes share one store. */
async function startNode(redisUrl: string, store: MemoryStore) {
  const cluster = redisCluster({
    redis: redisUrl,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    presence: { heartbeatMs: COMMAND_TIMEOUT_MS / 2, ttlMs: 10 * COMMAND_TIMEOUT_MS },
  });
  onTestFinished(() => cluster.close());
  const node = await startChat({ store, adapter: cluster.adapter, presence: cluster.presence, rateLimit: false });
  return { ...node, cluster };
}

/** Commands sent to Redis and not answered yet, plus those waiting to be sent. */
function waiting(redis: Redis): number {
  const offline = (redis as unknown as { offlineQueue: { length: number } }).offlineQueue;
  return redis.commandQueue.length + offline.length;
}

describe('Redis paused, then restarted', { timeout: 60_000 + 3 * PAUSE_MS }, () => {
  it('joins fail fast with UNAVAILABLE, nothing piles up, and presence and fan-out recover', async () => {
    const redis = await startRedis();
    const store = new MemoryStore();
    const [a, b] = [await startNode(redis.url, store), await startNode(redis.url, store)];
    for (let i = 0; i < MEMBERSHIPS; i++) {
      await a.cluster.presence.join(`room-${i % 20}`, `socket-${i}`, { userId: `u${i}`, name: `U${i}` });
    }
    const [ana, ben] = [chatClient(a.url, 'ana'), chatClient(b.url, 'ben')];
    closeAll([ana, ben]);
    const [atAna, atBen] = [await joinRoom(ana, 'r'), await joinRoom(ben, 'r')];
    const probe = connectClient(chatContract, a.url, { auth: { userId: 'probe', name: 'Probe' } });
    await connected(probe);
    /** A join that must fail: how long it took. */
    const refusedJoin = async (roomId: string) => {
      const started = performance.now();
      const result = await probe.request('room:join', { roomId }, { timeoutMs: PAUSE_MS * 2 });
      expect(result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      return performance.now() - started;
    };
    const everyoneBack = async () => {
      await eventually(async () => {
        expect((await b.chat.members('r')).map((user) => user.userId).sort()).toEqual(['ana', 'ben']);
        expect((await b.chat.members('room-0')).length).toBe(MEMBERSHIPS / 20);
      }, 20_000);
      const text = `hello ${Date.now()}`;
      expect((await atAna.send(text)).ok).toBe(true);
      await eventually(() => expect(atBen.messages.at(-1)).toMatchObject({ text, status: 'sent' }), 20_000);
    };
    await everyoneBack();

    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    const pausedAt = performance.now();
    admin.disconnect();
    // Fast: within a few command timeouts, not at the end of the pause.
    expect(await refusedJoin('during-pause-1')).toBeLessThan(3 * COMMAND_TIMEOUT_MS);
    const early = waiting(a.cluster.redis);
    await sleep(PAUSE_MS * 0.7 - (performance.now() - pausedAt));
    expect(await refusedJoin('during-pause-2')).toBeLessThan(3 * COMMAND_TIMEOUT_MS);
    // Heartbeats did not stack up behind the pause: at most a PING per command timeout and the
    // second join were added (each heartbeat more would add 20: a script per room).
    expect(waiting(a.cluster.redis) - early).toBeLessThan(PAUSE_MS / COMMAND_TIMEOUT_MS + 50);
    await everyoneBack();

    await redis.stop();
    expect(await refusedJoin('while-down')).toBeLessThan(3 * COMMAND_TIMEOUT_MS);
    await redis.start();
    await everyoneBack();
  });
});
