import { type ChatUser, chatContract, MAX_REACTION_USERS, type Message } from '@chatwire/protocol';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { ChatRoom, type RoomHost } from '../../src/chat/chat-room.js';
import { createClient } from '../../src/create-client.js';

const ana: ChatUser = { userId: 'ana', name: 'Ana' };
const bob: ChatUser = { userId: 'bob', name: 'Bob' };
const cy: ChatUser = { userId: 'cy', name: 'Cy' };

/**
 * A room fed directly, the way its ChatClient feeds it: no server. Its client never connects (nothing
 * here asks the server anything), and a gap fill or member resync would only start after an hour.
 */
function openRoom(settings: { typingExpiryMs?: number } = {}): ChatRoom {
  const client = createClient(chatContract, 'http://127.0.0.1:9', { autoConnect: false });
  onTestFinished(() => client.close());
  const host: RoomHost = { client, user: ana, closed: false, ready: async () => {}, forget: () => {}, left: () => {} };
  const hourMs = 3_600_000;
  const room = new ChatRoom('general', host, {
    sendTimeoutMs: hourMs,
    pageSize: 50,
    typingThrottleMs: hourMs,
    typingIdleMs: hourMs,
    typingExpiryMs: hourMs,
    gapFillDelayMs: hourMs,
    newId: () => 'id',
    now: () => 0,
    onError: (error) => {
      throw error;
    },
    backoff: { baseMs: hourMs, maxMs: hourMs, random: () => 0 },
    ...settings,
  });
  onTestFinished(() => room.disconnected_());
  return room;
}

const message = (serial: number, extra: Partial<Message> = {}): Message => ({
  id: `m${serial}`,
  roomId: 'general',
  serial,
  clientMessageId: `c${serial}`,
  author: bob,
  text: `text ${serial}`,
  createdAt: serial,
  reactions: {},
  ...extra,
});

const serials = (room: ChatRoom) => room.messages.map((m) => ('serial' in m ? m.serial : undefined));

