import { MAX_UNREAD } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { connectUser, join, nextEvent, ok, record, send, sendMany, startChat } from './support.js';

const roomIds = (answer: { rooms: { roomId: string }[] }) => answer.rooms.map((room) => room.roomId);

describe("the user's rooms (membership)", () => {
  it('keeps a joined room across sessions and devices; a disconnect does not end it', async () => {
    const { url } = await startChat();
    const laptop = await connectUser(url, 'ana');
    await join(laptop, 'b-room');
    await join(laptop, 'a-room');
    laptop.close();
    const phone = await connectUser(url, 'ana');
    expect(ok(await phone.request('rooms:list', {}))).toEqual({
      rooms: [
        { roomId: 'a-room', lastSerial: 0, readSerial: 0, unread: 0 },
        { roomId: 'b-room', lastSerial: 0, readSerial: 0, unread: 0 },
      ],
      hasMore: false,
    });
    // Another user's list is their own.
    const ben = await connectUser(url, 'ben');
    expect(ok(await ben.request('rooms:list', {}))).toEqual({ rooms: [], hasMore: false });
  });

  it('an explicit room:leave ends the membership on every device, also from a connection that had not joined', async () => {
    const { url } = await startChat();
    const laptop = await connectUser(url, 'ana');
    const phone = await connectUser(url, 'ana');
    await join(laptop, 'lobby');
    await join(laptop, 'other');
    expect(roomIds(ok(await phone.request('rooms:list', {})))).toEqual(['lobby', 'other']);
    ok(await laptop.request('room:leave', { roomId: 'lobby' }));
    expect(roomIds(ok(await phone.request('rooms:list', {})))).toEqual(['other']);
    // Left from the list, without joining on this device.
    ok(await phone.request('room:leave', { roomId: 'other' }));
    expect(roomIds(ok(await laptop.request('rooms:list', {})))).toEqual([]);
  });

  it('counts unread messages: after the read marker, by others, not deleted; the sender has read their own', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    await join(ana, 'lobby');
    await join(ben, 'lobby');
    await send(ana, 'lobby', 'hi ben');
    const [, second, , last] = await sendMany(ben, 'lobby', 4, 'from ben');
    ok(await ben.request('message:delete', { roomId: 'lobby', serial: second?.serial ?? 0 }));
    const [anaRoom] = ok(await ana.request('rooms:list', {})).rooms;
    expect(anaRoom).toEqual({ roomId: 'lobby', lastSerial: 5, readSerial: 1, unread: 3, lastMessage: last });
    // ben sent the latest message: his marker moved to it.
    expect(ok(await ben.request('rooms:list', {})).rooms[0]).toMatchObject({ readSerial: 5, unread: 0 });
    ok(await ana.request('read:mark', { roomId: 'lobby', serial: 4 }));
    expect(ok(await ana.request('rooms:list', {})).rooms[0]).toMatchObject({ readSerial: 4, unread: 1 });
    await send(ana, 'lobby', 'read it all');
    expect(ok(await ana.request('rooms:list', {})).rooms[0]).toMatchObject({ lastSerial: 6, readSerial: 6, unread: 0 });
  });

  it(`caps unread at MAX_UNREAD (${MAX_UNREAD})`, async () => {
    const { url, store } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'busy');
    const ben = { userId: 'ben', name: 'Ben' };
    for (let i = 0; i < MAX_UNREAD + 5; i++) {
      await store.append({ roomId: 'busy', clientMessageId: `c${i}`, author: ben, text: 'x', createdAt: i });
    }
    expect(ok(await ana.request('rooms:list', {})).rooms[0]).toMatchObject({
      lastSerial: MAX_UNREAD + 5,
      unread: MAX_UNREAD,
    });
  });

  it('refuses a join past maxRoomsPerUser with TOO_MANY_ROOMS and a clear message; a leave makes room', async () => {
    const { url } = await startChat({ maxRoomsPerUser: 2 });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'one');
    await join(ana, 'two');
    const refused = await ana.request('room:join', { roomId: 'three' });
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'TOO_MANY_ROOMS',
        message: 'A user may be a member of at most 2 rooms: leave one to join "three"',
      },
    });
    // Refused means not in the room either.
    expect(await ana.request('history:fetch', { roomId: 'three' })).toMatchObject({ error: { code: 'NOT_MEMBER' } });
    // A room one is a member of already is no new membership.
    const phone = await connectUser(url, 'ana');
    await join(phone, 'one');
    ok(await ana.request('room:leave', { roomId: 'two' }));
    await join(ana, 'three');
    expect(roomIds(ok(await ana.request('rooms:list', {})))).toEqual(['one', 'three']);
  });

  it('pages: limit, and an answer cut to maxAnswerBytes, lead through every room once with after', async () => {
    const { url } = await startChat({ maxAnswerBytes: 4000, rateLimit: false, actionRateLimit: false });
    const ana = await connectUser(url, 'ana');
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) {
      const roomId = `room-${String(i).padStart(2, '0')}`;
      expected.push(roomId);
      await join(ana, roomId);
      await send(ana, roomId, 'y'.repeat(900));
    }
    const firstPage = ok(await ana.request('rooms:list', { limit: 5 }));
    expect(firstPage.hasMore).toBe(true);
    expect(firstPage.rooms.length).toBeLessThan(5);
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = ok(await ana.request('rooms:list', after === undefined ? { limit: 5 } : { after, limit: 5 }));
      expect(JSON.stringify(page).length).toBeLessThanOrEqual(4000);
      seen.push(...roomIds(page));
      if (!page.hasMore) break;
      after = page.rooms.at(-1)?.roomId;
    }
    expect(seen).toEqual(expected);
  });
});

describe('room:activity and read markers to connections that have not joined the room', () => {
  it("tells the members' other connections of a new message, not the ones in the room", async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    await join(ana, 'lobby');
    await join(ben, 'lobby');
    const anaPhone = await connectUser(url, 'ana');
    const inRoom = record(ana, 'room:activity');
    const activity = nextEvent(anaPhone, 'room:activity');
    const message = await send(ben, 'lobby', 'are you there?');
    expect(await activity).toEqual({ roomId: 'lobby', message });
    // Events to one connection keep their order: an answer after the send's means nothing more is coming.
    ok(await ana.request('rooms:list', {}));
    expect(inRoom).toEqual([]);
  });

  it('sends no room:activity for rooms with more than activityMaxMembers members', async () => {
    const { url } = await startChat({ activityMaxMembers: 1 });
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    await join(ana, 'lobby');
    await join(ben, 'lobby');
    const anaPhone = await connectUser(url, 'ana');
    const activity = record(anaPhone, 'room:activity');
    await send(ben, 'lobby', 'hello');
    ok(await anaPhone.request('rooms:list', {}));
    expect(activity).toEqual([]);
  });

  it("sends the user's own read marker to their connections that have not joined the room", async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    await join(ana, 'lobby');
    await join(ben, 'lobby');
    await sendMany(ben, 'lobby', 3);
    const anaPhone = await connectUser(url, 'ana');
    const read = nextEvent(anaPhone, 'read');
    ok(await ana.request('read:mark', { roomId: 'lobby', serial: 2 }));
    expect(await read).toEqual({ roomId: 'lobby', userId: 'ana', serial: 2 });
  });
});
