import { MemoryStore, type Store } from '@chatwire/server';
import { SqliteStore } from '@chatwire/server/sqlite';
import { describe, expect, it } from 'vitest';
import { connectUser, join, ok, range, sendMany, serials, startChat, unchecked } from './support.js';

const roomId = 'lobby';

const stores: [string, () => Store][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore({ path: ':memory:' })],
];

describe.each(stores)('history:fetch with %s', (_, makeStore) => {
  /** Ana in 'lobby' with `count` messages ("m 1" … "m count"). */
  async function lobbyWith(count: number) {
    const { url } = await startChat({ rateLimit: false, store: makeStore() });
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    await sendMany(ana, roomId, count);
    return { url, ana };
  }

  it('of an empty room: no messages, hasMore false', async () => {
    const { ana } = await lobbyWith(0);
    expect(await ana.request('history:fetch', { roomId })).toEqual({
      ok: true,
      data: { messages: [], hasMore: false },
    });
  });

  it('pages through 120 messages by 50, both ways, in ascending serial order', async () => {
    const { ana } = await lobbyWith(120);
    const fetch = async (query: { before?: number; after?: number; limit?: number }) => {
      const page = ok(await ana.request('history:fetch', { roomId, ...query }));
      return { serials: serials(page.messages), hasMore: page.hasMore };
    };

    // No cursor: the latest page; the default limit is 50.
    expect(await fetch({})).toEqual({ serials: range(71, 120), hasMore: true });
    expect(await fetch({ limit: 50 })).toEqual({ serials: range(71, 120), hasMore: true });

    // Backwards with `before` (exclusive), hasMore = older ones remain.
    expect(await fetch({ before: 71, limit: 50 })).toEqual({ serials: range(21, 70), hasMore: true });
    expect(await fetch({ before: 21, limit: 50 })).toEqual({ serials: range(1, 20), hasMore: false });
    expect(await fetch({ before: 51, limit: 50 })).toEqual({ serials: range(1, 50), hasMore: false });
    expect(await fetch({ before: 1, limit: 50 })).toEqual({ serials: [], hasMore: false });
    expect(await fetch({ before: 500, limit: 10 })).toEqual({ serials: range(111, 120), hasMore: true });

    // Forwards with `after` (exclusive), hasMore = newer ones remain.
    expect(await fetch({ after: 0, limit: 50 })).toEqual({ serials: range(1, 50), hasMore: true });
    expect(await fetch({ after: 50, limit: 50 })).toEqual({ serials: range(51, 100), hasMore: true });
    expect(await fetch({ after: 100, limit: 50 })).toEqual({ serials: range(101, 120), hasMore: false });
    expect(await fetch({ after: 70, limit: 50 })).toEqual({ serials: range(71, 120), hasMore: false });
    expect(await fetch({ after: 120, limit: 50 })).toEqual({ serials: [], hasMore: false });

    // Up to 100 in one page.
    expect(await fetch({ limit: 100 })).toEqual({ serials: range(21, 120), hasMore: true });
    expect(await fetch({ after: 0, limit: 1 })).toEqual({ serials: [1], hasMore: true });
  });

  it('returns whole messages, deleted ones as tombstones', async () => {
    const { ana } = await lobbyWith(3);
    ok(await ana.request('message:delete', { roomId, serial: 2 }));
    const page = ok(await ana.request('history:fetch', { roomId }));
    expect(page.messages.map((message) => [message.serial, message.text, message.deletedAt !== undefined])).toEqual([
      [1, 'm 1', false],
      [2, '', true],
      [3, 'm 3', false],
    ]);
  });

  it.each([
    ['limit over 100', { limit: 101 }],
    ['limit 0', { limit: 0 }],
    ['a fractional limit', { limit: 2.5 }],
    ['before and after together', { before: 10, after: 2 }],
    ['before 0', { before: 0 }],
    ['a negative after', { after: -1 }],
    ['a string cursor', { before: '10' }],
  ])('refuses %s with VALIDATION_FAILED', async (_, query) => {
    const { ana } = await lobbyWith(3);
    expect(await unchecked(ana, 'history:fetch', { roomId, ...query })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('payload of "history:fetch"') },
    });
  });

  it('says why before and after together are refused', async () => {
    const { ana } = await lobbyWith(3);
    expect(await unchecked(ana, 'history:fetch', { roomId, before: 3, after: 1 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ message: 'Give before or after, not both' }] },
    });
  });
});
