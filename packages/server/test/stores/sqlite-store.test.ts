import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@chatwire/server/sqlite';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { describeStoreContract } from '../support/store-contract.js';

describeStoreContract('SqliteStore', async () => new SqliteStore({ path: ':memory:' }));

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chatwire-sqlite-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'chat.db');
}

describe('SqliteStore on a file', () => {
  it('keeps messages, serials, reactions and read markers across a restart', async () => {
    const path = await tempFile();
    const first = new SqliteStore({ path });
    const author = { userId: 'a', name: 'A' };
    await first.append({ roomId: 'r', clientMessageId: 'c1', author, text: 'one', createdAt: 1 });
    await first.append({ roomId: 'r', clientMessageId: 'c2', author, text: 'two', createdAt: 2 });
    await first.toggleReaction('r', 2, '🔥', 'b', 10, 50);
    await first.markRead('r', 'b', 2);
    await first.close();

    const second = new SqliteStore({ path });
    onTestFinished(() => second.close());
    expect(await second.lastSerial('r')).toBe(2);
    expect(await second.get('r', 2)).toMatchObject({ text: 'two', reactions: { '🔥': ['b'] } });
    expect(await second.readMarkers('r')).toEqual({ a: 2, b: 2 });
    const retry = await second.append({ roomId: 'r', clientMessageId: 'c1', author, text: 'one again', createdAt: 3 });
    expect(retry).toMatchObject({ created: false, message: { serial: 1, text: 'one' } });
    expect(
      (await second.append({ roomId: 'r', clientMessageId: 'c3', author, text: 'three', createdAt: 4 })).message.serial,
    ).toBe(3);
  });

  it('upgrades a database made by the first version of the schema', async () => {
    const path = await tempFile();
    const old = new Database(path);
    old.exec(`CREATE TABLE chat_rooms (room_id TEXT PRIMARY KEY, last_serial INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE chat_messages (room_id TEXT NOT NULL, serial INTEGER NOT NULL, id TEXT NOT NULL,
        client_message_id TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL,
        created_at INTEGER NOT NULL, edited_at INTEGER, deleted_at INTEGER, reactions TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (room_id, serial)) WITHOUT ROWID;
      INSERT INTO chat_rooms VALUES ('r', 3);
      INSERT INTO chat_messages (room_id, serial, id, client_message_id, author_id, author_name, text, created_at, deleted_at)
        VALUES ('r', 1, 'id1', 'c1', 'a', 'A', 'from before', 1, NULL), ('r', 2, 'id2', 'c2', 'a', 'A', '', 2, 5),
          ('r', 3, 'id3', 'c3', 'a', 'A', 'before the search', 3, NULL);`);
    old.close();
    const store = new SqliteStore({ path });
    onTestFinished(() => store.close());
    expect(await store.get('r', 1)).toMatchObject({ text: 'from before' });
    // The search index covers the messages stored before it existed, and follows their changes.
    const found = async (query: string) =>
      (await store.search('r', query, { limit: 10 })).messages.map((m) => m.serial);
    expect(await found('before')).toEqual([3, 1]);
    await store.delete('r', 3, 40);
    await store.edit('r', 1, 'edited after the upgrade', 50);
    expect((await store.updatedSince('r', 0, 10)).map((m) => m.text)).toEqual(['', 'edited after the upgrade']);
    expect(await found('before')).toEqual([]);
    expect(await found('upgrade')).toEqual([1]);
    expect(
      (
        await store.append({
          roomId: 'r',
          clientMessageId: 'c4',
          author: { userId: 'a', name: 'A' },
          text: 'new',
          createdAt: 2,
        })
      ).message.serial,
    ).toBe(4);
    expect(await found('new')).toEqual([4]);
  });

  it('uses write-ahead logging', async () => {
    const path = await tempFile();
    const store = new SqliteStore({ path });
    onTestFinished(() => store.close());
    await store.append({
      roomId: 'r',
      clientMessageId: 'c',
      author: { userId: 'a', name: 'A' },
      text: 't',
      createdAt: 1,
    });
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${path}-wal`)).toBe(true);
  });

  it('commits concurrent appends together, failing only the one that fails', async () => {
    const store = new SqliteStore({ path: await tempFile() });
    onTestFinished(() => store.close());
    const author = { userId: 'u', name: 'U' };
    const draft = (i: number) => ({ roomId: 'r', clientMessageId: `c${i}`, author, text: `m${i}`, createdAt: i });
    // JSON has no BigInt: this meta cannot be stored.
    const unstorable = { ...draft(1), meta: { n: 1n } as unknown as Record<string, number> };
    const results = await Promise.allSettled([
      store.append(draft(0)),
      store.append(unstorable),
      store.append(draft(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.history('r', { limit: 10 })).messages.map((m) => [m.serial, m.text])).toEqual([
      [1, 'm0'],
      [2, 'm2'],
    ]);
  });

  it("answers appends while an app's tests fake the timers", async () => {
    const store = new SqliteStore({ path: ':memory:' });
    onTestFinished(() => store.close());
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const author = { userId: 'u', name: 'U' };
    const appended = await store.append({ roomId: 'r', clientMessageId: 'c', author, text: 'hi', createdAt: 1 });
    expect(appended).toMatchObject({ created: true, message: { serial: 1 } });
  });

  it('rejects every append of a batch whose commit fails (a closed database): none waits forever', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.close();
    const author = { userId: 'u', name: 'U' };
    const results = await Promise.allSettled(
      [1, 2].map((i) => store.append({ roomId: 'r', clientMessageId: `c${i}`, author, text: 'hi', createdAt: i })),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('commits the appends still waiting when it closes', async () => {
    const path = await tempFile();
    const first = new SqliteStore({ path });
    const author = { userId: 'u', name: 'U' };
    const appended = first.append({ roomId: 'r', clientMessageId: 'c', author, text: 'last words', createdAt: 1 });
    await first.close();
    expect((await appended).created).toBe(true);
    const second = new SqliteStore({ path });
    onTestFinished(() => second.close());
    expect(await second.get('r', 1)).toMatchObject({ text: 'last words' });
  });

  it('gives gapless serials to two stores writing to the same file', async () => {
    const path = await tempFile();
    const [a, b] = [new SqliteStore({ path }), new SqliteStore({ path })];
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    const author = { userId: 'u', name: 'U' };
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).append({ roomId: 'r', clientMessageId: `c${i}`, author, text: `m${i}`, createdAt: i }),
      ),
    );
    const page = await a.history('r', { limit: 100 });
    expect(page.messages.map((m) => m.serial)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('finds newest first, page after page, what two stores wrote to the same file at once', async () => {
    const path = await tempFile();
    const [a, b] = [new SqliteStore({ path }), new SqliteStore({ path })];
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    const author = { userId: 'u', name: 'U' };
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 ? a : b).append({
          roomId: i % 3 ? 'r' : 's',
          clientMessageId: `c${i}`,
          author,
          text: `word ${i}`,
          createdAt: i,
        }),
      ),
    );
    for (const [roomId, count] of [
      ['r', 40],
      ['s', 20],
    ] as const) {
      const found: number[] = [];
      for (let before: number | undefined, more = true; more; ) {
        const page = await (found.length % 2 ? a : b).search(roomId, 'word', { limit: 7, before });
        found.push(...page.messages.map((m) => m.serial));
        before = page.messages.at(-1)?.serial;
        more = page.hasMore;
      }
      expect(found).toEqual(Array.from({ length: count }, (_, i) => count - i));
    }
  });
});
