import { describe, expect, it } from 'vitest';
import { sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, send, startChat, userIds } from './support.js';

describe('room:join', () => {
  it('answers { roomId, lastSerial, members, presenceVersion, readSerial, readMarkers }', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const first = await join(ana, 'lobby');
    expect(first).toEqual({
      roomId: 'lobby',
      lastSerial: 0,
      members: [{ userId: 'ana', name: 'Ana' }],
      presenceVersion: expect.any(Number),
      serverTime: expect.any(Number),
      readSerial: 0,
      readMarkers: {},
    });
    await send(ana, 'lobby', 'one');
    await send(ana, 'lobby', 'two');
    const bob = await connectUser(url, 'bob');
    const joined = await join(bob, 'lobby');
    expect(joined.lastSerial).toBe(2);
    expect(userIds(joined.members)).toEqual(['ana', 'bob']);
    expect(joined.presenceVersion).toBeGreaterThan(first.presenceVersion);
  });

  it('counts a user once however many tabs they have', async () => {
    const { url } = await startChat();
    const tab1 = await connectUser(url, 'ana');
    const tab2 = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(tab1, 'lobby');
    expect((await join(tab2, 'lobby')).members).toEqual([{ userId: 'ana', name: 'Ana' }]);
    expect(userIds((await join(bob, 'lobby')).members)).toEqual(['ana', 'bob']);
  });

  it('joining twice is harmless', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    await send(ana, 'lobby', 'hi');
    expect(await join(ana, 'lobby')).toMatchObject({ roomId: 'lobby', lastSerial: 1 });
    const received = record(ana, 'message:new');
    await send(ana, 'lobby', 'once');
    await sleep(100);
    expect(received).toHaveLength(1);
  });

  it('keeps rooms apart: serials and traffic are per room', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'a');
    await join(ana, 'b');
    await join(bob, 'b');
    const atBob = record(bob, 'message:new');
    expect((await send(ana, 'a', 'in a')).serial).toBe(1);
    expect((await send(ana, 'b', 'in b')).serial).toBe(1);
    expect((await send(ana, 'a', 'in a again')).serial).toBe(2);
    await sleep(100);
    expect(atBob.map((message) => message.text)).toEqual(['in b']);
  });
});

describe('presence', () => {
  it('sends the room who joined, numbered right after the version the others hold', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const { presenceVersion } = await join(ana, 'lobby');
    const bob = await connectUser(url, 'bob');
    const seen = nextEvent(ana, 'presence:diff');
    await join(bob, 'lobby');
    expect(await seen).toEqual({
      roomId: 'lobby',
      version: presenceVersion + 1,
      joined: [{ userId: 'bob', name: 'Bob' }],
    });
  });

  it('sends the room who left with room:leave', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    const { presenceVersion } = await join(bob, 'lobby');
    const seen = nextEvent(ana, 'presence:diff');
    expect(await bob.request('room:leave', { roomId: 'lobby' })).toEqual({ ok: true, data: {} });
    expect(await seen).toEqual({ roomId: 'lobby', version: presenceVersion + 1, left: ['bob'] });
  });

  it('sends the room who left by disconnecting', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    const { presenceVersion } = await join(bob, 'lobby');
    const seen = nextEvent(ana, 'presence:diff');
    bob.close();
    expect(await seen).toEqual({ roomId: 'lobby', version: presenceVersion + 1, left: ['bob'] });
  });

  it('keeps a user present while one of their tabs is still in the room: a tab is no change', async () => {
    const { url } = await startChat();
    const bob = await connectUser(url, 'bob');
    const tab1 = await connectUser(url, 'ana');
    const tab2 = await connectUser(url, 'ana');
    await join(tab1, 'lobby');
    await join(tab2, 'lobby');
    // Bob joins last: his answer holds every change so far.
    const { members, presenceVersion } = await join(bob, 'lobby');
    expect(userIds(members).sort()).toEqual(['ana', 'bob']);
    const atBob = record(bob, 'presence:diff');

    tab1.close();
    const afterLeave = nextEvent(bob, 'presence:diff');
    ok(await tab2.request('room:leave', { roomId: 'lobby' }));
    await afterLeave;
    // Only the last tab's going changed the room, with the very next version.
    expect(atBob).toEqual([{ roomId: 'lobby', version: presenceVersion + 1, left: ['ana'] }]);
  });

  it('room:leave stops the room traffic and makes the user a non-member', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    await join(bob, 'lobby');
    ok(await bob.request('room:leave', { roomId: 'lobby' }));
    const atBob = record(bob, 'message:new');
    await send(ana, 'lobby', 'after bob left');
    expect(await bob.request('history:fetch', { roomId: 'lobby' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_MEMBER' },
    });
    await sleep(100);
    expect(atBob).toEqual([]);
  });

  it('room:leave of a room one is not in answers ok and sends nothing', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    const atAna = record(ana, 'presence:diff');
    expect(await bob.request('room:leave', { roomId: 'lobby' })).toEqual({ ok: true, data: {} });
    await sleep(100);
    expect(atAna).toEqual([]);
  });
});
