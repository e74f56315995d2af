import type { Schedule } from '@chatwire/server';
import type { Socket as RawClientSocket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { connectRaw, rawConnected } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, startChat, userIds } from './support.js';

const roomId = 'lobby';

/** A presence-window timer the test runs by hand: windows end only when `flush` says so. */
function manualTimer() {
  const due = new Set<() => void>();
  const schedule: Schedule = (callback) => {
    const run = () => {
      due.delete(run);
      callback();
    };
    due.add(run);
    return () => due.delete(run);
  };
  /** Ends every running window (and those opened by what they publish). */
  const flush = () => {
    while (due.size > 0) for (const run of [...due]) run();
  };
  return { schedule, flush };
}

/** The bytes of every `presence` frame the socket receives from now on (a box, read at the end). */
function presenceBytes(socket: RawClientSocket): { bytes: number } {
  const total = { bytes: 0 };
  socket.io.engine.on('packet', (packet: { data?: unknown }) => {
    if (typeof packet.data === 'string' && packet.data.startsWith('2["presence"')) {
      total.bytes += Buffer.byteLength(packet.data) + 1;
    }
  });
  return total;
}

/**
 * `members` users join one room one after the other (as after a server restart); returns the
 * presence bytes delivered to all of them, per join, once everyone has the full list.
 */
async function presenceBytesPerJoin(members: number): Promise<number> {
  const timer = manualTimer();
  const { url } = await startChat({ schedule: timer.schedule, actionRateLimit: false });
  const sockets = await Promise.all(
    Array.from({ length: members }, async (_, i) => {
      const socket = connectRaw(url, { userId: `user-${i}`, name: `User number ${i}` });
      await rawConnected(socket);
      return socket;
    }),
  );
  const counters = sockets.map(presenceBytes);
  const everyoneSeesEveryone = Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) =>
          socket.on('presence', ({ members: list }: { members: unknown[] }) => {
            if (list.length === members) resolve();
          }),
        ),
    ),
  );
  for (const socket of sockets) expect((await socket.emitWithAck('room:join', { roomId })).ok).toBe(true);
  timer.flush();
  await everyoneSeesEveryone;
  return counters.reduce((sum, { bytes }) => sum + bytes, 0) / members;
}

describe('presence amplification', () => {
  it('a re-join answers the joiner only: nothing goes to the room', async () => {
    const timer = manualTimer();
    const { url } = await startChat({ schedule: timer.schedule, actionRateLimit: false });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, roomId);
    await join(bob, roomId);
    const settled = [ana, bob].map((client) => nextEvent(client, 'presence', (p) => p.members.length === 2));
    timer.flush();
    await Promise.all(settled);
    const atAna = record(ana, 'presence');
    const atBob = record(bob, 'presence');
    for (let i = 0; i < 50; i++) expect(userIds((await join(bob, roomId)).members)).toEqual(['ana', 'bob']);
    timer.flush();
    // Carol's join is the next change: the only presence either of them gets.
    const carolSeen = [ana, bob].map((client) => nextEvent(client, 'presence', (p) => p.members.length === 3));
    const carol = await connectUser(url, 'carol');
    await join(carol, roomId);
    timer.flush();
    await Promise.all(carolSeen);
    expect(atAna.map((p) => userIds(p.members))).toEqual([['ana', 'bob', 'carol']]);
    expect(atBob.map((p) => userIds(p.members))).toEqual([['ana', 'bob', 'carol']]);
  });

  it('a join/leave flood sends the room at most one list per window', async () => {
    const timer = manualTimer();
    const { url } = await startChat({ schedule: timer.schedule, actionRateLimit: false });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, roomId);
    timer.flush();
    const atAna = record(ana, 'presence');
    for (let i = 0; i < 50; i++) {
      await join(bob, roomId);
      ok(await bob.request('room:leave', { roomId }));
    }
    await join(bob, roomId);
    const last = nextEvent(ana, 'presence', (p) => p.members.length === 2);
    timer.flush();
    await last;
    // The first change at once, all the others together when the window ends.
    expect(atAna).toHaveLength(2);
  });

  it('bytes delivered per join grow linearly with the room size (10, 100, 500 members)', async () => {
    const perJoin = new Map<number, number>();
    for (const members of [10, 100, 500]) perJoin.set(members, await presenceBytesPerJoin(members));
    const at = (members: number) => perJoin.get(members) ?? Number.NaN;
    // Linear: 10× the members, about 10× the bytes per join; quadratic would be about 100× and 25×.
    expect(at(100) / at(10)).toBeLessThan(10 * 1.5);
    expect(at(500) / at(100)).toBeLessThan(5 * 1.5);
  }, 60_000);
});
