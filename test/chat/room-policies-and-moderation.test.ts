import type { MessageDraft, ModerationResult, RoomAuthorization } from '@chatwire/server';
import { describe, expect, it, vi } from 'vitest';
import { sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, send, startChat } from './support.js';

describe('authorizeRoom', () => {
  const staffOnly = async ({ user, roomId, action }: RoomAuthorization) => {
    if (roomId === 'staff') return user.userId === 'boss';
    if (roomId === 'announcements' && action === 'send') return user.userId === 'boss';
    return action !== 'moderate';
  };

  it("refusing 'join' answers FORBIDDEN and the user stays out", async () => {
    const { url } = await startChat({ authorizeRoom: staffOnly });
    const boss = await connectUser(url, 'boss');
    const ana = await connectUser(url, 'ana');
    await join(boss, 'staff');
    const atBoss = record(boss, 'presence:diff');
    expect(await ana.request('room:join', { roomId: 'staff' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Not allowed to join in room "staff"' },
    });
    expect(await ana.request('history:fetch', { roomId: 'staff' })).toMatchObject({ error: { code: 'NOT_MEMBER' } });
    await sleep(100);
    expect(atBoss).toEqual([]);
  });

  it("refusing 'send' answers FORBIDDEN to message:send and stores nothing", async () => {
    const { url, store } = await startChat({ authorizeRoom: staffOnly });
    const boss = await connectUser(url, 'boss');
    const ana = await connectUser(url, 'ana');
    await join(boss, 'announcements');
    await join(ana, 'announcements');
    expect(await ana.request('message:send', { roomId: 'announcements', clientMessageId: 'c', text: 'hi' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Not allowed to send in room "announcements"' },
    });
    expect(await store.lastSerial('announcements')).toBe(0);
    expect((await send(boss, 'announcements', 'welcome')).serial).toBe(1);
  });
});

describe('maxRoomsPerSocket', () => {
  it('refuses a join beyond the limit with TOO_MANY_ROOMS; rejoining or leaving first is fine', async () => {
    const { url } = await startChat({ maxRoomsPerSocket: 2 });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'a');
    await join(ana, 'b');
    expect(await ana.request('room:join', { roomId: 'c' })).toEqual({
      ok: false,
      error: { code: 'TOO_MANY_ROOMS', message: 'A connection may be in at most 2 rooms' },
    });
    expect(await ana.request('message:send', { roomId: 'c', clientMessageId: 'x', text: 'x' })).toMatchObject({
      error: { code: 'NOT_MEMBER' },
    });
    expect(await join(ana, 'b')).toMatchObject({ roomId: 'b' });
    ok(await ana.request('room:leave', { roomId: 'a' }));
    expect(await join(ana, 'c')).toMatchObject({ roomId: 'c' });
  });

  it('counts per connection, not per user', async () => {
    const { url } = await startChat({ maxRoomsPerSocket: 1 });
    const tab1 = await connectUser(url, 'ana');
    const tab2 = await connectUser(url, 'ana');
    await join(tab1, 'a');
    await join(tab2, 'b');
    expect(await tab1.request('room:join', { roomId: 'b' })).toMatchObject({ error: { code: 'TOO_MANY_ROOMS' } });
  });
});

describe('moderate hook', () => {
  /** Rejects spam, masks "darn", and keeps every draft it saw. */
  function moderator() {
    const drafts: MessageDraft[] = [];
    const moderate = async (draft: MessageDraft): Promise<ModerationResult> => {
      drafts.push(draft);
      if (draft.text.includes('spam')) return { reject: 'Looks like spam' };
      return { text: draft.text.replaceAll('darn', '****') };
    };
    return { drafts, moderate };
  }

  it('rewrites text: the rewritten text is acked, delivered and stored', async () => {
    const { drafts, moderate } = moderator();
    const { url } = await startChat({ moderate });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    await join(bob, 'lobby');
    const atBob = nextEvent(bob, 'message:new');
    expect((await send(ana, 'lobby', 'darn it')).text).toBe('**** it');
    expect((await atBob).text).toBe('**** it');
    expect(ok(await bob.request('history:fetch', { roomId: 'lobby' })).messages[0]!.text).toBe('**** it');
    expect(drafts).toEqual([
      { roomId: 'lobby', author: { userId: 'ana', name: 'Ana' }, text: 'darn it', kind: 'send' },
    ]);
  });

  it('rejects: MODERATED with the reason, nothing stored or delivered', async () => {
    const { url, store } = await startChat({ moderate: moderator().moderate });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    await join(bob, 'lobby');
    const atBob = record(bob, 'message:new');
    expect(await ana.request('message:send', { roomId: 'lobby', clientMessageId: 'c', text: 'buy spam' })).toEqual({
      ok: false,
      error: { code: 'MODERATED', message: 'Looks like spam' },
    });
    expect(await store.lastSerial('lobby')).toBe(0);
    // The refused clientMessageId was not used up.
    expect(await send(ana, 'lobby', 'fine now', 'c')).toMatchObject({ serial: 1, text: 'fine now' });
    await sleep(100);
    expect(atBob.map((message) => message.text)).toEqual(['fine now']);
  });

  it('also checks edits (kind edit): rewrites or rejects them', async () => {
    const { drafts, moderate } = moderator();
    const { url } = await startChat({ moderate });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    await send(ana, 'lobby', 'hello');
    const edited = ok(await ana.request('message:edit', { roomId: 'lobby', serial: 1, text: 'darn' }));
    expect(edited.text).toBe('****');
    expect(await ana.request('message:edit', { roomId: 'lobby', serial: 1, text: 'spam' })).toEqual({
      ok: false,
      error: { code: 'MODERATED', message: 'Looks like spam' },
    });
    expect(ok(await ana.request('history:fetch', { roomId: 'lobby' })).messages[0]!.text).toBe('****');
    expect(drafts.map((draft) => draft.kind)).toEqual(['send', 'edit', 'edit']);
  });
});

describe('a moderation hook that returns invalid text (regression)', () => {
  it('answers INTERNAL, stores nothing, and says so in the log', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { url, store } = await startChat({
      logger,
      moderate: ({ text }) => ({ text: text === 'empty' ? '' : 'x'.repeat(5000) }),
    });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    for (const text of ['empty', 'long']) {
      const answer = await ana.request('message:send', { roomId: 'r', clientMessageId: text, text });
      expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    }
    expect(await store.lastSerial('r')).toBe(0);
    expect(logger.error).toHaveBeenCalledWith('chatwire: handler of "message:send" threw', expect.anything());
  });
});
