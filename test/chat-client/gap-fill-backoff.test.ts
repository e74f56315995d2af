import type { ChatContract, MessageOf } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { connectUser, startChat } from '../chat/support.js';
import { chatClient, eventually, joinRoom, texts } from './support.js';

describe('a gap fill refused for a passing reason', () => {
  it('is retried after a jittered backoff that grows per refusal, not every gapFillDelayMs', async () => {
    // The server's clock stands still, so the action limit never refills until the test moves it.
    let clock = Date.UTC(2030, 0, 1);
    const now = () => clock;
    const { url, chat, store } = await startChat({ now, actionRateLimit: { ratePerSecond: 1000, burst: 20 } });
    const base = 40;
    const random = 0.99;
    const ana = chatClient(url, 'ana', { gapFillDelayMs: 5, retryDelayMs: base, random: () => random });
    const room = await joinRoom(ana, 'r');
    // Another tab of ana's spends the user's actions.
    const tab = await connectUser(url, 'ana');
    let spent = false;
    for (let i = 0; i <= 20 && !spent; i++) {
      const result = await tab.request('history:fetch', { roomId: 'r' });
      spent = !result.ok && result.error.code === 'RATE_LIMITED';
    }
    expect(spent).toBe(true);

    // At each refused fetch a timer of the wait the client should make starts on the server, before
    // the refusal is sent; a client that waits that long comes back after it has fired.
    const attempts: { waited: boolean }[] = [];
    let waited = true;
    chat.raw.server.sockets.sockets.get(ana.client.id ?? '')?.onAny((event: string) => {
      if (event !== 'history:fetch') return;
      attempts.push({ waited });
      // The 1st to 3rd are refused; the 4th goes through.
      if (attempts.length === 4) {
        clock += 60_000;
        return;
      }
      waited = false;
      setTimeout(
        () => {
          waited = true;
        },
        Math.floor(random * base * 2 ** (attempts.length - 1)),
      );
    });
    const author = { userId: 'x', name: 'X' };
    await store.append({ roomId: 'r', clientMessageId: 'c1', author, text: 'first', createdAt: 1 });
    const second = await store.append({ roomId: 'r', clientMessageId: 'c2', author, text: 'second', createdAt: 2 });
    chat.raw.to('room/r').emit('message:new', second.message as MessageOf<ChatContract>);
    await eventually(() => expect(texts(room)).toEqual(['first', 'second']));
    expect(attempts).toEqual(Array(4).fill({ waited: true }));
  });
});
