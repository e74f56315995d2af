import type { ErrorEventPayload } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { collect, nextValue, sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, send, startChat } from './support.js';

/** Ana and Bob in 'lobby' with one message from Ana; Eve connected but not in the room. */
async function lobbyWithOutsider() {
  const { url, store } = await startChat();
  const ana = await connectUser(url, 'ana');
  const bob = await connectUser(url, 'bob');
  const eve = await connectUser(url, 'eve');
  await join(ana, 'lobby');
  await join(bob, 'lobby');
  await join(eve, 'elsewhere');
  const first = await send(ana, 'lobby', 'hello');
  return { url, store, ana, bob, eve, first };
}

const notMember = { ok: false, error: { code: 'NOT_MEMBER', message: 'Join room "lobby" first' } };

describe('a user who has not joined a room', () => {
  it('cannot send, edit, delete, react, fetch history or mark read (NOT_MEMBER)', async () => {
    const { store, eve } = await lobbyWithOutsider();
    const roomId = 'lobby';
    expect(await eve.request('message:send', { roomId, clientMessageId: 'c1', text: 'let me in' })).toEqual(notMember);
    expect(await eve.request('message:edit', { roomId, serial: 1, text: 'mine now' })).toEqual(notMember);
    expect(await eve.request('message:delete', { roomId, serial: 1 })).toEqual(notMember);
    expect(await eve.request('reaction:toggle', { roomId, serial: 1, emoji: '👎' })).toEqual(notMember);
    expect(await eve.request('history:fetch', { roomId })).toEqual(notMember);
    expect(await eve.request('read:mark', { roomId, serial: 1 })).toEqual(notMember);
    expect(await store.lastSerial('lobby')).toBe(1);
    expect(await store.get('lobby', 1)).toMatchObject({ text: 'hello', reactions: {} });
    // Only ana's own send moved a marker (hers).
    expect(await store.readMarkers('lobby')).toEqual({ ana: 1 });
  });

  it('cannot set typing: the refusal comes as a chatwire:error event (typing:set has no ack)', async () => {
    const { ana, eve } = await lobbyWithOutsider();
    const atAna = record(ana, 'typing');
    const refused = nextValue<ErrorEventPayload>((fn) => eve.onError(fn));
    eve.emit('typing:set', { roomId: 'lobby', isTyping: true });
    expect(await refused).toEqual({ event: 'typing:set', code: 'NOT_MEMBER', message: 'Join room "lobby" first' });
    await sleep(100);
    expect(atAna).toEqual([]);
  });

  it('gets its refusal as chatwire:error when it sends a request event without an ack', async () => {
    const { store, eve } = await lobbyWithOutsider();
    const refused = nextValue<ErrorEventPayload>((fn) => eve.onError(fn));
    // The typed client sends an event with an ack only through `request`: go under it.
    const raw = eve.raw as unknown as { emit(event: string, payload: unknown): void };
    raw.emit('message:send', { roomId: 'lobby', clientMessageId: 'c1', text: 'no ack' });
    expect(await refused).toEqual({ event: 'message:send', code: 'NOT_MEMBER', message: 'Join room "lobby" first' });
    expect(await store.lastSerial('lobby')).toBe(1);
  });

  it("does not receive the room's message:new, message:updated, typing, presence or read", async () => {
    const { url, ana, bob, eve, first } = await lobbyWithOutsider();
    const atEve = collect<string>((fn) => {
      const offs = (['message:new', 'message:updated', 'typing', 'presence:diff', 'read'] as const).map((event) =>
        eve.on(event, () => fn(event)),
      );
      return () => {
        for (const off of offs) off();
      };
    });
    const carol = await connectUser(url, 'carol');
    await join(carol, 'lobby');
    await send(bob, 'lobby', 'secret plans');
    ok(await ana.request('message:edit', { roomId: 'lobby', serial: first.serial, text: 'hello!' }));
    ok(await ana.request('reaction:toggle', { roomId: 'lobby', serial: 2, emoji: '🤫' }));
    ok(await ana.request('read:mark', { roomId: 'lobby', serial: 2 }));
    bob.emit('typing:set', { roomId: 'lobby', isTyping: true });
    ok(await bob.request('room:leave', { roomId: 'lobby' }));
    const carolGone = nextEvent(ana, 'presence:diff', (diff) => diff.left?.[0] === 'carol');
    carol.close();
    await carolGone; // the last of the room's traffic above
    await sleep(150);
    expect(atEve).toEqual([]);
  });
});
