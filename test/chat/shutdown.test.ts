import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { MemoryStore } from '@chatwire/server';
import { SqliteStore } from '@chatwire/server/sqlite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connected, nextValue } from '../support/harness.js';
import { connectUser, join, openClient, range, sendMany, serials, startChat, userOf } from './support.js';

async function tempDbPath(): Promise<string> {
  const dir = await mkdtemp(joinPath(tmpdir(), 'chatwire-chat-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return joinPath(dir, 'chat.db');
}

describe('chat.close()', () => {
  it('disconnects every client and refuses new connections', async () => {
    const { url, close } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    const anaDown = nextValue<string>((fn) => ana.onStatus(fn));
    const bobDown = nextValue<string>((fn) => bob.onStatus(fn));
    await close();
    expect(await anaDown).toBe('disconnected');
    expect(await bobDown).toBe('disconnected');
    const late = openClient(url, { auth: userOf('late') });
    await expect(connected(late)).rejects.toBeDefined();
  });

  it('closes the store', async () => {
    let closes = 0;
    class WatchedStore extends MemoryStore {
      override async close() {
        closes++;
      }
    }
    const { url, close } = await startChat({ store: new WatchedStore() });
    await connectUser(url, 'ana');
    await close();
    expect(closes).toBe(1);
  });

  it('leaves a SqliteStore file that reopens with every acked message', async () => {
    const path = await tempDbPath();
    const store = new SqliteStore({ path });
    const { url, close } = await startChat({ store, rateLimit: false });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const acked = await sendMany(ana, 'lobby', 25);
    await close();
    await expect(store.lastSerial('lobby')).rejects.toThrow(/not open/);

    const reopened = new SqliteStore({ path });
    onTestFinished(() => reopened.close());
    expect(await reopened.lastSerial('lobby')).toBe(25);
    const page = await reopened.history('lobby', { limit: 100 });
    expect(page.messages).toEqual(acked);
    expect(serials(page.messages)).toEqual(range(1, 25));
  });

  it('a new server on the reopened file carries on with the next serial', async () => {
    const path = await tempDbPath();
    const first = await startChat({ store: new SqliteStore({ path }) });
    const ana = await connectUser(first.url, 'ana');
    await join(ana, 'lobby');
    const before = await sendMany(ana, 'lobby', 3);
    await first.close();

    const second = await startChat({ store: new SqliteStore({ path }) });
    const again = await connectUser(second.url, 'ana');
    expect((await join(again, 'lobby')).lastSerial).toBe(3);
    const [fourth] = await sendMany(again, 'lobby', 1, 'after restart');
    expect(fourth!.serial).toBe(4);
    // A retry of a send acked before the restart still returns the original.
    const retry = await again.request('message:send', {
      roomId: 'lobby',
      clientMessageId: before[0]!.clientMessageId,
      text: 'again',
    });
    expect(retry).toEqual({ ok: true, data: before[0] });
  });
});
