import type { AppendResult, HistoryQuery, NewMessage } from '@chatwire/server';
import { MemoryStore } from '@chatwire/server';
import { describe, expect, it, vi } from 'vitest';
import { sleep } from '../support/harness.js';
import { connectUser, join, ok, range, record, send, serials, startChat } from './support.js';

/**
 * A MemoryStore whose append (and, when asked, history) fails the next N calls, like a database that is
 * down; `failuresAfterWrite` appends write first and fail after, like a connection lost before the commit
 * was confirmed.
 */
class FlakyStore extends MemoryStore {
  appendFailures = 0;
  failuresAfterWrite = 0;
  historyFailures = 0;

  override async append(message: NewMessage): Promise<AppendResult> {
    if (this.appendFailures > 0) {
      this.appendFailures--;
      throw new Error('SQLITE_BUSY: database is locked');
    }
    const result = await super.append(message);
    if (this.failuresAfterWrite > 0) {
      this.failuresAfterWrite--;
      throw new Error('connection lost before the commit was confirmed');
    }
    return result;
  }

  override async history(roomId: string, query: HistoryQuery) {
    if (this.historyFailures > 0) {
      this.historyFailures--;
      throw new Error('connection reset');
    }
    return super.history(roomId, query);
  }
}

const unavailable = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'Storage is unavailable, try again', retryAfterMs: 1000 },
};

describe('when the store fails', () => {
  it('message:send answers UNAVAILABLE with retryAfterMs, delivers nothing, and a retry succeeds later', async () => {
    const store = new FlakyStore();
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { url } = await startChat({ store, logger });
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    await join(bob, 'lobby');
    const atBob = record(bob, 'message:new');

    store.appendFailures = 2;
    const attempt = () => ana.request('message:send', { roomId: 'lobby', clientMessageId: 'c-1', text: 'hello' });
    expect(await attempt()).toEqual(unavailable);
    expect(await attempt()).toEqual(unavailable);
    // The cause is logged for the operator, not sent to the client.
    expect(logger.error).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ error: expect.objectContaining({ message: 'SQLITE_BUSY: database is locked' }) }),
    );
    await sleep(100);
    expect(atBob).toEqual([]);

    // The server kept running: everything else still works, and once the store is back the retry goes through.
    expect(ok(await bob.request('history:fetch', { roomId: 'lobby' })).messages).toEqual([]);
    const sent = ok(await attempt());
    expect(sent).toMatchObject({ serial: 1, clientMessageId: 'c-1', text: 'hello' });
    await sleep(100);
    expect(atBob).toEqual([sent]);
  });

  it('loses nothing that was acked and stores retries once, whether the store failed before or after writing', async () => {
    const store = new FlakyStore();
    const { url } = await startChat({ store, rateLimit: false });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const acked: number[] = [];
    for (const i of range(1, 12)) {
      if (i % 3 === 0) store.appendFailures = 1;
      if (i % 4 === 0) store.failuresAfterWrite = 1;
      for (;;) {
        const result = await ana.request('message:send', {
          roomId: 'lobby',
          clientMessageId: `c-${i}`,
          text: `m ${i}`,
        });
        if (result.ok) {
          acked.push(result.data.serial);
          break;
        }
        expect(result.error.code).toBe('UNAVAILABLE');
      }
    }
    // Each acked send is stored once under its serial; a retry of a write that failed after storing is
    // answered with the stored message, not stored again.
    const page = ok(await ana.request('history:fetch', { roomId: 'lobby' }));
    expect(page.messages).toHaveLength(12);
    expect(serials(page.messages)).toEqual(acked);
    expect(serials(page.messages)).toEqual(range(1, 12));
    expect(page.messages.map((message) => message.clientMessageId)).toEqual(range(1, 12).map((i) => `c-${i}`));
  });

  it('reads answer UNAVAILABLE too (history:fetch, sync), then recover', async () => {
    const store = new FlakyStore();
    const { url } = await startChat({ store });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    await send(ana, 'lobby', 'hello');
    store.historyFailures = 2;
    expect(await ana.request('history:fetch', { roomId: 'lobby' })).toEqual(unavailable);
    expect(await ana.request('sync', { rooms: { lobby: 0 } })).toEqual(unavailable);
    expect(ok(await ana.request('sync', { rooms: { lobby: 0 } })).rooms.lobby!.messages).toHaveLength(1);
  });
});
