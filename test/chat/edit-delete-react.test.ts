import type { ChatServerOptions, RoomAuthorization } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, send, startChat, unchecked } from './support.js';

/** Ana and Bob in 'lobby', with message 1 from Ana. */
async function lobby(options: Partial<ChatServerOptions> = {}) {
  let clock = 1_000_000;
  const { url, store } = await startChat({ now: () => clock, rateLimit: false, ...options });
  const ana = await connectUser(url, 'ana');
  const bob = await connectUser(url, 'bob');
  await join(ana, 'lobby');
  await join(bob, 'lobby');
  const message = await send(ana, 'lobby', 'original');
  const tick = (ms: number) => {
    clock += ms;
    return clock;
  };
  return { url, store, ana, bob, message, tick };
}

const roomId = 'lobby';

describe('message:edit', () => {
  it('by the author: acks the edited message and sends message:updated to the room', async () => {
    const { ana, bob, message, tick } = await lobby();
    const at = tick(5000);
    const atBob = nextEvent(bob, 'message:updated');
    const edited = ok(await ana.request('message:edit', { roomId, serial: 1, text: 'edited' }));
    expect(edited).toEqual({ ...message, text: 'edited', editedAt: at, updatedAt: at });
    expect(await atBob).toEqual(edited);
    const page = ok(await bob.request('history:fetch', { roomId }));
    expect(page.messages).toEqual([edited]);
  });

  it('by anyone else: FORBIDDEN, and nothing changes', async () => {
    const { ana, bob, message } = await lobby();
    const atAna = record(ana, 'message:updated');
    expect(await bob.request('message:edit', { roomId, serial: 1, text: 'hijacked' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Only the author can edit' },
    });
    await sleep(100);
    expect(atAna).toEqual([]);
    expect(ok(await ana.request('history:fetch', { roomId })).messages).toEqual([message]);
  });

  it('of a deleted message: CONFLICT', async () => {
    const { ana } = await lobby();
    ok(await ana.request('message:delete', { roomId, serial: 1 }));
    expect(await ana.request('message:edit', { roomId, serial: 1, text: 'back from the dead' })).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'The message was deleted' },
    });
  });

  it('of an unknown serial: NOT_FOUND', async () => {
    const { ana } = await lobby();
    expect(await ana.request('message:edit', { roomId, serial: 2, text: 'nope' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No message 2 in room "lobby"' },
    });
  });
});

