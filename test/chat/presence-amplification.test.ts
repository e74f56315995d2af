import type { Socket as RawClientSocket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { connectRaw, rawConnected } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, startChat, userIds } from './support.js';

const roomId = 'lobby';

/**
 * The bytes of every frame the socket receives from now on (a box, read at the end): events and
 * acks alike, so that the joiner's answer counts too. Only `session` (sent on connect) is left out.
 */
function receivedBytes(socket: RawClientSocket): { bytes: number } {
  const total = { bytes: 0 };
  socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
    if (packet.type !== 'message' || typeof packet.data !== 'string') return;
    if (packet.data.startsWith('2["session"')) return;
    total.bytes += Buffer.byteLength(packet.data) + 1;
  });
  return total;
}

/** Resolves when the socket gets a presence event (a list or a change) that satisfies `check`. */
function presenceFrame(socket: RawClientSocket, check: (data: string) => boolean = () => true): Promise<void> {
  return new Promise((resolve) => {
    const onPacket = (packet: { type: string; data?: unknown }) => {
      if (typeof packet.data !== 'string' || !packet.data.startsWith('2["presence') || !check(packet.data)) return;
      socket.io.engine.off('packet', onPacket);
      resolve();
    };
    socket.io.engine.on('packet', onPacket);
  });
}

/** `count` raw sockets, connected, as user-0… with names long enough to weigh in the lists. */
async function connectMany(url: string, count: number, from = 0): Promise<RawClientSocket[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const socket = connectRaw(url, { userId: `user-${from + i}`, name: `User number ${from + i}` });
      await rawConnected(socket);
      return socket;
    }),
  );
}

/** Joins the sockets one after the other; resolves once every one of them heard of the last join. */
async function joinAll(sockets: RawClientSocket[]): Promise<void> {
  const lastId = `"user-${sockets.length - 1}"`;
  const heard = sockets.slice(0, -1).map((socket) => presenceFrame(socket, (data) => data.includes(lastId)));
  for (const socket of sockets) expect((await socket.emitWithAck('room:join', { roomId })).ok).toBe(true);
  await Promise.all(heard);
}

const sum = (counters: { bytes: number }[]) => counters.reduce((total, { bytes }) => total + bytes, 0);

/**
 * `members` users join one room one after the other (as after a server restart); returns the
 * bytes delivered to all of them, per join, once everyone heard of the last one.
 */
async function bytesPerJoinInBurst(members: number): Promise<number> {
  const { url } = await startChat({ actionRateLimit: false });
  const sockets = await connectMany(url, members);
  const counters = sockets.map(receivedBytes);
  await joinAll(sockets);
  return sum(counters) / members;
}

/**
 * A quiet room of `members` users; one more joins, then leaves. Returns the bytes delivered to
 * everyone (the joiner's answer included) for the join and for the leave.
 */
async function bytesOfIsolatedChanges(members: number): Promise<{ join: number; leave: number }> {
  const { url } = await startChat({ actionRateLimit: false });
  const sockets = await connectMany(url, members);
  await joinAll(sockets);
  const [newcomer] = await connectMany(url, 1, members);
  if (newcomer === undefined) throw new Error('no newcomer');
  const newcomerId = `"user-${members}"`;

  let counters = [...sockets, newcomer].map(receivedBytes);
  const heardJoin = sockets.map((socket) => presenceFrame(socket, (data) => data.includes(newcomerId)));
  expect((await newcomer.emitWithAck('room:join', { roomId })).ok).toBe(true);
  await Promise.all(heardJoin);
  const join = sum(counters);

  counters = sockets.map(receivedBytes);
  const heardLeave = sockets.map((socket) => presenceFrame(socket));
  expect((await newcomer.emitWithAck('room:leave', { roomId })).ok).toBe(true);
  await Promise.all(heardLeave);
  return { join, leave: sum(counters) };
}

describe('presence amplification', () => {
  it('a re-join answers the joiner only: nothing goes to the room', async () => {
    const { url } = await startChat({ actionRateLimit: false });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, roomId);
    await join(bob, roomId);
    const atAna = record(ana, 'presence:diff');
    const atBob = record(bob, 'presence:diff');
    for (let i = 0; i < 50; i++) expect(userIds((await join(bob, roomId)).members)).toEqual(['ana', 'bob']);
    // Carol's join is the next change: the only one either of them gets.
    const carolSeen = [ana, bob].map((client) => nextEvent(client, 'presence:diff'));
    const carol = await connectUser(url, 'carol');
    await join(carol, roomId);
    await Promise.all(carolSeen);
    for (const seen of [atAna, atBob])
      expect(seen.map((diff) => diff.joined?.map((user) => user.userId))).toEqual([['carol']]);
  });

  it('a join/leave flood sends each change as one small diff, in version order, never the list', async () => {
    const { url } = await startChat({ actionRateLimit: false });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    const { presenceVersion } = await join(ana, roomId);
    const atAna = record(ana, 'presence:diff');
    for (let i = 0; i < 50; i++) {
      await join(bob, roomId);
      ok(await bob.request('room:leave', { roomId }));
    }
    const last = nextEvent(ana, 'presence:diff', (diff) => diff.version === presenceVersion + 101);
    await join(bob, roomId);
    await last;
    expect(atAna.map((diff) => diff.version)).toEqual(Array.from({ length: 101 }, (_, i) => presenceVersion + i + 1));
    expect(atAna.every((diff) => (diff.joined?.length ?? 0) + (diff.left?.length ?? 0) === 1)).toBe(true);
  });

  it('bytes delivered per join in a burst grow linearly with the room size (10, 100, 500 members)', async () => {
    const perJoin = new Map<number, number>();
    for (const members of [10, 100, 500]) perJoin.set(members, await bytesPerJoinInBurst(members));
    const at = (members: number) => perJoin.get(members) ?? Number.NaN;
    // Linear: 10× the members, about 10× the bytes per join; quadratic would be about 100× and 25×.
    expect(at(100) / at(10)).toBeLessThan(10 * 1.5);
    expect(at(500) / at(100)).toBeLessThan(5 * 1.5);
  }, 60_000);

  it('bytes delivered for one join or leave in a quiet room grow linearly with its size (10, 100, 500 members)', async () => {
    const bytes = new Map<number, { join: number; leave: number }>();
    for (const members of [10, 100, 500]) bytes.set(members, await bytesOfIsolatedChanges(members));
    for (const change of ['join', 'leave'] as const) {
      const at = (members: number) => bytes.get(members)?.[change] ?? Number.NaN;
      // Linear: 10× the members, about 10× the bytes; quadratic (the whole list to everyone) ~100× and 25×.
      expect(at(100) / at(10), change).toBeLessThan(10 * 1.5);
      expect(at(500) / at(100), change).toBeLessThan(5 * 1.5);
    }
  }, 60_000);
});
