import { SYSTEM_AUTHOR } from '@chatwire/protocol';
import { type ChatHookName, type ChatHooks, type ChatServer, MemoryStore } from '@chatwire/server';
import { describe, expect, it, vi } from 'vitest';
import { eventually } from '../chat-client/support.js';
import { connected } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, openClient, send, startChat, userOf } from './support.js';

/** Every event of hook `name` from now on. */
function recordHook<K extends ChatHookName>(chat: ChatServer, name: K): ChatHooks[K][] {
  const events: ChatHooks[K][] = [];
  chat.on(name, (event) => void events.push(event));
  return events;
}

/** A MemoryStore whose `get`, once armed, holds every caller until `readers` of them wait there. */
class MeetingStore extends MemoryStore {
  private waiting: (() => void)[] = [];
  readers = 0;

  override async get(roomId: string, serial: number) {
    const message = await super.get(roomId, serial);
    if (this.readers === 0) return message;
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length === this.readers) for (const release of this.waiting) release();
    });
    return message;
  }
}

const silentButErrors = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

describe('hooks: the server hears of each stored change once, after the fact', () => {
  it('message:created fires for each message stored, from a client or from chat.send, never for a retry', async () => {
    const { chat, url } = await startChat();
    const created = recordHook(chat, 'message:created');
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const sent = await send(ana, 'r', 'hi', 'c1');
    await send(ana, 'r', 'hi (retry)', 'c1');
    const posted = await chat.send('r', { text: 'welcome', clientMessageId: 's1' }, { as: 'system' });
    await chat.send('r', { text: 'welcome', clientMessageId: 's1' }, { as: 'system' });
    expect(created).toEqual([
      { message: sent, by: userOf('ana') },
      { message: posted, by: 'system' },
    ]);
    expect(posted.author).toEqual(SYSTEM_AUTHOR);
  });

  it('message:edited, message:deleted and reaction:toggled fire once each, with who did it', async () => {
    const { chat, url } = await startChat({ authorizeRoom: () => true });
    const edited = recordHook(chat, 'message:edited');
    const deleted = recordHook(chat, 'message:deleted');
    const reactions = recordHook(chat, 'reaction:toggled');
    const ana = await connectUser(url, 'ana');
    const mod = await connectUser(url, 'mod');
    await join(ana, 'r');
    await join(mod, 'r');
    await send(ana, 'r', 'helo');
    const fixed = ok(await ana.request('message:edit', { roomId: 'r', serial: 1, text: 'hello' }));
    // Refused edits change nothing and are not announced.
    expect((await mod.request('message:edit', { roomId: 'r', serial: 1, text: 'mine' })).ok).toBe(false);
    const liked = ok(await mod.request('reaction:toggle', { roomId: 'r', serial: 1, emoji: '👍' }));
    const unliked = ok(await mod.request('reaction:toggle', { roomId: 'r', serial: 1, emoji: '👍' }));
    const gone = ok(await mod.request('message:delete', { roomId: 'r', serial: 1 }));
    // Deleting a tombstone again changes nothing.
    ok(await mod.request('message:delete', { roomId: 'r', serial: 1 }));
    expect(edited).toEqual([{ message: fixed, by: userOf('ana') }]);
    expect(reactions).toEqual([
      { message: liked, emoji: '👍', added: true, by: userOf('mod') },
      { message: unliked, emoji: '👍', added: false, by: userOf('mod') },
    ]);
    expect(deleted).toEqual([{ message: gone, by: userOf('mod') }]);
    expect(gone.deletedAt).toBeDefined();
  });

  it('two deletes racing for one message fire message:deleted once', async () => {
    const store = new MeetingStore();
    let clock = 1_000;
    const { chat, url } = await startChat({ store, now: () => clock++ });
    const deleted = recordHook(chat, 'message:deleted');
    const tab1 = await connectUser(url, 'ana');
    const tab2 = await connectUser(url, 'ana');
    await join(tab1, 'r');
    await join(tab2, 'r');
    await send(tab1, 'r', 'oops');
    store.readers = 2; // both deletes read the message before either deletes it
    const answers = await Promise.all(
      [tab1, tab2].map(async (tab) => ok(await tab.request('message:delete', { roomId: 'r', serial: 1 }))),
    );
    // One tombstone, the first delete's; the second only touched it again.
    const [first, second] = answers.map((answer) => answer.deletedAt);
    expect(first).toBe(second);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ message: { serial: 1, deletedAt: first }, by: userOf('ana') });
  });

  it('member:joined fires for a user’s first connection into a room, member:left for the last one out', async () => {
    const { chat, url } = await startChat();
    const joined = recordHook(chat, 'member:joined');
    const left = recordHook(chat, 'member:left');
    const tab1 = await connectUser(url, 'ana');
    const tab2 = await connectUser(url, 'ana');
    await join(tab1, 'r');
    await join(tab2, 'r');
    await join(tab2, 'r'); // a re-join of the same connection is nothing new
    expect(joined).toEqual([{ roomId: 'r', user: userOf('ana') }]);
    ok(await tab1.request('room:leave', { roomId: 'r' }));
    expect(left).toEqual([]);
    tab2.close(); // the last one out, by disconnecting
    await eventually(() => expect(left).toEqual([{ roomId: 'r', userId: 'ana' }]));
    expect(joined).toHaveLength(1);
  });

  it('a hook that throws or rejects is logged; the send still acks and is delivered, and other hooks run', async () => {
    const logger = silentButErrors();
    const { chat, url } = await startChat({ logger });
    chat.on('message:created', () => {
      throw new Error('webhook down');
    });
    chat.on('message:created', async () => {
      throw new Error('index down');
    });
    const created = recordHook(chat, 'message:created');
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    await join(ana, 'r');
    await join(ben, 'r');
    const delivered = nextEvent(ben, 'message:new');
    const sent = await send(ana, 'r', 'still here');
    expect(await delivered).toEqual(sent);
    expect(created).toHaveLength(1);
    await eventually(() => expect(logger.error).toHaveBeenCalledTimes(2));
    const errors = logger.error.mock.calls.map(([message, meta]) => [
      message,
      (meta as { error: Error }).error.message,
    ]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ['chatwire: hook "message:created" failed', 'webhook down'],
        ['chatwire: hook "message:created" failed', 'index down'],
      ]),
    );
    // chat.send is not held up either.
    expect(await chat.send('r', { text: 'and me' }, { as: 'system' })).toMatchObject({ serial: 2 });
  });

  it('a hook that never finishes holds up neither the ack nor the delivery', async () => {
    const { chat, url } = await startChat();
    const started: number[] = [];
    chat.on('message:created', ({ message }) => {
      started.push(message.serial);
      return new Promise<void>(() => {}); // a gate that never opens
    });
    chat.on('member:joined', () => new Promise<void>(() => {}));
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    await join(ana, 'r');
    await join(ben, 'r');
    const delivered = nextEvent(ben, 'message:new', (m) => m.serial === 2);
    await send(ana, 'r', 'one');
    await send(ana, 'r', 'two');
    expect((await delivered).text).toBe('two');
    expect(started).toEqual([1, 2]);
  });

  it('stops calling a hook once it is removed, and a hook changing its event changes nothing sent', async () => {
    const { chat, url } = await startChat();
    const seen: string[] = [];
    const off = chat.on('message:created', ({ message }) => {
      seen.push(message.text);
      message.text = 'tampered';
    });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    expect((await send(ana, 'r', 'one')).text).toBe('one');
    off();
    await send(ana, 'r', 'two');
    expect(seen).toEqual(['one']);
    const history = ok(await ana.request('history:fetch', { roomId: 'r' }));
    expect(history.messages.map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('chat.send refuses to post as anything but a user or the system, with VALIDATION_FAILED', async () => {
    const { chat } = await startChat();
    const wrong = { as: 'admin' };
    // @ts-expect-error: a user or 'system' (the types are checked in hooks.test-d.ts)
    await expect(chat.send('r', { text: 'x' }, wrong)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('a connection that fails to join fires no member:joined', async () => {
    const { chat, url } = await startChat({ authorizeRoom: ({ action }) => action !== 'join' });
    const joined = recordHook(chat, 'member:joined');
    const ana = openClient(url, { auth: userOf('ana') });
    await connected(ana);
    expect((await ana.request('room:join', { roomId: 'r' })).ok).toBe(false);
    expect(joined).toEqual([]);
  });
});
