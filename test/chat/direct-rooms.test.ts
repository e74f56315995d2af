import { directRoomId, directRoomUsers, roomIdSchema } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { connectUser, join, startChat } from './support.js';

describe('directRoomId', () => {
  it('gives dm:{first}:{second}, the same for both users, and a valid room id', () => {
    expect(directRoomId('ben', 'ana')).toBe('dm:ana:ben');
    expect(directRoomId('ana', 'ben')).toBe('dm:ana:ben');
    // Sorted by character codes: upper case first, whatever the locale.
    expect(directRoomId('zed', 'Zed')).toBe('dm:Zed:zed');
    expect(directRoomId('ana', 'ana')).toBe('dm:ana:ana');
    expect(roomIdSchema.safeParse(directRoomId('user@example.com', 'u-1_#.x')).success).toBe(true);
    expect(directRoomUsers('dm:ana:ben')).toEqual(['ana', 'ben']);
  });

  it('refuses ids that would let two pairs share a room, or that a room id cannot hold', () => {
    // Without the refusal, ('a:b', 'c') and ('a', 'b:c') would both be dm:a:b:c.
    expect(() => directRoomId('a:b', 'c')).toThrow(TypeError);
    expect(() => directRoomId('ana', 'bé')).toThrow(TypeError);
    expect(() => directRoomId('ana', '')).toThrow(TypeError);
    expect(() => directRoomId('a'.repeat(63), 'b'.repeat(62))).toThrow(/too long/);
    expect(directRoomId('a'.repeat(62), 'b'.repeat(62))).toHaveLength(128);
  });

  it('reads back only the ids it makes', () => {
    expect(directRoomUsers('dm:ben:ana')).toBeUndefined();
    expect(directRoomUsers('dm:a:b:c')).toBeUndefined();
    expect(directRoomUsers('dm:ana')).toBeUndefined();
    expect(directRoomUsers('dm::ana')).toBeUndefined();
    expect(directRoomUsers('lobby')).toBeUndefined();
  });
});

describe('direct rooms on the server', () => {
  const forbidden = { ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('direct room') } };

  it('admits its two users only', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    const eve = await connectUser(url, 'eve');
    const roomId = directRoomId('ana', 'ben');
    await join(ana, roomId);
    await join(ben, roomId);
    expect(await eve.request('room:join', { roomId })).toEqual(forbidden);
    // Not a room the refused user is a member of afterwards.
    expect(await eve.request('rooms:list', {})).toEqual({ ok: true, data: { rooms: [], hasMore: false } });
  });

  it('admits nobody to a dm: room in another shape (unsorted, three parts)', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    expect(await ana.request('room:join', { roomId: 'dm:ben:ana' })).toEqual(forbidden);
    expect(await ana.request('room:join', { roomId: 'dm:ana:ben:eve' })).toEqual(forbidden);
    expect(await ana.request('room:join', { roomId: 'dm:ana' })).toEqual(forbidden);
  });

  it("holds whatever the app's authorizeRoom says, unless directRooms: false", async () => {
    const open = await startChat({ authorizeRoom: () => true });
    const eve = await connectUser(open.url, 'eve');
    expect(await eve.request('room:join', { roomId: 'dm:ana:ben' })).toEqual(forbidden);

    const appDecides = await startChat({ directRooms: false, authorizeRoom: () => true });
    const eve2 = await connectUser(appDecides.url, 'eve');
    await join(eve2, 'dm:ana:ben');
  });

  it('lets authorizeRoom refuse one of the two users still', async () => {
    const { url } = await startChat({
      authorizeRoom: ({ user, action }) => action !== 'join' || user.userId !== 'ben',
    });
    const ben = await connectUser(url, 'ben');
    expect(await ben.request('room:join', { roomId: 'dm:ana:ben' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });
});
