import { ChatwireError } from '@chatwire/protocol';
import { type ChatAuthenticator, type ConnectionCap, type Limits, memoryLimits } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { describe, expect, it } from 'vitest';
import { connected } from '../support/harness.js';
import { type ChatTestClient, connectAtOnce, openClient, startChat, userOf } from './support.js';

/** What a client's status listener heard. */
function statuses(client: ChatTestClient) {
  const heard: { status: string; code: string | undefined }[] = [];
  client.onStatus((status, error) => heard.push({ status, code: error?.code }));
  return heard;
}

/**
 * The memory cap with `retryAfterMs`, recording each connection attempt made once `watch` is set.
 * At each refusal a timer of `retryAfterMs` starts on the server, before the refusal is sent; a
 * client that honours `retryAfterMs` starts its own wait later, so that timer has always fired
 * (`waited`) when the client comes back.
 */
function watchedCap(retryAfterMs: number) {
  const attempts: { admitted: boolean; waited: boolean }[] = [];
  const state = { watch: false, waited: true };
  const limits: Limits = {
    ...memoryLimits,
    connectionCap(max): ConnectionCap {
      const inner = memoryLimits.connectionCap(max);
      return {
        acquire: async (userId, socketId) => {
          const admitted = await inner.acquire(userId, socketId);
          if (state.watch) {
            attempts.push({ admitted, waited: state.waited });
            if (!admitted) {
              state.waited = false;
              setTimeout(() => {
                state.waited = true;
              }, retryAfterMs);
            }
          }
          return admitted;
        },
        release: (userId, socketId) => inner.release(userId, socketId),
        close: () => inner.close(),
        retryAfterMs,
      };
    },
  };
  return { limits, attempts, state };
}

describe('a connection refused at the handshake', () => {
  it('past the connection cap (RATE_LIMITED) reconnects by itself once another tab closes, never before retryAfterMs', async () => {
    const { limits, attempts, state } = watchedCap(100);
    const { url, chat } = await startChat({ limits });
    const { accepted } = await connectAtOnce(url, 'ana', 16);
    expect(accepted).toHaveLength(16);
    state.watch = true;
    // random 0: the backoff alone would retry at once; only retryAfterMs makes it wait.
    const extra = openClient(url, { auth: userOf('ana'), reconnection: true, random: () => 0 });
    const heard = statuses(extra);
    await expect.poll(() => attempts.length).toBeGreaterThanOrEqual(3);
    expect(extra.status).toBe('reconnecting');
    expect(extra.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 100 });

    accepted[0]!.close();
    await connected(extra);
    expect(chat.raw.server.sockets.sockets.size).toBe(16);
    const refused = attempts.length - 1;
    expect(attempts.slice(0, refused).every((a) => !a.admitted)).toBe(true);
    expect(attempts.at(-1)?.admitted).toBe(true);
    // Every retry came after the server's retryAfterMs.
    expect(attempts.every((a) => a.waited)).toBe(true);
    expect(heard).toEqual([
      ...Array(refused).fill({ status: 'reconnecting', code: 'RATE_LIMITED' }),
      { status: 'connected', code: undefined },
    ]);
  });

  it('with UNAVAILABLE (authenticate failing) retries until it is let in', async () => {
    let calls = 0;
    const dev = devAuthenticator();
    const authenticate: ChatAuthenticator = (context) => {
      calls += 1;
      if (calls <= 2) throw new ChatwireError('UNAVAILABLE', 'Token store unavailable', { retryAfterMs: 10 });
      return dev(context);
    };
    const { url } = await startChat({ authenticate });
    const client = openClient(url, { auth: userOf('ana'), reconnection: true, random: () => 0 });
    const heard = statuses(client);
    await connected(client);
    expect(calls).toBe(3);
    expect(heard.map((h) => `${h.status} ${h.code}`)).toEqual([
      'reconnecting UNAVAILABLE',
      'reconnecting UNAVAILABLE',
      'connected undefined',
    ]);
  });

  it.each(['UNAUTHORIZED', 'FORBIDDEN'] as const)('with %s stops: no retry', async (code) => {
    let calls = 0;
    const authenticate: ChatAuthenticator = () => {
      calls += 1;
      throw new ChatwireError(code, 'Not you');
    };
    const { url } = await startChat({ authenticate });
    const delays = { reconnectionDelay: 10, reconnectionDelayMax: 10 };
    const client = openClient(url, { auth: userOf('ana'), reconnection: true, random: () => 0, ...delays });
    await expect(connected(client)).rejects.toMatchObject({ code });
    // A retry would have been scheduled within reconnectionDelayMax and its handshake would come before this one's.
    await new Promise((resolve) => setTimeout(resolve, 5 * delays.reconnectionDelayMax));
    const other = openClient(url, { auth: userOf('ben') });
    await expect(connected(other)).rejects.toMatchObject({ code });
    expect(calls).toBe(2);
    expect(client.status).toBe('disconnected');
  });
});
