import type { HistoryQuery } from '@chatwire/server';
import { MemoryStore } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { gate, nextValue } from '../support/harness.js';
import { chatClient, dropConnections, joinRoom, texts } from './support.js';

describe('ChatClient.ready()', () => {
  it('after a reconnect, resolves only once the rooms are caught up, not at connect', async () => {
    const store = new MemoryStore();
    let hold: { reached: () => void; release: Promise<void> } | undefined;
    const history = store.history.bind(store);
    store.history = async (roomId: string, query: HistoryQuery) => {
      const held = hold;
      hold = undefined;
      if (held !== undefined) {
        held.reached();
        await held.release;
      }
      return history(roomId, query);
    };
    const { url, chat } = await startChat({ store });
    const ana = chatClient(url, 'ana');
    const [a, b] = await Promise.all([joinRoom(ana, 'r'), joinRoom(chatClient(url, 'ben'), 'r')]);
    await ana.ready();

    const syncReached = gate();
    const syncMayAnswer = gate();
    hold = { reached: () => syncReached.open(), release: syncMayAnswer.promise };
    const away = nextValue((fn) => ana.on('status', (status) => status !== 'connected' && fn(status)));
    await dropConnections(chat.server, 'ana');
    await away;
    expect(await b.send('while away')).toMatchObject({ ok: true });
    let ready = false;
    const readyNow = ana.ready().then(() => {
      ready = true;
    });
    // ana reconnected and asked to catch up: the server holds the answer, so ready() must wait.
    await syncReached.promise;
    expect(ana.status).toBe('connected');
    expect(ready).toBe(false);
    syncMayAnswer.open();
    await readyNow;
    expect(a.lastSerial).toBe(1);
    expect(texts(a)).toEqual(['while away']);
  });
});