describe('message:delete', () => {
  it('by the author: leaves a tombstone (empty text, no reactions, deletedAt) and broadcasts it', async () => {
    const { ana, bob, message, tick } = await lobby();
    ok(await bob.request('reaction:toggle', { roomId, serial: 1, emoji: '👍' }));
    const at = tick(1000);
    const atBob = nextEvent(bob, 'message:updated', (updated) => updated.deletedAt !== undefined);
    const deleted = ok(await ana.request('message:delete', { roomId, serial: 1 }));
    expect(deleted).toEqual({ ...message, text: '', reactions: {}, deletedAt: at, updatedAt: at });
    expect(await atBob).toEqual(deleted);
    expect(ok(await bob.request('history:fetch', { roomId })).messages).toEqual([deleted]);
  });

  it('twice: answers the same tombstone and broadcasts nothing more', async () => {
    const { ana, bob, tick } = await lobby();
    const firstUpdate = nextEvent(bob, 'message:updated');
    const deleted = ok(await ana.request('message:delete', { roomId, serial: 1 }));
    await firstUpdate;
    tick(1000);
    const atBob = record(bob, 'message:updated');
    expect(ok(await ana.request('message:delete', { roomId, serial: 1 }))).toEqual(deleted);
    await sleep(100);
    expect(atBob).toEqual([]);
  });

  it('by anyone else: FORBIDDEN', async () => {
    const { ana, bob, message } = await lobby();
    expect(await bob.request('message:delete', { roomId, serial: 1 })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Not allowed to moderate in room "lobby"' },
    });
    expect(ok(await ana.request('history:fetch', { roomId })).messages).toEqual([message]);
  });

  it("by a moderator that authorizeRoom allows to 'moderate': deleted", async () => {
    const calls: [string, string, string][] = [];
    const authorizeRoom = ({ user, roomId, action }: RoomAuthorization) => {
      calls.push([user.userId, roomId, action]);
      return action !== 'moderate' || user.userId === 'bob';
    };
    const { ana, bob, url } = await lobby({ authorizeRoom });
    const atAna = nextEvent(ana, 'message:updated');
    expect(ok(await bob.request('message:delete', { roomId, serial: 1 }))).toMatchObject({ text: '', serial: 1 });
    expect(await atAna).toMatchObject({ text: '', deletedAt: expect.any(Number) });
    expect(calls).toContainEqual(['bob', 'lobby', 'moderate']);

    const carol = await connectUser(url, 'carol');
    await join(carol, 'lobby');
    await send(bob, 'lobby', 'from bob');
    expect(await carol.request('message:delete', { roomId, serial: 2 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('of an unknown serial: NOT_FOUND', async () => {
    const { ana } = await lobby();
    expect(await ana.request('message:delete', { roomId, serial: 7 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('reaction:toggle', () => {
  it('adds the user, then removes them, each time broadcasting only the change as reaction', async () => {
    const { ana, bob } = await lobby();
    const changes = record(ana, 'reaction');
    const updates = record(ana, 'message:updated');

    const added = ok(await bob.request('reaction:toggle', { roomId, serial: 1, emoji: '👍' }));
    expect(added.reactions).toEqual({ '👍': ['bob'] });
    const both = ok(await ana.request('reaction:toggle', { roomId, serial: 1, emoji: '👍' }));
    expect(both.reactions).toEqual({ '👍': ['bob', 'ana'] });
    const other = ok(await ana.request('reaction:toggle', { roomId, serial: 1, emoji: '🎉' }));
    expect(other.reactions).toEqual({ '👍': ['bob', 'ana'], '🎉': ['ana'] });
    const removed = ok(await bob.request('reaction:toggle', { roomId, serial: 1, emoji: '👍' }));
    expect(removed.reactions).toEqual({ '👍': ['ana'], '🎉': ['ana'] });
    ok(await ana.request('reaction:toggle', { roomId, serial: 1, emoji: '👍' }));
    const last = ok(await ana.request('reaction:toggle', { roomId, serial: 1, emoji: '🎉' }));
    expect(last.reactions).toEqual({});
    expect(last.editedAt).toBeUndefined();

    // Ana made the last toggle: its broadcast reached her before its ack, and all earlier ones before that.
    const change = (userId: string, emoji: string, added: boolean, count: number) => ({
      roomId,
      serial: 1,
      emoji,
      userId,
      added,
      count,
      updatedAt: expect.any(Number),
    });
    expect(changes).toEqual([
      change('bob', '👍', true, 1),
      change('ana', '👍', true, 2),
      change('ana', '🎉', true, 1),
      change('bob', '👍', false, 1),
      change('ana', '👍', false, 0),
      change('ana', '🎉', false, 0),
    ]);
    expect(changes.at(-1)?.updatedAt).toBe(last.updatedAt);
    expect(updates).toEqual([]);
  });

  it('on a deleted message: CONFLICT; on an unknown serial: NOT_FOUND', async () => {
    const { ana, bob } = await lobby();
    ok(await ana.request('message:delete', { roomId, serial: 1 }));
    expect(await bob.request('reaction:toggle', { roomId, serial: 1, emoji: '👍' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await bob.request('reaction:toggle', { roomId, serial: 2, emoji: '👍' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('refuses an emoji key over 32 characters', async () => {
    const { bob } = await lobby();
    expect(await unchecked(bob, 'reaction:toggle', { roomId, serial: 1, emoji: 'x'.repeat(33) })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});
