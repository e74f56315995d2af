import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { chatClient, joinRoom } from './support.js';

describe('a send refused for a passing reason', () => {
  it('is retried after a jittered backoff that grows per refusal, never sooner than retryAfterMs', async () => {
    // The server's clock stands still, so the send limit never refills until the test moves it.
    let clock = Date.UTC(2030, 0, 1);
    const now = () => clock;
    // retryAfterMs is then 1 ms: a client that only honoured it would retry in a tight loop.
    const { url, chat } = await startChat({ now, rateLimit: { ratePerSecond: 1000, burst: 1 } });
    const base = 20;
    const random = 0.99;
    // At each refused send a timer of the wait the client should make starts on the server, before
    // the refusal is sent; a client that waits that long comes back after it has fired.
    const attempts: { waited: boolean }[] = [];
    let waited = true;
    chat.raw.server.on('connection', (socket) => {
      socket.onAny((event: string) => {
        if (event !== 'message:send') return;
        attempts.push({ waited });
        // The first send takes the only token; the 2nd to 5th are refused; the 6th goes through.
        if (attempts.length === 6) clock += 60_000;
        if (attempts.length < 2 || attempts.length > 5) return;
        waited = false;
        setTimeout(
          () => {
            waited = true;
          },
          Math.floor(random * base * 2 ** (attempts.length - 2)),
        );
      });
    });
    const ana = chatClient(url, 'ana', { random: () => random, retryDelayMs: base, maxRetryDelayMs: 10_000 });
    const room = await joinRoom(ana, 'r');
    expect(await room.send('first')).toMatchObject({ ok: true, data: { serial: 1 } });
    expect(await room.send('second')).toMatchObject({ ok: true, data: { serial: 2, text: 'second' } });
    expect(attempts).toEqual(Array(6).fill({ waited: true }));
  });
});