describe('ChatRoom', () => {
  it('lists messages in serial order whatever order they come in, each serial once', () => {
    const room = openRoom();
    const arrived: number[] = [];
    room.on('message', (m) => arrived.push(m.serial));
    for (const serial of [3, 1, 2, 3, 1]) room.receive_(message(serial));
    expect(serials(room)).toEqual([1, 2, 3]);
    expect(arrived).toEqual([3, 1, 2]);
    expect(room.messages.every((m) => m.status === 'sent')).toBe(true);
  });

  it('merges a sync answer with what came live: new serials added once, later copies win', async () => {
    const room = openRoom();
    room.receive_(message(2));
    const changes: number[] = [];
    room.on('change', () => changes.push(changes.length));
    const synced = await room.synchronize_({
      messages: [message(1), message(2), message(3)],
      discontinuity: false,
      updated: [message(2, { text: 'edited', editedAt: 5, updatedAt: 5 })],
    });
    expect(synced).toBe(true);
    expect(serials(room)).toEqual([1, 2, 3]);
    expect(room.messages[1]).toMatchObject({ text: 'edited', updatedAt: 5 });
    // One change for the whole answer, one for the update.
    expect(changes).toHaveLength(2);
  });

  it('keeps the later of two copies of a message, and ignores a replay of the one it has', () => {
    const room = openRoom();
    room.receive_(message(1));
    const updated: (string | undefined)[] = [];
    room.on('updated', (m) => updated.push(m.text));
    room.update_(message(1, { text: 'second', updatedAt: 20 }));
    room.update_(message(1, { text: 'first', updatedAt: 10 }));
    room.update_(message(1, { text: 'second', updatedAt: 20 }));
    room.update_(message(9, { text: 'unknown', updatedAt: 30 }));
    expect(updated).toEqual(['second']);
    expect(room.messages[0]).toMatchObject({ text: 'second' });
  });

  it('applies a reaction unless its copy changed later; past MAX_REACTION_USERS a reaction is only counted', () => {
    const room = openRoom();
    const full = Array.from({ length: MAX_REACTION_USERS }, (_, i) => `u${i}`);
    room.receive_(message(1, { reactions: { '👍': full }, updatedAt: 10 }));
    room.applyReaction_({
      roomId: 'general',
      serial: 1,
      emoji: '👍',
      userId: 'late',
      added: true,
      count: 21,
      updatedAt: 11,
    });
    expect(room.messages[0]).toMatchObject({ reactions: { '👍': full }, reactionCounts: { '👍': 21 }, updatedAt: 11 });
    room.applyReaction_({
      roomId: 'general',
      serial: 1,
      emoji: '🎉',
      userId: 'ana',
      added: true,
      count: 1,
      updatedAt: 5,
    });
    expect((room.messages[0] as Message).reactions).toEqual({ '👍': full });
    room.applyReaction_({
      roomId: 'general',
      serial: 1,
      emoji: '👍',
      userId: 'late',
      added: false,
      count: 20,
      updatedAt: 12,
    });
    expect(room.messages[0]).not.toHaveProperty('reactionCounts');
  });

  it('applies member changes in version order, holds one that overtook another, and drops stale ones', () => {
    const room = openRoom();
    const seen: string[][] = [];
    room.on('presence', (members) => seen.push(members.map((u) => u.userId)));
    // A change before the join answer waits for it.
    room.applyDiff_({ roomId: 'general', version: 2, joined: [bob] });
    room.setMembers_([ana], 1);
    expect(room.members.map((u) => u.userId)).toEqual(['ana', 'bob']);
    // Version 4 overtook 3: it waits, then both apply in order.
    room.applyDiff_({ roomId: 'general', version: 4, left: ['ana'] });
    expect(room.members.map((u) => u.userId)).toEqual(['ana', 'bob']);
    room.applyDiff_({ roomId: 'general', version: 3, joined: [cy] });
    expect(room.members.map((u) => u.userId)).toEqual(['bob', 'cy']);
    expect(room.memberCount).toBe(2);
    // Stale: an older change or an older whole list.
    room.applyDiff_({ roomId: 'general', version: 3, joined: [ana] });
    room.setMembers_([ana], 2);
    expect(room.members.map((u) => u.userId)).toEqual(['bob', 'cy']);
    expect(seen).toEqual([
      ['ana', 'bob'],
      ['bob', 'cy'],
    ]);
  });
});

describe('ChatRoom typing of others', () => {
  /** Fake setTimeout for this test: the room's typing timers run only when the test advances them. */
  function fakeTimers(): void {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
  }

  it('forgets a typist after typingExpiryMs without a "stopped"; each refresh restarts the wait', () => {
    fakeTimers();
    const room = openRoom({ typingExpiryMs: 5000 });
    const seen: string[][] = [];
    room.on('typing', (users) => seen.push(users.map((user) => user.userId)));
    room.setRemoteTyping_(bob, true);
    vi.advanceTimersByTime(4999);
    room.setRemoteTyping_(bob, true);
    vi.advanceTimersByTime(4999);
    expect(room.typing).toEqual([bob]);
    vi.advanceTimersByTime(1);
    expect(room.typing).toEqual([]);
    expect(seen).toEqual([['bob'], ['bob'], []]);
  });

  it('clears a typist whose message arrives, and never lists our own user', () => {
    fakeTimers();
    const room = openRoom({ typingExpiryMs: 5000 });
    room.setRemoteTyping_(ana, true);
    room.setRemoteTyping_(bob, true);
    room.setRemoteTyping_(cy, true);
    expect(room.typing).toEqual([bob, cy]);
    room.receive_(message(1));
    expect(room.typing).toEqual([cy]);
    room.setRemoteTyping_(cy, false);
    expect(room.typing).toEqual([]);
  });
});
