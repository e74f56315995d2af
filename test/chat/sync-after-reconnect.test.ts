import { MemoryStore } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { connectUser, join, nextEvent, ok, range, send, sendMany, serials, startChat } from './support.js';

const roomId = 'lobby';

describe('sync', () => {
  it('after a reconnect returns exactly the messages missed, in order, with discontinuity false', async () => {
    const { url } = await startChat({ rateLimit: false });
    const bob = await connectUser(url, 'bob');
    await join(bob, roomId);
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    const seen = nextEvent(ana, 'message:new', (message) => message.serial === 2);
    await sendMany(bob, roomId, 2, 'before');
    const lastSeen = (await seen).serial;

    const gone = nextEvent(bob, 'presence:diff', (diff) => diff.left?.[0] === 'ana');
    ana.close();
    await gone;
    const missed = await sendMany(bob, roomId, 3, 'while away');

    const again = await connectUser(url, 'ana');
    const joined = await join(again, roomId);
    expect(joined.lastSerial).toBe(5);
    const answer = ok(await again.request('sync', { rooms: { [roomId]: lastSeen } }));
    expect(answer).toEqual({
      rooms: { [roomId]: { messages: missed, discontinuity: false, updated: [], hasMore: false } },
      serverTime: expect.any(Number),
    });
    expect(serials(answer.rooms[roomId]!.messages)).toEqual([3, 4, 5]);
  });

  it('with nothing missed answers no messages and discontinuity false', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    expect((await join(ana, roomId)).lastSerial).toBe(0);
    expect(ok(await ana.request('sync', { rooms: { [roomId]: 0 } }))).toEqual({
      rooms: { [roomId]: { messages: [], discontinuity: false, updated: [], hasMore: false } },
      serverTime: expect.any(Number),
    });
    await send(ana, roomId, 'hi');
    expect(ok(await ana.request('sync', { rooms: { [roomId]: 1 } }))).toEqual({
      rooms: { [roomId]: { messages: [], discontinuity: false, updated: [], hasMore: false } },
      serverTime: expect.any(Number),
    });
  });

  it('leaves out rooms the socket has not joined', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(bob, 'private');
    await send(bob, 'private', 'not for ana');
    await join(ana, roomId);
    await send(ana, roomId, 'hi');
    expect(ok(await ana.request('sync', { rooms: { [roomId]: 0, private: 0, nowhere: 3 } }))).toEqual({
      rooms: {
        [roomId]: {
          messages: [expect.objectContaining({ serial: 1, text: 'hi' })],
          discontinuity: false,
          updated: [],
          hasMore: false,
        },
      },
      serverTime: expect.any(Number),
    });
    expect(ok(await ana.request('sync', { rooms: {} }))).toEqual({ rooms: {}, serverTime: expect.any(Number) });
  });

  it('syncs several rooms at once', async () => {
    const { url } = await startChat({ rateLimit: false });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'a');
    await join(ana, 'b');
    await sendMany(ana, 'a', 4);
    await sendMany(ana, 'b', 2);
    const answer = ok(await ana.request('sync', { rooms: { a: 1, b: 2 } }));
    expect(serials(answer.rooms.a!.messages)).toEqual([2, 3, 4]);
    expect(answer.rooms.b).toEqual({ messages: [], discontinuity: false, updated: [], hasMore: false });
  });

  it('with a gap bigger than syncLimit answers discontinuity true and no messages', async () => {
    const { url } = await startChat({ rateLimit: false, syncLimit: 5 });
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    await sendMany(ana, roomId, 10);
    expect(ok(await ana.request('sync', { rooms: { [roomId]: 0 } }))).toEqual({
      rooms: { [roomId]: { messages: [], discontinuity: true, updated: [], hasMore: false } },
      serverTime: expect.any(Number),
    });
    // A gap of exactly syncLimit still fits.
    const fits = ok(await ana.request('sync', { rooms: { [roomId]: 5 } }));
    expect(fits.rooms[roomId]!.discontinuity).toBe(false);
    expect(serials(fits.rooms[roomId]!.messages)).toEqual(range(6, 10));
  });

  it('when history no longer covers the gap (store keeps the newest 5) answers discontinuity true', async () => {
    const { url } = await startChat({ rateLimit: false, store: new MemoryStore({ maxMessagesPerRoom: 5 }) });
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    await sendMany(ana, roomId, 10);
    for (const last of [0, 2, 4]) {
      expect(ok(await ana.request('sync', { rooms: { [roomId]: last } }))).toEqual({
        rooms: { [roomId]: { messages: [], discontinuity: true, updated: [], hasMore: false } },
        serverTime: expect.any(Number),
      });
    }
    // From serial 5 on, 6–10 are still kept.
    const covered = ok(await ana.request('sync', { rooms: { [roomId]: 5 } }));
    expect(covered.rooms[roomId]!.discontinuity).toBe(false);
    expect(serials(covered.rooms[roomId]!.messages)).toEqual(range(6, 10));
  });

  it('when the client is ahead of the server (e.g. the server lost its data) answers discontinuity true', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    await send(ana, roomId, 'only one');
    expect(ok(await ana.request('sync', { rooms: { [roomId]: 7 } }))).toEqual({
      rooms: { [roomId]: { messages: [], discontinuity: true, updated: [], hasMore: false } },
      serverTime: expect.any(Number),
    });
  });

  it('returns edited and deleted messages as they are now', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, roomId);
    await sendMany(ana, roomId, 3);
    ok(await ana.request('message:edit', { roomId, serial: 2, text: 'edited' }));
    ok(await ana.request('message:delete', { roomId, serial: 3 }));
    const answer = ok(await ana.request('sync', { rooms: { [roomId]: 1 } }));
    expect(answer.rooms[roomId]!.messages.map((message) => message.text)).toEqual(['edited', '']);
  });
});

