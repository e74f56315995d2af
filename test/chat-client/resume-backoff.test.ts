import { performance } from 'node:perf_hooks';
import { createClient } from '@chatwire/client';
import { ChatwireError, chatContract } from '@chatwire/protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import { backoffDelayMs } from '../../packages/client/src/backoff.js';
import { startChat } from '../chat/support.js';
import { chatClient, dropConnections, joinRoom } from './support.js';

/**
 * A server whose joins fail with `error` `failures` times once `failing()` is called; records when
 * each join after that was asked for.
 */
async function flakyJoins(failures: number, error: () => ChatwireError) {
  const attempts: number[] = [];
  let armed = false;
  let left = failures;
  const started = await startChat({
    authorizeRoom: ({ action }) => {
      if (armed && action === 'join') {
        attempts.push(performance.now());
        if (left > 0) {
          left -= 1;
          throw error();
        }
      }
      return action !== 'moderate';
    },
  });
  return {
    ...started,
    attempts,
    failing: () => {
      armed = true;
    },
  };
}

const gaps = (times: number[]) => times.slice(1).map((time, i) => time - (times[i] ?? 0));

describe('backoffDelayMs', () => {
  const backoff = (r: number) => ({ baseMs: 1000, maxMs: 30_000, random: () => r });

  it('doubles the ceiling per attempt up to the cap, with full jitter below it', () => {
    const top = 1 - 2 ** -20;
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((attempt) => backoffDelayMs(attempt, backoff(top)))).toEqual([
      999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999,
    ]);
    expect(backoffDelayMs(3, backoff(0.5))).toBe(4000);
    expect(backoffDelayMs(3, backoff(0))).toBe(0);
  });

  it('never waits less than the server asked for', () => {
    expect(backoffDelayMs(0, backoff(0), 2500)).toBe(2500);
    expect(backoffDelayMs(4, backoff(0.5), 2500)).toBe(8000);
  });
});

describe('resume after a reconnect', () => {
  it("waits at least the server's retryAfterMs before re-joining again", async () => {
    const retryAfterMs = 1200;
    const { url, chat, attempts, failing } = await flakyJoins(
      1,
      () => new ChatwireError('UNAVAILABLE', 'Storage is unavailable, try again', { retryAfterMs }),
    );
    const ana = chatClient(url, 'ana', { random: () => 0 });
    await joinRoom(ana, 'r');
    failing();
    await dropConnections(chat.server, 'ana');
    const ready = new Promise<void>((resolve) => ana.on('ready', resolve));
    await ready;
    expect(attempts).toHaveLength(2);
    expect(gaps(attempts)[0]).toBeGreaterThanOrEqual(retryAfterMs - 1);
  });

  it('backs off exponentially with jitter from the injected random source, capped', async () => {
    const { url, chat, attempts, failing } = await flakyJoins(
      4,
      () => new ChatwireError('UNAVAILABLE', 'Storage is unavailable, try again'),
    );
    let randomCalls = 0;
    const ana = chatClient(url, 'ana', {
      retryDelayMs: 40,
      maxRetryDelayMs: 160,
      random: () => {
        randomCalls += 1;
        return 0.999;
      },
    });
    await joinRoom(ana, 'r');
    const callsBefore = randomCalls;
    failing();
    await dropConnections(chat.server, 'ana');
    await new Promise<void>((resolve) => ana.on('ready', resolve));
    // Four failures, then the fifth attempt succeeds: one random draw per wait.
    expect(attempts).toHaveLength(5);
    expect(randomCalls - callsBefore).toBe(4);
    const waits = gaps(attempts);
    // Ceilings 40, 80, 160, 160 (capped) × 0.999: each wait at least that.
    [39, 79, 159, 159].forEach((least, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(least - 1);
    });
  });
});

describe("socket.io's own reconnection", () => {
  it('defaults to jittered waits from 1 s up to 10 s, which options override', () => {
    const client = createClient(chatContract, 'http://127.0.0.1:9', { autoConnect: false });
    onTestFinished(() => client.close());
    expect([
      client.raw.io.reconnectionDelay(),
      client.raw.io.reconnectionDelayMax(),
      client.raw.io.randomizationFactor(),
    ]).toEqual([1000, 10_000, 0.5]);
    const tuned = createClient(chatContract, 'http://127.0.0.1:9', { autoConnect: false, reconnectionDelayMax: 2000 });
    onTestFinished(() => tuned.close());
    expect(tuned.raw.io.reconnectionDelayMax()).toBe(2000);
  });
});
