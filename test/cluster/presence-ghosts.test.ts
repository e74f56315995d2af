import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatContract } from '@chatwire/protocol';
import { createChatServer, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { redisCluster } from '@chatwire/server/redis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../chat-client/support.js';
import { startRedis } from '../support/cluster.js';
import { connectClient, connected, gate } from '../support/harness.js';

/** A chat on Redis presence whose room check holds each join until the test opens `joinMayFinish`. */
async function startHeldJoins() {
  const redis = await startRedis();
  const cluster = redisCluster({ redis: redis.url, presence: { heartbeatMs: 100 } });
  const joinChecked = gate();
  const joinMayFinish = gate();
  const presenceJoined = gate();
  const presenceJoin = cluster.presence.join.bind(cluster.presence);
  cluster.presence.join = async (...args) => {
    await presenceJoin(...args);
    presenceJoined.open();
  };
  const httpServer = createHttpServer();
  const chat = createChatServer({
    httpServer,
    store: new MemoryStore(),
    authenticate: devAuthenticator(),
    adapter: cluster.adapter,
    presence: cluster.presence,
    // A slow check (a database lookup, say) leaves time to disconnect mid-join.
    authorizeRoom: async () => {
      joinChecked.open();
      await joinMayFinish.promise;
      return true;
    },
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    await chat.close();
    await cluster.close();
  });
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const leaver = connectClient(chatContract, url, { auth: { userId: 'ghost', name: 'Ghost' } });
  await connected(leaver);
  return { chat, leaver, joinChecked, joinMayFinish, presenceJoined };
}

describe('Redis presence leaves no ghosts (regression)', { timeout: 30_000 }, () => {
  it('a socket that disconnects while its join is under way is not kept as a member', async () => {
    const { chat, leaver, joinChecked, joinMayFinish, presenceJoined } = await startHeldJoins();
    void leaver.request('room:join', { roomId: 'r' });
    await joinChecked.promise;
    leaver.close();
    await eventually(() => expect(chat.server.raw.sockets.size).toBe(0));
    joinMayFinish.open();
    // The join wrote the entry after the disconnect's cleanup ran: the join itself must take it back.
    await presenceJoined.promise;
    await eventually(() => expect(chat.members('r')).resolves.toEqual([]));
  });

  it('a socket that disconnects after its join completed leaves the room', async () => {
    const { chat, leaver, joinMayFinish } = await startHeldJoins();
    joinMayFinish.open();
    expect(await leaver.request('room:join', { roomId: 'r' })).toMatchObject({ ok: true });
    expect(await chat.members('r')).toEqual([{ userId: 'ghost', name: 'Ghost' }]);
    leaver.close();
    await eventually(() => expect(chat.members('r')).resolves.toEqual([]));
  });
});
