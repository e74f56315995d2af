import { describe, expect, it } from 'vitest';
import { connectUser, join, nextEvent, ok, sendMany, startChat } from './support.js';

const roomId = 'lobby';

describe('read:mark', () => {
  it('broadcasts read { roomId, userId, serial } to the room and stores the marker', async () => {
    const { url, store } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, roomId);
    await join(bob, roomId);
    await sendMany(ana, roomId, 3);
    const atAna = nextEvent(ana, 'read');
    expect(await bob.request('read:mark', { roomId, serial: 2 })).toEqual({ ok: true, data: {} });
    expect(await atAna).toEqual({ roomId, userId: 'bob', serial: 2 });
    expect(await store.readMarkers(roomId)).toEqual({ bob: 2 });
  });

  it('never moves a marker backwards: an older serial re-announces the current marker', async () => {
    const { url, store } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, roomId);
    await join(bob, roomId);
    await sendMany(ana, roomId, 5);
    const first = nextEvent(ana, 'read');
    ok(await bob.request('read:mark', { roomId, serial: 4 }));
    expect(await first).toEqual({ roomId, userId: 'bob', serial: 4 });
    const atAna = nextEvent(ana, 'read');
    ok(await bob.request('read:mark', { roomId, serial: 2 }));
    expect(await atAna).toEqual({ roomId, userId: 'bob', serial: 4 });
    expect(await store.readMarkers(roomId)).toEqual({ bob: 4 });
    ok(await bob.request('read:mark', { roomId, serial: 5 }));
    expect(await store.readMarkers(roomId)).toEqual({ bob: 5 });
  });

  it('keeps one marker per user and room, shared by their tabs', async () => {
    const { url, store } = await startChat();
    const tab1 = await connectUser(url, 'bob');
    const tab2 = await connectUser(url, 'bob');
    const ana = await connectUser(url, 'ana');
    for (const client of [tab1, tab2, ana]) await join(client, roomId);
    await sendMany(ana, roomId, 3);
    ok(await ana.request('read:mark', { roomId, serial: 3 }));
    const atTab1 = nextEvent(tab1, 'read', (read) => read.serial === 2);
    ok(await tab2.request('read:mark', { roomId, serial: 2 }));
    expect(await atTab1).toEqual({ roomId, userId: 'bob', serial: 2 });
    expect(await store.readMarkers(roomId)).toEqual({ ana: 3, bob: 2 });
  });
});