describe('sync with updatedSince', () => {
  it('also returns the messages up to lastSerial edited, deleted or reacted to since then', async () => {
    let clock = 1_000_000;
    const { url } = await startChat({ now: () => clock });
    const ana = await connectUser(url, 'ana');
    const { serverTime: joinedAt } = await join(ana, roomId);
    await sendMany(ana, roomId, 4);
    ok(await ana.request('message:edit', { roomId, serial: 1, text: 'long ago' }));
    clock += 60_000; // well past the 5 s allowed for clock differences between nodes
    const before = ok(await ana.request('sync', { rooms: { [roomId]: { after: 4, updatedSince: joinedAt } } }));
    expect(before.rooms[roomId]!.updated.map((m) => m.serial)).toEqual([1]);
    const seenAt = before.serverTime;
    clock += 1000;
    ok(await ana.request('message:edit', { roomId, serial: 2, text: 'edited' }));
    ok(await ana.request('message:delete', { roomId, serial: 3 }));
    ok(await ana.request('reaction:toggle', { roomId, serial: 4, emoji: '👍' }));
    await send(ana, roomId, 'new');
    ok(await ana.request('reaction:toggle', { roomId, serial: 5, emoji: '👍' }));
    const answer = ok(await ana.request('sync', { rooms: { [roomId]: { after: 4, updatedSince: seenAt } } }));
    const room = answer.rooms[roomId]!;
    expect(room.messages.map((m) => [m.serial, m.text])).toEqual([[5, 'new']]);
    expect(room.updated.map((m) => [m.serial, m.text, m.reactions])).toEqual([
      [2, 'edited', {}],
      [3, '', {}],
      [4, 'm 4', { '👍': ['ana'] }],
    ]);
    expect(answer.serverTime).toBe(clock);
    const without = ok(await ana.request('sync', { rooms: { [roomId]: 4 } }));
    expect(without.rooms[roomId]!.updated).toEqual([]);
  });
});
