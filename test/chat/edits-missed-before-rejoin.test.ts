import type { Message } from '@chatwire/protocol';
import type { Socket as RawClientSocket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom, texts } from '../chat-client/support.js';
import { connectRaw, nextValue, rawConnected } from '../support/harness.js';
import { connectUser, join, ok, send, startChat, unchecked, userOf } from './support.js';

type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
type SyncAnswer = {
  rooms: Record<string, { messages: Message[]; updated: Message[]; discontinuity: boolean; hasMore: boolean }>;
  serverTime: number;
};

/** A request as a client in another language makes it: one payload, one ack with the envelope. */
async function request<T>(socket: RawClientSocket, event: string, payload: unknown): Promise<T> {
  const answer = (await socket.emitWithAck(event, payload)) as Envelope<T>;
  if (!answer.ok) throw new Error(`${event} refused: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

const minute = 60_000;

describe('changes missed long before the re-join come back after a reconnect', () => {
  it('to a raw client that keeps, per room, the serverTime of the last answer before the disconnect', async () => {
    let clock = 1_800_000_000_000;
    const { url } = await startChat({ now: () => clock });
    const bob = await connectUser(url, 'bob');
    await join(bob, 'lobby');
    await join(bob, 'side');
    for (const text of ['one', 'two', 'three']) await send(bob, 'lobby', text);
    await send(bob, 'side', 'aside');

    // As docs/protocol.md §7 says: a room's cursor is the serverTime of its first room:join answer,
    // then of each sync answer that covered it.
    const first = connectRaw(url, userOf('ana'));
    await rawConnected(first);
    const cursors = new Map<string, number>();
    cursors.set('lobby', (await request<{ serverTime: number }>(first, 'room:join', { roomId: 'lobby' })).serverTime);
    clock += minute;
    cursors.set('side', (await request<{ serverTime: number }>(first, 'room:join', { roomId: 'side' })).serverTime);
    clock += minute;
    const synced = await request<SyncAnswer>(first, 'sync', {
      rooms: { side: { after: 1, updatedSince: cursors.get('side') } },
    });
    cursors.set('side', synced.serverTime);
    first.disconnect();

    // While away, long before the re-join (far more than any clock margin): an edit in each room.
    clock += minute;
    ok(await bob.request('message:edit', { roomId: 'lobby', serial: 2, text: 'two (edited)' }));
    ok(await bob.request('message:edit', { roomId: 'side', serial: 1, text: 'aside (edited)' }));
    clock += 10 * minute;

    const again = connectRaw(url, userOf('ana'));
    await rawConnected(again);
    const rejoined = await request<{ serverTime: number }>(again, 'room:join', { roomId: 'lobby' });
    await request(again, 'room:join', { roomId: 'side' });
    const answer = await request<SyncAnswer>(again, 'sync', {
      rooms: {
        lobby: { after: 3, updatedSince: cursors.get('lobby') },
        side: { after: 1, updatedSince: cursors.get('side') },
      },
    });
    expect(answer.rooms.lobby?.updated.map((m) => [m.serial, m.text])).toEqual([[2, 'two (edited)']]);
    expect(answer.rooms.side?.updated.map((m) => [m.serial, m.text])).toEqual([[1, 'aside (edited)']]);

    // The re-join's serverTime is the wrong value to keep: it comes after the edits it would miss.
    const wrong = await request<SyncAnswer>(again, 'sync', {
      rooms: { lobby: { after: 3, updatedSince: rejoined.serverTime } },
    });
    expect(wrong.rooms.lobby?.updated).toEqual([]);
  });

  it('to the ChatClient, which keeps each room’s cursor across the reconnect', async () => {
    let clock = 1_800_000_000_000;
    const { url } = await startChat({ now: () => clock });
    const ana = chatClient(url, 'ana', { syncIntervalMs: 3_600_000 });
    const ben = chatClient(url, 'ben');
    const [a, b] = await Promise.all([joinRoom(ana, 'r'), joinRoom(ben, 'r')]);
    for (const text of ['one', 'two']) await b.send(text);
    await eventually(() => expect(texts(a)).toEqual(['one', 'two']));

    const down = nextValue<string>((fn) => ana.on('status', (status) => status !== 'connected' && fn(status)));
    ana.raw.disconnect();
    await down;
    clock += minute;
    ok(await b.edit(1, 'one (edited)'));
    ok(await b.react(2, '🎉'));
    clock += 10 * minute;

    const ready = nextValue((fn) => ana.on('ready', () => fn(undefined)), 5000);
    ana.connect();
    await ready;
    expect(a.messages.map((m) => [m.text, m.status === 'sent' && m.reactions])).toEqual([
      ['one (edited)', {}],
      ['two', { '🎉': ['ben'] }],
    ]);
  });
});

describe('sync cursors', () => {
  it('takes a bare serial or { after, updatedSince? } per room, and refuses a negative or null updatedSince', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const { serverTime } = await join(ana, 'lobby');
    await send(ana, 'lobby', 'one');
    ok(await ana.request('message:edit', { roomId: 'lobby', serial: 1, text: 'edited' }));
    const answer = ok(await ana.request('sync', { rooms: { lobby: { after: 1, updatedSince: serverTime } } }));
    expect(answer.rooms.lobby?.updated.map((m) => m.text)).toEqual(['edited']);
    expect(ok(await ana.request('sync', { rooms: { lobby: { after: 1 } } })).rooms.lobby?.updated).toEqual([]);
    expect(ok(await ana.request('sync', { rooms: { lobby: 0 } })).rooms.lobby?.messages).toHaveLength(1);
    expect(await unchecked(ana, 'sync', { rooms: { lobby: { after: 1, updatedSince: -1 } } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    // An optional field is left out, not sent as null.
    expect(await unchecked(ana, 'sync', { rooms: { lobby: { after: 1, updatedSince: null } } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});
