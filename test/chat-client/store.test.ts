import { clientStore, roomStore } from '@chatwire/client';
import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { chatClient, eventually, joinRoom } from './support.js';

describe('roomStore', () => {
  it('tells its listeners once per batch of changes, with a snapshot that stays the same object until then', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana', { pageSize: 5 });
    const ben = chatClient(url, 'ben');
    const benRoom = await joinRoom(ben, 'r');
    for (let i = 1; i <= 12; i++) expect((await benRoom.send(`m${i}`)).ok).toBe(true);
    const room = await joinRoom(ana, 'r');
    const store = roomStore(room);
    expect(roomStore(room)).toBe(store);
    const before = store.getSnapshot();
    expect(store.getSnapshot()).toBe(before);
    expect(before.messages.map((m) => m.text)).toEqual(['m8', 'm9', 'm10', 'm11', 'm12']);
    expect(before.hasMore).toBe(true);
    let calls = 0;
    const unsubscribe = store.subscribe(() => calls++);
    // One page of five older messages: one change per message in the room, one notification here.
    const changes: number[] = [];
    const off = room.on('change', () => changes.push(1));
    expect(await room.loadOlder()).toEqual({ ok: true, data: true });
    off();
    await Promise.resolve();
    expect(changes.length).toBeGreaterThan(0);
    expect(calls).toBe(1);
    const after = store.getSnapshot();
    expect(after).not.toBe(before);
    expect(store.getSnapshot()).toBe(after);
    expect(after.messages.map((m) => m.text).slice(0, 2)).toEqual(['m3', 'm4']);
    // Typing and presence reach the snapshot too.
    benRoom.setTyping(true);
    await eventually(() => expect(store.getSnapshot().typing.map((u) => u.userId)).toEqual(['ben']));
    expect(
      store
        .getSnapshot()
        .members.map((u) => u.userId)
        .sort(),
    ).toEqual(['ana', 'ben']);
    unsubscribe();
    const seen = calls;
    await benRoom.send('after');
    await eventually(() => expect(store.getSnapshot().messages.at(-1)?.text).toBe('after'));
    expect(calls).toBe(seen);
  });

  it('tells once for a burst of changes in one tick: three sends show pending together', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana');
    const room = await joinRoom(ana, 'r');
    const store = roomStore(room);
    const seen: string[][] = [];
    store.subscribe(() => seen.push(store.getSnapshot().messages.map((m) => `${m.text}:${m.status}`)));
    const sent = [room.send('a'), room.send('b'), room.send('c')];
    await Promise.resolve();
    expect(seen).toEqual([['a:pending', 'b:pending', 'c:pending']]);
    await Promise.all(sent);
    await eventually(() => expect(seen.at(-1)).toEqual(['a:sent', 'b:sent', 'c:sent']));
  });
});

describe('clientStore', () => {
  it('follows the connection status, the user and the room list', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana', { autoConnect: false });
    const store = clientStore(ana);
    expect(clientStore(ana)).toBe(store);
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', user: undefined, rooms: [] });
    let calls = 0;
    store.subscribe(() => calls++);
    ana.connect();
    await ana.ready();
    await eventually(() => expect(store.getSnapshot()).toMatchObject({ status: 'connected', user: { userId: 'ana' } }));
    expect(calls).toBeGreaterThan(0);
    await ana.listRooms();
    await joinRoom(ana, 'r');
    await eventually(() => expect(store.getSnapshot().rooms.map((r) => r.roomId)).toEqual(['r']));
    const snapshot = store.getSnapshot();
    expect(store.getSnapshot()).toBe(snapshot);
  });
});
