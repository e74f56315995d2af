import { describe, expect, it } from 'vitest';
import { connectUser, join, nextEvent, ok, record, sendMany, startChat } from './support.js';

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
    // ana's marker moved with her own sends.
    expect(await store.readMarkers(roomId)).toEqual({ ana: 3, bob: 2 });
  });

  it('never moves a marker backwards, and announces only a marker that moved', async () => {
    const { url, store } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, roomId);
    await join(bob, roomId);
    await sendMany(ana, roomId, 5);
    const reads = record(ana, 'read');
    ok(await bob.request('read:mark', { roomId, serial: 4 }));
    // Backwards, and the same serial again: nothing moved, nothing is sent.
    ok(await bob.request('read:mark', { roomId, serial: 2 }));
    ok(await bob.request('read:mark', { roomId, serial: 4 }));
    expect(await store.readMarkers(roomId)).toEqual({ ana: 5, bob: 4 });
    const moved = nextEvent(ana, 'read', (read) => read.serial === 5);
    ok(await bob.request('read:mark', { roomId, serial: 5 }));
    await moved;
    expect(await store.readMarkers(roomId)).toEqual({ ana: 5, bob: 5 });
    // Events of one room reach a member in the order they were sent: the 5 came right after the 4.
    expect(reads).toEqual([
      { roomId, userId: 'bob', serial: 4 },
      { roomId, userId: 'bob', serial: 5 },
    ]);
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
