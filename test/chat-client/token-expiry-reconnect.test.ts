import type { ChatwireError } from '@chatwire/protocol';
import { type ChatAuthenticator, jwtAuthenticator, signToken } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { nextValue } from '../support/harness.js';
import { chatClient, eventually, joinRoom, texts } from './support.js';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const ana = { userId: 'ana', name: 'Ana' };
const ben = { userId: 'ben', name: 'Ben' };
/** 950 ms into a second: a token signed then for 1 s expires 50 ms later, so its timer is short. */
const base = Date.UTC(2030, 0, 1) + 950;

/** A chat server on tokens, both on `clock()`; counts handshakes per user. */
async function tokenChat(clock: () => number) {
  const handshakes = new Map<string, number>();
  const tokens = jwtAuthenticator({ secret, now: clock });
  const authenticate: ChatAuthenticator = async (context) => {
    const user = await tokens(context);
    handshakes.set(user.userId, (handshakes.get(user.userId) ?? 0) + 1);
    return user;
  };
  return { ...(await startChat({ authenticate, now: clock })), handshakes };
}

describe('ChatClient when its token expires', () => {
  it('reconnects through its auth function with a fresh token; a send made meanwhile is delivered once', async () => {
    let clock = base;
    const now = () => clock;
    const { url, handshakes } = await tokenChat(now);
    let authCalls = 0;
    let letReconnect = () => {};
    const reconnectAllowed = new Promise<void>((resolve) => {
      letReconnect = resolve;
    });
    const anaChat = chatClient(url, 'ana', {
      auth: async () => {
        authCalls += 1;
        if (authCalls > 1) await reconnectAllowed;
        return { token: await signToken(ana, { secret, expiresInSeconds: 1, now }) };
      },
    });
    const benChat = chatClient(url, 'ben', {
      auth: { token: await signToken(ben, { secret, expiresInSeconds: 3600, now }) },
    });
    const [a, b] = await Promise.all([joinRoom(anaChat, 'r'), joinRoom(benChat, 'r')]);

    const expired = nextValue<[string, ChatwireError | undefined]>(
      (fn) => anaChat.on('status', (status, error) => fn([status, error])),
      5000,
    );
    clock = base + 50;
    const [status, error] = await expired;
    expect(status).toBe('reconnecting');
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });

    // Offline until the auth function answers: the send waits as pending.
    const sending = a.send('after expiry');
    expect(texts(a)).toEqual(['after expiry (pending)']);
    letReconnect();
    expect(await sending).toMatchObject({ ok: true, data: { serial: 1, text: 'after expiry' } });
    expect(anaChat.status).toBe('connected');
    expect(authCalls).toBe(2);
    expect(handshakes.get('ana')).toBe(2);
    await eventually(() => expect(texts(b)).toEqual(['after expiry']));
    expect(texts(a)).toEqual(['after expiry']);
  });

  it('with a static token that expired, reports UNAUTHORIZED and stops instead of looping', async () => {
    let clock = base;
    const now = () => clock;
    const { url, handshakes } = await tokenChat(now);
    const anaChat = chatClient(url, 'ana', {
      auth: { token: await signToken(ana, { secret, expiresInSeconds: 1, now }) },
    });
    await joinRoom(anaChat, 'r');
    const statuses: [string, string | undefined][] = [];
    const refused = nextValue<void>(
      (fn) =>
        anaChat.on('status', (status, error) => {
          statuses.push([status, error?.code]);
          if (status === 'disconnected') fn();
        }),
      5000,
    );
    clock = base + 50;
    await refused;
    // Dropped at expiry, one reconnect with the same token, refused at its handshake: over.
    expect(statuses).toEqual([
      ['reconnecting', 'UNAUTHORIZED'],
      ['disconnected', 'UNAUTHORIZED'],
    ]);
    expect(anaChat.client.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });
    expect(handshakes.get('ana')).toBe(1);
    expect(anaChat.client.raw.active).toBe(false);
  });
});
