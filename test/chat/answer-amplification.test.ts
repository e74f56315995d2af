import type { Message, MessagePage } from '@chatwire/protocol';
import { MemoryStore } from '@chatwire/server';
import type { Manager, Socket as RawClientSocket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { chatClient, dropConnections, eventually, expectGapless, joinRoom } from '../chat-client/support.js';
import { connectRaw, nextValue, rawConnected } from '../support/harness.js';
import { connectUser, join, ok, startChat, userOf } from './support.js';

const roomId = 'lobby';
/** Small, so that each answer holds only a few of the long messages. */
const maxAnswerBytes = 64 * 1024;
const count = 500;

/** Nearly the longest text (4000 characters), mostly multi-byte in UTF-8 (about 8 kB). */
const longText = (serial: number) => `${serial} ${'aé€'.repeat(1330)}`;

/** Stores `count` long messages straight into the store: no client hears of them live. */
async function fill(store: MemoryStore): Promise<string[]> {
  const texts: string[] = [];
  for (let serial = 1; serial <= count; serial++) {
    texts.push(longText(serial));
    await store.append({
      roomId,
      clientMessageId: `c${serial}`,
      author: userOf('ana'),
      text: longText(serial),
      createdAt: serial,
    });
  }
  return texts;
}

/** The bytes of every frame the manager receives (engine.io type character included), across reconnects. */
function frameSizes(manager: Manager): number[] {
  const sizes: number[] = [];
  const listen = () =>
    manager.engine.on('packet', (packet: { data?: unknown }) => {
      if (typeof packet.data === 'string') sizes.push(Buffer.byteLength(packet.data) + 1);
    });
  if (manager.engine !== undefined) listen();
  manager.on('open', listen);
  return sizes;
}

type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
type SyncAnswer = { rooms: Record<string, { messages: Message[]; discontinuity: boolean; hasMore: boolean }> };

async function request<T>(socket: RawClientSocket, event: string, payload: unknown): Promise<T> {
  const answer = (await socket.emitWithAck(event, payload)) as Envelope<T>;
  if (!answer.ok) throw new Error(`${event} refused: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

async function rawMember() {
  const { url, store, chat } = await startChat({ maxAnswerBytes, actionRateLimit: false });
  const texts = await fill(store as MemoryStore);
  const socket = connectRaw(url, userOf('bob'));
  await rawConnected(socket);
  const frames = frameSizes(socket.io);
  await request(socket, 'room:join', { roomId });
  return { url, chat, socket, frames, texts };
}

describe('answers fit maxAnswerBytes', () => {
  it('sync from serial 0 of 500 long messages: each answer fits, hasMore leads through all 500 once, in order', async () => {
    const { socket, frames, texts } = await rawMember();
    const received: Message[] = [];
    let answers = 0;
    for (let more = true; more; answers++) {
      const last = received.at(-1)?.serial ?? 0;
      const answer = await request<SyncAnswer>(socket, 'sync', {
        rooms: { [roomId]: { after: last, updatedSince: Date.now() } },
      });
      const part = answer.rooms[roomId];
      expect(part?.discontinuity).toBe(false);
      received.push(...(part?.messages ?? []));
      more = part?.hasMore ?? false;
    }
    expect(received.map((m) => m.serial)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(received.map((m) => m.text)).toEqual(texts);
    expect(Math.max(...frames)).toBeLessThanOrEqual(maxAnswerBytes);
    // The budget is used, not wasted on tiny answers: 4 MB in about 4 MB / 64 KiB answers.
    expect(answers).toBeLessThan(2 * Math.ceil((count * 8000) / maxAnswerBytes));
  });

  it('a ChatClient that missed 500 long messages follows the continuation by itself: all 500 once, in order', async () => {
    const { url, store, chat } = await startChat({ maxAnswerBytes });
    const ana = chatClient(url, 'ana');
    const frames = frameSizes(ana.client.raw.io);
    const room = await joinRoom(ana, roomId);
    const texts = await fill(store as MemoryStore);
    const ready = nextValue<void>((fn) => ana.on('ready', fn), 20_000);
    await dropConnections(chat.server, 'ana');
    await ready;
    expectGapless(room, count);
    expect(room.messages.map((m) => m.text)).toEqual(texts);
    expect(Math.max(...frames)).toBeLessThanOrEqual(maxAnswerBytes);
  });

  it('history:fetch: a page is cut on the far side of the cursor, and paging gets all 500 once, in order', async () => {
    const { socket, frames, texts } = await rawMember();
    const latest = await request<MessagePage>(socket, 'history:fetch', { roomId, limit: 100 });
    expect(latest.hasMore).toBe(true);
    expect(latest.messages.length).toBeLessThan(100);
    expect(latest.messages.at(-1)?.serial).toBe(count);

    const backwards: Message[] = [...latest.messages];
    for (let more = latest.hasMore; more; ) {
      const page = await request<MessagePage>(socket, 'history:fetch', {
        roomId,
        before: backwards[0]?.serial,
        limit: 100,
      });
      backwards.unshift(...page.messages);
      more = page.hasMore;
    }
    expect(backwards.map((m) => m.text)).toEqual(texts);

    const forwards: Message[] = [];
    for (let more = true; more; ) {
      const page = await request<MessagePage>(socket, 'history:fetch', {
        roomId,
        after: forwards.at(-1)?.serial ?? 0,
        limit: 100,
      });
      expect(page.messages[0]?.serial).toBe((forwards.at(-1)?.serial ?? 0) + 1);
      forwards.push(...page.messages);
      more = page.hasMore;
    }
    expect(forwards.map((m) => m.text)).toEqual(texts);
    expect(Math.max(...frames)).toBeLessThanOrEqual(maxAnswerBytes);
  });
});

describe('sync keys', () => {
  it('more rooms than maxRoomsPerSocket: VALIDATION_FAILED before any store work', async () => {
    class CountingStore extends MemoryStore {
      calls = 0;
      override history(...args: Parameters<MemoryStore['history']>) {
        this.calls += 1;
        return super.history(...args);
      }
      override lastSerial(...args: Parameters<MemoryStore['lastSerial']>) {
        this.calls += 1;
        return super.lastSerial(...args);
      }
    }
    const store = new CountingStore();
    const { url } = await startChat({ store, maxRoomsPerSocket: 3 });
    const ana = await connectUser(url, 'ana');
    for (const id of ['a', 'b', 'c']) await join(ana, id);
    const before = store.calls;
    expect(await ana.request('sync', { rooms: { a: 0, b: 0, c: 0, d: 0 } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'sync takes at most 3 rooms' },
    });
    expect(store.calls).toBe(before);
    expect(ok(await ana.request('sync', { rooms: { a: 0, b: 0, c: 0 } })).rooms).toEqual({
      a: { messages: [], discontinuity: false, updated: [], hasMore: false },
      b: { messages: [], discontinuity: false, updated: [], hasMore: false },
      c: { messages: [], discontinuity: false, updated: [], hasMore: false },
    });
  });
});

describe('reaction user lists', () => {
  it('carry at most 20 user ids per emoji plus the count; a ChatClient keeps both up to date', async () => {
    const { url, store } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    const message = ok(await ana.request('message:send', { roomId, clientMessageId: 'm1', text: 'react!' }));
    // u1 … u25 reacted before (straight into the store).
    for (let i = 1; i <= 25; i++) await store.toggleReaction(roomId, message.serial, '👍', `u${i}`, i, 50);
    const first20 = Array.from({ length: 20 }, (_, i) => `u${i + 1}`);

    const page = ok(await ana.request('history:fetch', { roomId }));
    expect(page.messages[0]).toMatchObject({ reactions: { '👍': first20 }, reactionCounts: { '👍': 25 } });

    const zed = chatClient(url, 'zed');
    const room = await joinRoom(zed, roomId);
    expect(room.messages[0]).toMatchObject({ reactions: { '👍': first20 }, reactionCounts: { '👍': 25 } });

    // A 26th reactor is counted; the list stays at the first 20.
    const toggled = await room.react(message.serial, '👍');
    expect(toggled.ok && toggled.data).toMatchObject({ reactions: { '👍': first20 }, reactionCounts: { '👍': 26 } });
    await eventually(() => expect(room.messages[0]).toMatchObject({ reactionCounts: { '👍': 26 } }));

    // One of the listed ones takes theirs back: the event removes them and carries the new count.
    const u1 = chatClient(url, 'u1');
    ok(await (await joinRoom(u1, roomId)).react(message.serial, '👍'));
    await eventually(() =>
      expect(room.messages[0]).toMatchObject({ reactions: { '👍': first20.slice(1) }, reactionCounts: { '👍': 25 } }),
    );
  });
});

describe('member lists', () => {
  it('in a crowded room, room:join answers cut the list to the budget and give the total; the room gets the change only', async () => {
    const { url } = await startChat({ maxAnswerBytes: 4096, actionRateLimit: false });
    const longName = (i: number) => `${i} ${'n'.repeat(60)}`;
    const sockets = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const socket = connectRaw(url, { userId: `user-${i}`, name: longName(i) });
        await rawConnected(socket);
        return socket;
      }),
    );
    const frames = sockets.map((socket) => frameSizes(socket.io));
    let last: { members: unknown[]; membersTotal?: number } | undefined;
    for (const socket of sockets) last = await request(socket, 'room:join', { roomId });
    expect(last?.membersTotal).toBe(100);
    expect(last?.members.length).toBeLessThan(100);

    const firstSeesZed = new Promise<void>((resolve) =>
      sockets[0]?.on('presence:diff', ({ joined }: { joined?: { userId: string }[] }) => {
        if (joined?.[0]?.userId === 'zed') resolve();
      }),
    );
    const zed = chatClient(url, 'zed');
    const room = await joinRoom(zed, roomId);
    expect(room.memberCount).toBe(101);
    expect(room.members.length).toBeLessThan(101);
    await firstSeesZed;
    expect(Math.max(...frames.flat())).toBeLessThanOrEqual(4096);
  });
});

describe('sync continuation and updated', () => {
  it('edits and reactions made while away arrive with the last part of a cut sync', async () => {
    const { url, store, chat } = await startChat({ maxAnswerBytes });
    const ana = chatClient(url, 'ana');
    const room = await joinRoom(ana, roomId);
    for (const text of ['one', 'two', 'three']) ok(await room.send(text));
    // While Ana is away: an edit, a reaction, and 200 long messages, all straight into the store.
    const at = Date.now();
    await store.edit(roomId, 2, 'two, edited', at);
    await store.toggleReaction(roomId, 3, '🎉', 'bob', at, 50);
    for (let serial = 4; serial <= 203; serial++) {
      await store.append({
        roomId,
        clientMessageId: `c${serial}`,
        author: userOf('bob'),
        text: longText(serial),
        createdAt: at,
      });
    }
    const ready = nextValue<void>((fn) => ana.on('ready', fn), 20_000);
    await dropConnections(chat.server, 'ana');
    await ready;
    expectGapless(room, 203);
    expect(room.messages[1]).toMatchObject({ text: 'two, edited' });
    expect(room.messages[2]).toMatchObject({ reactions: { '🎉': ['bob'] } });
  });
});
