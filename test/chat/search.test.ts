import type { Message } from '@chatwire/protocol';
import { MemoryStore, type Store } from '@chatwire/server';
import { SqliteStore } from '@chatwire/server/sqlite';
import { describe, expect, it } from 'vitest';
import { chatClient, joinRoom } from '../chat-client/support.js';
import {
  type ChatTestClient,
  connectUser,
  join,
  ok,
  range,
  send,
  serials,
  startChat,
  unchecked,
  userOf,
} from './support.js';

const roomId = 'lobby';

const stores: [string, () => Store][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore({ path: ':memory:' })],
];

/** Every page of `query` from the newest back, following `hasMore` with `before`. */
async function allPages(client: ChatTestClient, query: string, limit: number): Promise<Message[][]> {
  const pages: Message[][] = [];
  for (let before: number | undefined, more = true; more; ) {
    const page = ok(await client.request('history:search', { roomId, query, limit, before }));
    pages.push(page.messages);
    before = page.messages.at(-1)?.serial;
    more = page.hasMore;
  }
  return pages;
}

describe.each(stores)('history:search with %s', (_, makeStore) => {
  async function lobby(options: Parameters<typeof startChat>[0] = {}) {
    const { url, store } = await startChat({
      rateLimit: false,
      actionRateLimit: false,
      store: makeStore(),
      ...options,
    });
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    return { url, store, ana };
  }

  it('answers members only: NOT_MEMBER before the join and after the leave', async () => {
    const { url, ana } = await lobby();
    await send(ana, roomId, 'the lunch plan');
    const ben = await connectUser(url, 'ben');
    expect(await ben.request('history:search', { roomId, query: 'lunch' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_MEMBER' },
    });
    await join(ben, roomId);
    expect(serials(ok(await ben.request('history:search', { roomId, query: 'lunch' })).messages)).toEqual([1]);
    ok(await ben.request('room:leave', { roomId }));
    expect(await ben.request('history:search', { roomId, query: 'lunch' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_MEMBER' },
    });
  });

  it('pages through 45 matches among 90 messages, newest first, each once, hasMore false at the end', async () => {
    const { ana } = await lobby();
    for (let i = 1; i <= 90; i++) await send(ana, roomId, i % 2 === 0 ? `even Match ${i}` : `odd ${i}`);
    const pages = await allPages(ana, 'match', 20);
    expect(pages.map((page) => page.length)).toEqual([20, 20, 5]);
    expect(pages.flat().map((m) => m.serial)).toEqual(range(1, 45).map((i) => 92 - 2 * i));
    // The default page holds 20.
    const first = ok(await ana.request('history:search', { roomId, query: 'EVEN match' }));
    expect(first).toMatchObject({ hasMore: true });
    expect(serials(first.messages)).toEqual(range(1, 20).map((i) => 92 - 2 * i));
  });

  it('never finds a deleted message, even one that matched; finds an edited one by its new text only', async () => {
    const { url, ana } = await lobby();
    const ben = await connectUser(url, 'ben');
    await join(ben, roomId);
    await send(ana, roomId, 'meet at the station');
    await send(ana, roomId, 'station closed, meet at the bridge');
    await send(ana, roomId, 'ok');
    const found = async (query: string) => serials(ok(await ben.request('history:search', { roomId, query })).messages);
    expect(await found('meet')).toEqual([2, 1]);
    ok(await ana.request('message:delete', { roomId, serial: 1 }));
    ok(await ana.request('message:edit', { roomId, serial: 2, text: 'see you at the bridge' }));
    expect(await found('meet')).toEqual([]);
    expect(await found('station')).toEqual([]);
    expect(await found('bridge')).toEqual([2]);
  });

  it.each([
    ['an empty query', { query: '' }],
    ['a query of 201 characters', { query: 'a'.repeat(201) }],
    ['a NUL character', { query: 'lunch\u0000' }],
    ['a query without a word', { query: '"*" -- ( ) & | !' }],
    ['eleven words', { query: 'a b c d e f g h i j k' }],
    ['a query that is not a string', { query: 42 }],
    ['no query', {}],
    ['limit 0', { query: 'x', limit: 0 }],
    ['limit 101', { query: 'x', limit: 101 }],
    ['before 0', { query: 'x', before: 0 }],
  ])('refuses %s with VALIDATION_FAILED', async (_, payload) => {
    const { ana } = await lobby();
    expect(await unchecked(ana, 'history:search', { roomId, ...payload })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });

  it('answers query syntax of FTS5 and tsquery as plain words', async () => {
    const { ana } = await lobby();
    await send(ana, roomId, 'NEAR the "end" of it: 100% done');
    for (const query of ['NEAR(the end)', '"end', 'end*', "'end':*", 'the & !end', 'done:* | x', '{end}', '^end']) {
      const page = ok(await ana.request('history:search', { roomId, query }));
      expect([query, serials(page.messages)]).toEqual([query, query.includes('x') ? [] : [1]]);
    }
  });
});

describe('history:search limits', () => {
  it('cuts an answer to maxAnswerBytes, newest kept, and the next page goes on from there', async () => {
    const maxAnswerBytes = 32 * 1024;
    const { url } = await startChat({ rateLimit: false, actionRateLimit: false, maxAnswerBytes });
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    // About 6.5 kB each: at most 4 fit one answer, so the 12 come in 3 answers or more.
    const long = (i: number) => `${i} needle ${'é€'.repeat(1300)}`;
    for (let i = 1; i <= 12; i++) await send(ana, roomId, long(i));
    const pages = await allPages(ana, 'needle', 100);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const page of pages) expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(maxAnswerBytes);
    expect(pages.flat().map((m) => m.text)).toEqual(range(1, 12).reverse().map(long));
  });

  it('counts under the per-user action limit', async () => {
    // A clock that stands still: no token comes back, so the count is exact.
    const { url } = await startChat({ now: () => 1_800_000_000_000, actionRateLimit: { ratePerSecond: 1, burst: 4 } });
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    const answers = await Promise.all(range(1, 5).map(() => ana.request('history:search', { roomId, query: 'x' })));
    expect(answers.map((answer) => (answer.ok ? 'ok' : answer.error.code))).toEqual([
      'ok',
      'ok',
      'ok',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
  });

  it('a store failure answers UNAVAILABLE, and the server goes on', async () => {
    const store = new MemoryStore();
    const { url } = await startChat({ store });
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    const search = store.search.bind(store);
    store.search = () => Promise.reject(new Error('disk on fire'));
    expect(await ana.request('history:search', { roomId, query: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    });
    store.search = search;
    await send(ana, roomId, 'x marks the spot');
    expect(serials(ok(await ana.request('history:search', { roomId, query: 'x' })).messages)).toEqual([1]);
  });
});

describe('ChatRoom.search', () => {
  it('returns a page of matches, newest first, leaving the room list as it is', async () => {
    const { url } = await startChat({ rateLimit: false });
    const ana = chatClient(url, 'ana');
    const room = await joinRoom(ana, roomId);
    for (const text of ['pizza tonight?', 'no, sushi', 'Pizza it is']) ok(await room.send(text));
    const before = room.messages.length;
    const page = ok(await room.search('PIZ'));
    expect(page.messages.map((m) => [m.serial, m.text, m.author])).toEqual([
      [3, 'Pizza it is', userOf('ana')],
      [1, 'pizza tonight?', userOf('ana')],
    ]);
    expect(page.hasMore).toBe(false);
    const older = ok(await room.search('pizza', { before: 3, limit: 1 }));
    expect([serials(older.messages), older.hasMore]).toEqual([[1], false]);
    expect(room.messages.length).toBe(before);
    // Refused before it leaves: the client validates with the same contract.
    expect(await room.search('   ')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});
