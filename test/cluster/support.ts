import type { ChatClient, ChatRoom } from '@chatwire/client';
import { PostgresStore } from '@chatwire/server/postgres';
import { expect, onTestFinished } from 'vitest';
import { createTestDatabase } from '../../packages/server/test/support/postgres.js';
import { startRedis } from '../support/cluster.js';

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
