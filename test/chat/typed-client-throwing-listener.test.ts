import { jwtAuthenticator, signToken } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { connected, nextValue } from '../support/harness.js';
import { openClient, startChat } from './support.js';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const ana = { userId: 'ana', name: 'Ana' };
/** 950 ms into a second: a token signed then for 1 s expires 50 ms later, so its timer is short. */
const base = Date.UTC(2030, 0, 1) + 950;

describe("the typed client's listeners that throw", () => {
  it('are reported to onError; the other listeners still run and the reconnect after an expiry still happens', async () => {
    let clock = base;
    const now = () => clock;
    const { url } = await startChat({ authenticate: jwtAuthenticator({ secret, now }), now });
    const reported: { error: unknown; event: string }[] = [];
    // The first token expires at base + 50 ms; the next ones much later.
    let tokens = 0;
    const client = openClient(url, {
      auth: async () => ({ token: await signToken(ana, { secret, expiresInSeconds: tokens++ === 0 ? 1 : 3600, now }) }),
      reconnection: true,
      reconnectionDelay: 10,
      onError: (error, event) => reported.push({ error, event }),
    });
    const bug = new Error('listener bug');
    const thrower = () => {
      throw bug;
    };
    client.onStatus(thrower);
    client.on('session', thrower);
    client.onError(thrower);
    const statuses: string[] = [];
    client.onStatus((status) => statuses.push(status));
    const sessions = nextValue<string>((fn) => client.on('session', ({ user }) => fn(user.userId)), 5000);
    await connected(client);
    expect(await sessions).toBe('ana');

    const back = nextValue<string>((fn) => client.on('session', ({ user }) => fn(user.userId)), 5000);
    clock = base + 50;
    expect(await back).toBe('ana');

    expect(statuses).toEqual(['connected', 'reconnecting', 'connected']);
    expect(new Set(reported.map((r) => r.event))).toEqual(new Set(['status', 'session', 'chatwire:error']));
    expect(reported.every((r) => r.error === bug)).toBe(true);
  });
});
