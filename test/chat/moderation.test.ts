import type { RoomRemoval } from '@chatwire/protocol';
import type { Store } from '@chatwire/server';
import { MemoryStore } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { chatClient, dropConnections, joinRoom } from '../chat-client/support.js';
import { nextValue, sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, send, startChat, userIds } from './support.js';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  const state = { time: start };
  return { now: () => state.time, set: (time: number) => (state.time = time), state };
}

/** A promise and the function that resolves it. */
function deferred() {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('chat.kick', () => {
  it('takes every tab of the user out of the room, tells them why, and presence forgets them at once', async () => {
    const { url, chat } = await startChat();
    const [tab1, tab2, bob] = [
      await connectUser(url, 'ana'),
      await connectUser(url, 'ana'),
      await connectUser(url, 'bob'),
    ];
    const elsewhere = await connectUser(url, 'ana');
    for (const client of [tab1, tab2, bob]) await join(client, 'lobby');
    await join(elsewhere, 'other');
    const told = [nextEvent(tab1, 'room:removed'), nextEvent(tab2, 'room:removed')];
    const notToldElsewhere = record(elsewhere, 'room:removed');
    const left = nextEvent(bob, 'presence:diff', (diff) => diff.left !== undefined);
    await chat.kick('lobby', 'ana', { reason: 'Calm down' });
    const notice: RoomRemoval = { roomId: 'lobby', kind: 'kicked', reason: 'Calm down' };
    expect(await Promise.all(told)).toEqual([notice, notice]);
    expect((await left).left).toEqual(['ana']);
    expect(userIds(await chat.members('lobby'))).toEqual(['bob']);
    // Out for real: no sending, no messages, no history; the tab in another room heard nothing.
    const atTab1 = record(tab1, 'message:new');
    expect(await tab1.request('message:send', { roomId: 'lobby', clientMessageId: 'x', text: 'hi' })).toMatchObject({
      error: { code: 'NOT_MEMBER' },
    });
    await send(bob, 'lobby', 'after the kick');
    await sleep(100);
    expect(atTab1).toEqual([]);
    expect(notToldElsewhere).toEqual([]);
    // A kick is not a ban: joining again is fine.
    expect(await join(tab1, 'lobby')).toMatchObject({ roomId: 'lobby' });
    expect(userIds(await chat.members('lobby'))).toEqual(['ana', 'bob']);
  });

  it('also undoes a join that was under way, leaving no ghost in presence', async () => {
    const authorizing = deferred();
    const release = deferred();
    const { url, chat } = await startChat({
      authorizeRoom: async ({ user }) => {
        if (user.userId !== 'ana') return true;
        authorizing.open();
        await release.promise;
        return true;
      },
    });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(bob, 'lobby');
    const joining = ana.request('room:join', { roomId: 'lobby' });
    await authorizing.promise;
    const told = nextEvent(ana, 'room:removed');
    await chat.kick('lobby', 'ana');
    expect(await told).toEqual({ roomId: 'lobby', kind: 'kicked' });
    release.open();
    expect(await joining).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
    expect(userIds(await chat.members('lobby'))).toEqual(['bob']);
    expect(await ana.request('history:fetch', { roomId: 'lobby' })).toMatchObject({ error: { code: 'NOT_MEMBER' } });
  });

  it('refuses bad arguments with VALIDATION_FAILED', async () => {
    const { chat } = await startChat();
    await expect(chat.kick('no spaces', 'ana')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(chat.kick('lobby', '')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(chat.kick('lobby', 'ana', { reason: 'x'.repeat(501) })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(chat.ban('lobby', 'ana', { until: 1.5 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(chat.bans('lobby', { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('chat.ban', () => {
  it('kicks the user out, refuses their joins with BANNED until it expires by the clock, and lists it', async () => {
    const time = clock();
    const { url, chat } = await startChat({ now: time.now });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    await join(bob, 'lobby');
    const until = time.now() + 60_000;
    const told = nextEvent(ana, 'room:removed');
    await chat.ban('lobby', 'ana', { until, reason: 'Spam' });
    expect(await told).toEqual({ roomId: 'lobby', kind: 'banned', reason: 'Spam', until });
    expect(userIds(await chat.members('lobby'))).toEqual(['bob']);
    expect(await ana.request('room:join', { roomId: 'lobby' })).toEqual({
      ok: false,
      error: { code: 'BANNED', message: 'Banned from room "lobby": Spam', retryAfterMs: 60_000 },
    });
    // Other rooms are not concerned.
    expect(await join(ana, 'other')).toMatchObject({ roomId: 'other' });
    expect(await chat.bans('lobby')).toEqual([
      { roomId: 'lobby', userId: 'ana', kind: 'ban', until, reason: 'Spam', createdAt: time.now() },
    ]);
    time.set(until - 1);
    expect(await ana.request('room:join', { roomId: 'lobby' })).toMatchObject({
      error: { code: 'BANNED', retryAfterMs: 1 },
    });
    time.set(until);
    expect(await chat.bans('lobby')).toEqual([]);
    expect(await join(ana, 'lobby')).toMatchObject({ roomId: 'lobby' });
  });

  it('without until lasts until unban', async () => {
    const { url, chat } = await startChat();
    const ana = await connectUser(url, 'ana');
    await chat.ban('lobby', 'ana');
    expect(await ana.request('room:join', { roomId: 'lobby' })).toEqual({
      ok: false,
      error: { code: 'BANNED', message: 'Banned from room "lobby"' },
    });
    await chat.unban('lobby', 'ana');
    expect(await chat.bans('lobby')).toEqual([]);
    expect(await join(ana, 'lobby')).toMatchObject({ roomId: 'lobby' });
  });

  it('answers UNAVAILABLE when the store cannot keep it, and kicks no one', async () => {
    const store = new MemoryStore();
    const failing: Store = Object.assign(Object.create(store) as Store, {
      restrict: async () => {
        throw new Error('disk on fire');
      },
    });
    const { url, chat } = await startChat({ store: failing });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const told = record(ana, 'room:removed');
    await expect(chat.ban('lobby', 'ana')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(userIds(await chat.members('lobby'))).toEqual(['ana']);
    expect(told).toEqual([]);
  });
});

describe('chat.mute', () => {
  it('refuses sends, edits and reactions with MUTED while reading still works; expires by the clock', async () => {
    const time = clock();
    const { url, chat, store } = await startChat({ now: time.now });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    await join(bob, 'lobby');
    await send(ana, 'lobby', 'before');
    const until = time.now() + 5000;
    await chat.mute('lobby', 'ana', { until, reason: 'Cool off' });
    const muted = { code: 'MUTED', message: 'Muted in room "lobby": Cool off', retryAfterMs: 5000 };
    expect(await ana.request('message:send', { roomId: 'lobby', clientMessageId: 'm', text: 'hey' })).toEqual({
      ok: false,
      error: muted,
    });
    expect(await ana.request('message:edit', { roomId: 'lobby', serial: 1, text: 'edited' })).toEqual({
      ok: false,
      error: muted,
    });
    expect(await ana.request('reaction:toggle', { roomId: 'lobby', serial: 1, emoji: '👍' })).toEqual({
      ok: false,
      error: muted,
    });
    expect(await store.lastSerial('lobby')).toBe(1);
    expect(await store.get('lobby', 1)).toMatchObject({ text: 'before', reactions: {} });
    // Still in the room: hears messages, reads history, marks read.
    const heard = nextEvent(ana, 'message:new');
    await send(bob, 'lobby', 'from bob');
    expect((await heard).text).toBe('from bob');
    expect(ok(await ana.request('history:fetch', { roomId: 'lobby' })).messages).toHaveLength(2);
    ok(await ana.request('read:mark', { roomId: 'lobby', serial: 2 }));
    expect(userIds(await chat.members('lobby'))).toEqual(['ana', 'bob']);
    expect((await chat.mutes('lobby')).map((m) => m.userId)).toEqual(['ana']);
    time.set(until);
    expect(await send(ana, 'lobby', 'free again')).toMatchObject({ serial: 3 });
    expect(await chat.mutes('lobby')).toEqual([]);
  });

  it('lasts until unmute without until; other rooms are not concerned', async () => {
    const { url, chat } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    await join(ana, 'other');
    await chat.mute('lobby', 'ana');
    expect(await ana.request('message:send', { roomId: 'lobby', clientMessageId: 'a', text: 'x' })).toEqual({
      ok: false,
      error: { code: 'MUTED', message: 'Muted in room "lobby"' },
    });
    expect(await send(ana, 'other', 'fine here')).toMatchObject({ serial: 1 });
    await chat.unmute('lobby', 'ana');
    expect(await send(ana, 'lobby', 'fine now')).toMatchObject({ serial: 1 });
  });
});

describe('ChatClient after a kick or ban', () => {
  it('marks the room removed, refuses sends in it, and does not join it again on reconnect', async () => {
    const { url, chat } = await startChat();
    const ana = chatClient(url, 'ana');
    const room = await joinRoom(ana, 'lobby');
    await joinRoom(ana, 'other');
    const removed = nextValue<RoomRemoval>((fn) => room.on('removed', fn), 5000);
    const atClient = nextValue<RoomRemoval>((fn) => ana.on('removed', fn), 5000);
    await chat.ban('lobby', 'ana', { reason: 'Spam' });
    const notice = { roomId: 'lobby', kind: 'banned', reason: 'Spam' };
    expect(await removed).toEqual(notice);
    expect(await atClient).toEqual(notice);
    expect(room.removal).toEqual(notice);
    expect(room.joined).toBe(false);
    expect([...ana.rooms.keys()]).toEqual(['other']);
    expect(await room.send('still here?')).toMatchObject({ ok: false });
    // Reconnect: only 'other' is joined again.
    const dropped = nextValue<string>((fn) => ana.on('status', (status) => status !== 'connected' && fn(status)), 5000);
    await dropConnections(chat.server, 'ana');
    await dropped;
    await nextValue((fn) => ana.on('ready', () => fn(undefined)), 5000);
    expect(userIds(await chat.members('other'))).toEqual(['ana']);
    expect(await chat.members('lobby')).toEqual([]);
    expect(await ana.join('lobby')).toMatchObject({ ok: false, error: { code: 'BANNED' } });
  });
});

describe('room:moderate (moderators on the wire)', () => {
  it("lets a user whom authorizeRoom allows 'moderate' kick, ban, mute and lift; others get FORBIDDEN", async () => {
    const time = clock();
    const { url, chat } = await startChat({
      now: time.now,
      authorizeRoom: ({ user, action }) => action !== 'moderate' || user.userId === 'boss',
    });
    const [boss, ana, bob] = [
      await connectUser(url, 'boss'),
      await connectUser(url, 'ana'),
      await connectUser(url, 'bob'),
    ];
    for (const client of [boss, ana, bob]) await join(client, 'lobby');
    expect(await bob.request('room:moderate', { roomId: 'lobby', userId: 'ana', action: 'kick' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Not allowed to moderate in room "lobby"' },
    });
    expect(userIds(await chat.members('lobby'))).toEqual(['ana', 'bob', 'boss']);

    const kicked = nextEvent(ana, 'room:removed');
    ok(await boss.request('room:moderate', { roomId: 'lobby', userId: 'ana', action: 'kick', reason: 'Off topic' }));
    expect(await kicked).toEqual({ roomId: 'lobby', kind: 'kicked', reason: 'Off topic' });
    expect(userIds(await chat.members('lobby'))).toEqual(['bob', 'boss']);

    const until = time.now() + 1000;
    ok(await boss.request('room:moderate', { roomId: 'lobby', userId: 'ana', action: 'ban', until }));
    expect(await ana.request('room:join', { roomId: 'lobby' })).toMatchObject({
      error: { code: 'BANNED', retryAfterMs: 1000 },
    });
    ok(await boss.request('room:moderate', { roomId: 'lobby', userId: 'bob', action: 'mute' }));
    expect(await bob.request('message:send', { roomId: 'lobby', clientMessageId: 'b', text: 'x' })).toMatchObject({
      error: { code: 'MUTED' },
    });
    ok(await boss.request('room:moderate', { roomId: 'lobby', userId: 'ana', action: 'unban' }));
    ok(await boss.request('room:moderate', { roomId: 'lobby', userId: 'bob', action: 'unmute' }));
    expect(await join(ana, 'lobby')).toMatchObject({ roomId: 'lobby' });
    expect(await send(bob, 'lobby', 'back')).toMatchObject({ serial: 1 });
    expect(await chat.bans('lobby')).toEqual([]);
  });
});
