import type { ChatContract, ChatUser, MessageOf } from '@chatwire/protocol';
import type { ChatServer } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { ok, startChat } from '../chat/support.js';
import { chatClient, eventually, joinRoom, texts } from './support.js';

const author: ChatUser = { userId: 'x', name: 'X' };

/** Every `event` payload the server receives from the client socket `socketId`, in order of arrival. */
function received(chat: ChatServer, socketId: string | undefined, event: string): Record<string, unknown>[] {
  const payloads: Record<string, unknown>[] = [];
  const socket = chat.raw.server.sockets.sockets.get(socketId ?? '');
  if (socket === undefined) throw new Error('no such socket on the server');
  socket.onAny((name: string, payload: Record<string, unknown>) => {
    if (name === event) payloads.push(payload);
  });
  return payloads;
}

describe('ChatRoom.setTyping', () => {
  it('sends at most one typing:set per typingThrottleMs of its clock, and "stopped" once', async () => {
    const { url, chat } = await startChat();
    let clock = Date.UTC(2030, 0, 1);
    const ana = chatClient(url, 'ana', { now: () => clock, typingThrottleMs: 3000, typingIdleMs: 3_600_000 });
    const room = await joinRoom(ana, 'r');
    const sent = received(chat, ana.client.id, 'typing:set');
    // A round trip on the same socket: what the client sent before it has reached the server.
    const roundTrip = async () => ok(await room.search('nothing'));

    for (let i = 0; i < 5; i++) room.setTyping(true);
    clock += 2999;
    room.setTyping(true);
    await roundTrip();
    expect(sent.map((p) => p.isTyping)).toEqual([true]);

    clock += 1;
    room.setTyping(true);
    room.setTyping(true);
    await roundTrip();
    expect(sent.map((p) => p.isTyping)).toEqual([true, true]);

    room.setTyping(false);
    room.setTyping(false);
    await roundTrip();
    expect(sent.map((p) => p.isTyping)).toEqual([true, true, false]);
    // Once stopped, the next keystroke goes out at once, within the same throttle window.
    room.setTyping(true);
    await roundTrip();
    expect(sent).toEqual([true, true, false, true].map((isTyping) => ({ roomId: 'r', isTyping })));
  });
});

describe('ChatRoom load state', () => {
  it('is loaded once the join is in; loadOlder pages back one request at a time until hasOlder is false', async () => {
    const { url, chat, store } = await startChat();
    for (let i = 1; i <= 5; i++) {
      await store.append({ roomId: 'r', clientMessageId: `c${i}`, author, text: `m${i}`, createdAt: i });
    }
    const ana = chatClient(url, 'ana', { pageSize: 2 });
    const joining = ana.join('r');
    const room = ana.rooms.get('r');
    if (room === undefined) throw new Error('the room is listed from the join on');
    expect(room.isLoaded_).toBe(false);
    ok(await joining);
    expect(room.isLoaded_).toBe(true);
    expect(texts(room)).toEqual(['m4', 'm5']);
    expect(room.hasOlder).toBe(true);

    const fetches = received(chat, ana.client.id, 'history:fetch');
    const first = room.loadOlder();
    // A second call while a page loads gets the same answer, and no second request.
    expect(room.loadOlder()).toBe(first);
    expect(await first).toEqual({ ok: true, data: true });
    expect(texts(room)).toEqual(['m2', 'm3', 'm4', 'm5']);
    expect(room.hasOlder).toBe(true);
    expect(fetches).toHaveLength(1);

    expect(await room.loadOlder()).toEqual({ ok: true, data: false });
    expect(texts(room)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(room.hasOlder).toBe(false);
    // Nothing older than serial 1: answered without asking the server.
    expect(await room.loadOlder()).toEqual({ ok: true, data: false });
    expect(fetches.map((p) => p.before)).toEqual([4, 2]);
  });
});

describe('ChatRoom author of early sends', () => {
  it('gives a send made before the first session its author when the session comes, and sends it once the join is in', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana');
    const joining = ana.join('r');
    const room = ana.rooms.get('r');
    if (room === undefined) throw new Error('the room is listed from the join on');
    expect(ana.user).toBeUndefined();
    const sending = room.send('early');
    expect(room.messages).toMatchObject([{ status: 'pending', text: 'early', author: { userId: '' } }]);
    const atSession = new Promise<unknown>((resolve) => ana.on('session', () => resolve(room.messages[0])));
    expect(await atSession).toMatchObject({ status: 'pending', author: { userId: 'ana', name: 'Ana' } });
    const clientMessageId = ((await atSession) as { clientMessageId: string }).clientMessageId;
    ok(await joining);
    expect(ok(await sending)).toMatchObject({ text: 'early', author: { userId: 'ana', name: 'Ana' } });
    expect(clientMessageId).toBe(ok(await sending).clientMessageId);
    expect(room.messages).toMatchObject([{ status: 'sent', author: { userId: 'ana' } }]);
  });
});

describe('ChatRoom gap fill', () => {
  it('stops fetching when history cannot fill the gap, instead of asking again and again', async () => {
    const { url, chat, store } = await startChat();
    const ana = chatClient(url, 'ana', { gapFillDelayMs: 5 });
    const room = await joinRoom(ana, 'r');
    const fetches = received(chat, ana.client.id, 'history:fetch');
    // Serial 1 is stored but never sent live; serial 3 arrives live but history never holds it, nor 2.
    const first = await store.append({ roomId: 'r', clientMessageId: 'c1', author, text: 'one', createdAt: 1 });
    const phantom = { ...first.message, serial: 3, clientMessageId: 'c3', text: 'three' } as MessageOf<ChatContract>;
    let answered = false;
    room.on('change', () => {
      // The client has the answer to the second fetch: a client that loops has sent its next one now.
      if (fetches.length === 2) answered = true;
    });
    chat.raw.to('room/r').emit('message:new', phantom);
    await eventually(() => expect(answered).toBe(true));
    ok(await room.search('nothing'));
    // The first fetch filled serial 1; the second found nothing after it: the fill stops there.
    expect(fetches.map((p) => p.after)).toEqual([0, 1]);
    expect(room.lastSerial).toBe(1);
    expect(texts(room)).toEqual(['one', 'three']);
  });
});
