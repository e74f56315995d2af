import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatClient, ChatRoom } from '@chatwire/client';
import { type ChatServer, createChatServer } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { PostgresStore } from '@chatwire/server/postgres';
import { redisCluster } from '@chatwire/server/redis';
import { expect, onTestFinished } from 'vitest';
import { createTestDatabase } from '../../packages/server/test/support/postgres.js';
import { startRedis } from '../support/cluster.js';

/** A chat node in this process, on the test's Redis and PostgreSQL; closed when the test ends. */
export async function startInProcessNode(
  redisUrl: string,
  databaseUrl: string,
): Promise<{ chat: ChatServer; url: string }> {
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

/** A Redis and a PostgreSQL database of the test's own, and the env that points chat nodes at them. */
export async function clusterServices() {
  const [redis, database] = await Promise.all([startRedis(), createTestDatabase()]);
  onTestFinished(() => database.drop());
  return { redis, database, env: { REDIS_URL: redis.url, DATABASE_URL: database.url } };
}

/** The room's history straight from PostgreSQL. */
export async function storedTexts(databaseUrl: string, roomId: string): Promise<string[]> {
  const store = await PostgresStore.open({ connectionString: databaseUrl });
  try {
    const texts: string[] = [];
    let after = 0;
    for (;;) {
      const page = await store.history(roomId, { after, limit: 100 });
      texts.push(...page.messages.map((m) => m.text));
      const last = page.messages.at(-1);
      if (!page.hasMore || last === undefined) return texts;
      after = last.serial;
    }
  } finally {
    await store.close();
  }
}

/** Sent messages of a room, in list order: [serial, text]. */
export function serialsAndTexts(room: ChatRoom): [number, string][] {
  return room.messages.flatMap((m) => (m.status === 'sent' ? [[m.serial, m.text] as [number, string]] : []));
}

/** Every client's room holds exactly `texts`, as serials 1..n in order, nothing pending or failed. */
export function expectComplete(rooms: ChatRoom[], texts: string[]): void {
  const expected = texts.map((text, i): [number, string] => [i + 1, text]);
  for (const room of rooms) {
    expect(room.messages.filter((m) => m.status !== 'sent')).toEqual([]);
    expect(serialsAndTexts(room)).toEqual(expected);
  }
}

/** Closes clients first when the test finishes (before the nodes they talk to). */
export function closeAll(clients: ChatClient[]): void {
  onTestFinished(() => {
    for (const client of clients) client.close();
  });
}
