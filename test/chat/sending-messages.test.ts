import type { Store } from '@chatwire/server';
import { MemoryStore } from '@chatwire/server';
import { SqliteStore } from '@chatwire/server/sqlite';
import { describe, expect, it } from 'vitest';
import { sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, range, record, send, serials, startChat, unchecked } from './support.js';

const stores: [string, () => Store][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore({ path: ':memory:' })],
];

describe.each(stores)('message:send with %s', (_, makeStore) => {
  async function lobby(...users: string[]) {
    const started = await startChat({ store: makeStore() });
    const clients = [];
    for (const user of users) {
      const client = await connectUser(started.url, user);
      await join(client, 'lobby');
      clients.push(client);
    }
    return { ...started, clients };
  }

  it('acks the stored message, with serials 1, 2, 3 … per room', async () => {
    const {
      clients: [ana],
    } = await lobby('ana');
    const before = Date.now();
    const first = await send(ana!, 'lobby', 'one', 'c-1');
    expect(first).toEqual({
      id: expect.any(String),
      roomId: 'lobby',
      serial: 1,
      clientMessageId: 'c-1',
      author: { userId: 'ana', name: 'Ana' },
      text: 'one',
      createdAt: expect.any(Number),
      reactions: {},
    });
    expect(first.createdAt).toBeGreaterThanOrEqual(before);
    expect(first.createdAt).toBeLessThanOrEqual(Date.now());
    expect((await send(ana!, 'lobby', 'two')).serial).toBe(2);
    const third = await send(ana!, 'lobby', 'three');
    expect(third.serial).toBe(3);
    expect(third.id).not.toBe(first.id);
  });

  it('gives gapless, unique serials to concurrent senders', async () => {
    const { clients } = await lobby('ana', 'bob', 'carol');
    const acks = await Promise.all(
      clients.flatMap((client) => Array.from({ length: 6 }, (_, i) => send(client, 'lobby', `n${i}`))),
    );
    expect(serials(acks).sort((a, b) => a - b)).toEqual(range(1, 18));
    const page = ok(await clients[0]!.request('history:fetch', { roomId: 'lobby' }));
    expect(serials(page.messages)).toEqual(range(1, 18));
  });

  it('uses the authenticated user as author, whatever the payload claims', async () => {
    const {
      clients: [ana, bob],
    } = await lobby('ana', 'bob');
    const atBob = nextEvent(bob!, 'message:new');
    const spoofed = await unchecked(ana!, 'message:send', {
      roomId: 'lobby',
      clientMessageId: 'c-1',
      text: 'I am Bob',
      author: { userId: 'bob', name: 'Bob' },
      userId: 'bob',
      serial: 99,
      createdAt: 0,
    });
    expect(spoofed).toMatchObject({
      ok: true,
      data: { author: { userId: 'ana', name: 'Ana' }, serial: 1, text: 'I am Bob' },
    });
    expect((await atBob).author).toEqual({ userId: 'ana', name: 'Ana' });
    const page = ok(await bob!.request('history:fetch', { roomId: 'lobby' }));
    expect(page.messages[0]!.author).toEqual({ userId: 'ana', name: 'Ana' });
    expect(page.messages[0]).not.toHaveProperty('userId');
  });

  it('delivers message:new once to every member, the sender and its other tabs included', async () => {
    const { url, clients } = await lobby('ana', 'bob');
    const anaTab2 = await connectUser(url, 'ana');
    await join(anaTab2, 'lobby');
    const everyone = [...clients, anaTab2];
    const received = everyone.map((client) => record(client, 'message:new'));
    const arrived = everyone.map((client) => nextEvent(client, 'message:new'));
    const sent = await send(clients[0]!, 'lobby', 'hello all');
    for (const message of await Promise.all(arrived)) expect(message).toEqual(sent);
    await sleep(100);
    for (const list of received) expect(list).toEqual([sent]);
  });

  it('returns the original for a repeated clientMessageId, without storing or delivering it again', async () => {
    const {
      url,
      clients: [ana, bob],
    } = await lobby('ana', 'bob');
    const atBob = record(bob!, 'message:new');
    const original = await send(ana!, 'lobby', 'hello', 'same-id');
    const retry = await send(ana!, 'lobby', 'hello (retried, other text)', 'same-id');
    expect(retry).toEqual(original);

    const anaTab2 = await connectUser(url, 'ana');
    await join(anaTab2, 'lobby');
    expect(await send(anaTab2, 'lobby', 'from the other tab', 'same-id')).toEqual(original);

    const next = await send(ana!, 'lobby', 'next');
    expect(next.serial).toBe(2);
    await nextEvent(bob!, 'message:new', (message) => message.serial === 2);
    await sleep(100);
    expect(serials(atBob)).toEqual([1, 2]);
    const page = ok(await bob!.request('history:fetch', { roomId: 'lobby' }));
    expect(page.messages.map((message) => message.text)).toEqual(['hello', 'next']);
  });

  it('treats the same clientMessageId from another user, or in another room, as a new message', async () => {
    const {
      clients: [ana, bob],
    } = await lobby('ana', 'bob');
    await join(ana!, 'other');
    const fromAna = await send(ana!, 'lobby', 'from ana', 'same-id');
    const fromBob = await send(bob!, 'lobby', 'from bob', 'same-id');
    const elsewhere = await send(ana!, 'other', 'elsewhere', 'same-id');
    expect(fromAna).toMatchObject({ serial: 1, author: { userId: 'ana' }, text: 'from ana' });
    expect(fromBob).toMatchObject({ serial: 2, author: { userId: 'bob' }, text: 'from bob' });
    expect(elsewhere).toMatchObject({ roomId: 'other', serial: 1, text: 'elsewhere' });
  });

  it('accepts 1 to 4000 characters (Unicode code points) and refuses 0 or 4001 with VALIDATION_FAILED', async () => {
    const {
      clients: [ana],
    } = await lobby('ana');
    const sendRaw = (text: string) =>
      unchecked(ana!, 'message:send', { roomId: 'lobby', clientMessageId: `c-${text.length}-${text[0]}`, text });
    expect(await sendRaw('')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await sendRaw('x'.repeat(4001))).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: ['text'], code: 'too_big' }] },
    });
    expect(await sendRaw('😀'.repeat(4001))).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await sendRaw('x')).toMatchObject({ ok: true, data: { serial: 1 } });
    expect(await sendRaw('y'.repeat(4000))).toMatchObject({ ok: true, data: { serial: 2 } });
    expect(await sendRaw('😀'.repeat(4000))).toMatchObject({ ok: true, data: { serial: 3 } });
    const page = ok(await ana!.request('history:fetch', { roomId: 'lobby' }));
    expect(page.messages.map((message) => [...message.text].length)).toEqual([1, 4000, 4000]);
  });

  it('refuses a clientMessageId that is empty or over 128 characters', async () => {
    const {
      clients: [ana],
    } = await lobby('ana');
    for (const clientMessageId of ['', 'x'.repeat(129)]) {
      expect(await unchecked(ana!, 'message:send', { roomId: 'lobby', clientMessageId, text: 'hi' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED', issues: [{ path: ['clientMessageId'] }] },
      });
    }
    expect((await send(ana!, 'lobby', 'hi', 'x'.repeat(128))).serial).toBe(1);
  });
});

describe('message:send timestamps', () => {
  it("take createdAt from the server's clock", async () => {
    const { url } = await startChat({ now: () => 1_800_000_000_000 });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    expect((await send(ana, 'lobby', 'hi')).createdAt).toBe(1_800_000_000_000);
  });
});
