import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatContract } from '@chatwire/protocol';
import { createChatServer, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { redisCluster } from '@chatwire/server/redis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startRedis } from '../support/cluster.js';
import { connectClient, connected, sleep } from '../support/harness.js';

describe('Redis presence leaves no ghosts (regression)', { timeout: 30_000 }, () => {
  it('a socket that disconnects while its join is under way is not kept as a member', async () => {
    const redis = await startRedis();
    const cluster = redisCluster({ redis: redis.url, presence: { heartbeatMs: 100 } });
    const httpServer = createHttpServer();
    const chat = createChatServer({
      httpServer,
      store: new MemoryStore(),
      authenticate: devAuthenticator(),
      adapter: cluster.adapter,
      presence: cluster.presence,
      // A slow check (a database lookup, say) leaves time to disconnect mid-join.
      authorizeRoom: async () => {
        await sleep(200);
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
    void leaver.request('room:join', { roomId: 'r' });
    await sleep(50);
    leaver.close();
    await sleep(600); // the join finishes, then several heartbeats pass
    expect(await chat.members('r')).toEqual([]);

    const stayer = connectClient(chatContract, url, { auth: { userId: 'ana', name: 'Ana' } });
    await connected(stayer);
    expect(await stayer.request('room:join', { roomId: 'r' })).toMatchObject({ ok: true });
    expect(await chat.members('r')).toEqual([{ userId: 'ana', name: 'Ana' }]);
  });
});
