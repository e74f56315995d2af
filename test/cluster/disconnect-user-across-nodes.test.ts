import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatServer, createChatServer } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { PostgresStore } from '@chatwire/server/postgres';
import { redisCluster } from '@chatwire/server/redis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { nextValue } from '../support/harness.js';
import { clusterServices } from './support.js';

/** A chat node in this process, on the test's Redis and PostgreSQL. */
async function startNode(redisUrl: string, databaseUrl: string): Promise<{ chat: ChatServer; url: string }> {
  const store = await PostgresStore.open({ connectionString: databaseUrl });
  const cluster = redisCluster({ redis: redisUrl });
  const httpServer = createHttpServer();
  const chat = createChatServer({
    httpServer,
    store,
    authenticate: devAuthenticator(),
    adapter: cluster.adapter,
    presence: cluster.presence,
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    await chat.close();
    await cluster.close();
  });
  return { chat, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

describe('operations across nodes', { timeout: 60_000 }, () => {
  it('disconnectUser on one node closes that user’s sockets on every node', async () => {
    const { redis, database } = await clusterServices();
    const [one, two] = [await startNode(redis.url, database.url), await startNode(redis.url, database.url)];
    const tabs = [
      chatClient(one.url, 'ana', { reconnection: false }),
      chatClient(two.url, 'ana', { reconnection: false }),
    ];
    const bystander = chatClient(two.url, 'ben', { reconnection: false });
    await Promise.all([...tabs, bystander].map((client) => joinRoom(client, 'r')));
    const gone = tabs.map((tab) => nextValue<string>((fn) => tab.on('status', (status) => fn(status)), 10_000));
    await one.chat.disconnectUser('ana');
    expect(await Promise.all(gone)).toEqual(['disconnected', 'disconnected']);
    expect(bystander.status).toBe('connected');
    const room = bystander.rooms.get('r')!;
    await eventually(() => expect(room.members.map((m) => m.userId)).toEqual(['ben']), 10_000);
  });
});
