import { type ChatUser, isChatwireError, SYSTEM_AUTHOR } from '@chatwire/protocol';
import { type AppendResult, MemoryStore, type NewMessage } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { attempt, connectUser, join, nextEvent, ok, record, send, startChat } from './support.js';

const bot: ChatUser = { userId: 'dice-bot', name: 'Dice' };

/** A MemoryStore whose next append fails, like a database that is down. */
class DownOnceStore extends MemoryStore {
  down = false;

  override async append(message: NewMessage): Promise<AppendResult> {
    if (this.down) {
      this.down = false;
      throw new Error('connection refused');
    }
    return super.append(message);
  }
}

/** The ChatwireError code `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isChatwireError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('chat.send: the server posts through the path of a client send', () => {
  it('as system: the next serial, stored, delivered to every member as system: true from SYSTEM_AUTHOR', async () => {
    const { chat, url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    await send(ana, 'r', 'hi');
    const delivered = nextEvent(ana, 'message:new', (m) => m.serial === 2);
    const posted = await chat.send('r', { text: 'Maintenance at 22:00' }, { as: 'system' });
    expect(posted).toMatchObject({ serial: 2, text: 'Maintenance at 22:00', author: SYSTEM_AUTHOR, system: true });
    expect(await delivered).toEqual(posted);
    const history = ok(await ana.request('history:fetch', { roomId: 'r' }));
    expect(history.messages.map((m) => [m.serial, m.system])).toEqual([
      [1, undefined],
      [2, true],
    ]);
  });

  it('as a user: delivered as that user, not marked system, and a client sending after it gets the next serial', async () => {
    const { chat, url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const delivered = nextEvent(ana, 'message:new');
    const posted = await chat.send('r', { text: 'rolled 4' }, { as: bot });
    expect(await delivered).toEqual(posted);
    expect(posted).toMatchObject({ serial: 1, author: bot });
    expect(posted).not.toHaveProperty('system');
    expect((await send(ana, 'r', 'thanks')).serial).toBe(2);
  });

  it('is idempotent by clientMessageId: a repeat answers the original and delivers nothing again', async () => {
    const { chat, url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const received = record(ana, 'message:new');
    const first = await chat.send('r', { text: 'import 1', clientMessageId: 'import-1' }, { as: bot });
    const again = await chat.send('r', { text: 'import 1 (again)', clientMessageId: 'import-1' }, { as: bot });
    // Without a clientMessageId each call is a message of its own.
    await chat.send('r', { text: 'same' }, { as: 'system' });
    await chat.send('r', { text: 'same' }, { as: 'system' });
    expect(again).toEqual(first);
    await send(ana, 'r', 'last');
    expect(received.map((m) => [m.serial, m.text])).toEqual([
      [1, 'import 1'],
      [2, 'same'],
      [3, 'same'],
      [4, 'last'],
    ]);
  });

  it('moderates what a user posts, but not what the system posts', async () => {
    const { chat } = await startChat({
      moderate: ({ text, author }) =>
        text.includes('spam') ? { reject: `no spam, ${author.name}` } : { text: text.toUpperCase() },
    });
    await expect(chat.send('r', { text: 'buy spam' }, { as: bot })).rejects.toMatchObject({
      code: 'MODERATED',
      message: 'no spam, Dice',
    });
    expect(await chat.send('r', { text: 'quiet' }, { as: bot })).toMatchObject({ serial: 1, text: 'QUIET' });
    expect(await chat.send('r', { text: 'spam filter on' }, { as: 'system' })).toMatchObject({
      serial: 2,
      text: 'spam filter on',
    });
  });

  it('refuses a bad room, text or user with VALIDATION_FAILED, and nobody can be the system user', async () => {
    const { chat, url } = await startChat();
    expect(await rejection(chat.send('no spaces', { text: 'x' }, { as: 'system' }))).toBe('VALIDATION_FAILED');
    expect(await rejection(chat.send('r', { text: '' }, { as: 'system' }))).toBe('VALIDATION_FAILED');
    expect(await rejection(chat.send('r', { text: 'x' }, { as: { userId: '', name: 'X' } }))).toBe('VALIDATION_FAILED');
    expect(await rejection(chat.send('r', { text: 'x' }, { as: SYSTEM_AUTHOR }))).toBe('VALIDATION_FAILED');
    const impostor = await attempt(url, { userId: SYSTEM_AUTHOR.userId, name: 'System' });
    expect(impostor.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Reserved user id' });
    const ana = await connectUser(url, 'ana');
    expect((await join(ana, 'r')).lastSerial).toBe(0);
  });

  it('rejects with UNAVAILABLE while the store is down; the same clientMessageId then posts once', async () => {
    const store = new DownOnceStore();
    const { chat } = await startChat({ store });
    store.down = true;
    const message = { text: 'hello', clientMessageId: 'welcome-ana' };
    expect(await rejection(chat.send('r', message, { as: 'system' }))).toBe('UNAVAILABLE');
    expect(await chat.send('r', message, { as: 'system' })).toMatchObject({ serial: 1 });
    expect(await chat.send('r', message, { as: 'system' })).toMatchObject({ serial: 1 });
    expect(await store.lastSerial('r')).toBe(1);
  });
});
