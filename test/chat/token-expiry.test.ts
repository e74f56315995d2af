import type { ErrorEventPayload } from '@chatwire/protocol';
import { jwtAuthenticator, signToken } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { connected, nextValue, sleep } from '../support/harness.js';
import { join, openClient, startChat } from './support.js';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const ana = { userId: 'ana', name: 'Ana' };
/** 950 ms into a second: a token signed then for 1 s expires 50 ms later, so its timer is short. */
const base = Date.UTC(2030, 0, 1) + 950;

describe('a token that expires while its socket is open', () => {
  it('gets the socket disconnected at expiry, told why with chatwire:error UNAUTHORIZED "Token expired"', async () => {
    let clock = base;
    const now = () => clock;
    const { url, chat } = await startChat({ authenticate: jwtAuthenticator({ secret, now }), now });
    const token = await signToken(ana, { secret, expiresInSeconds: 1, now });
    const client = openClient(url, { auth: { token } });
    const errors: ErrorEventPayload[] = [];
    client.onError((error) => errors.push(error));
    await connected(client);
    expect(await join(client, 'lobby')).toMatchObject({ roomId: 'lobby' });

    // Not yet by the server's clock: the socket stays, however often the timer looks.
    await sleep(200);
    expect(client.status).toBe('connected');
    const dropped = nextValue<string>((fn) => client.onStatus((status) => fn(status)), 5000);
    clock = base + 50;
    expect(await dropped).toBe('disconnected');
    expect(client.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });
    expect(errors).toEqual([{ event: 'connect', code: 'UNAUTHORIZED', message: 'Token expired' }]);
    expect(await chat.raw.server.fetchSockets()).toHaveLength(0);
  });

  it("refuses at the handshake a token the server's clock says has expired", async () => {
    let clock = base;
    const now = () => clock;
    // The authenticator's clock lags: it would accept the token; the server's clock says it expired.
    const lagging = () => clock - 10_000;
    const { url } = await startChat({ authenticate: jwtAuthenticator({ secret, now: lagging }), now });
    const token = await signToken(ana, { secret, expiresInSeconds: 1, now });
    clock = base + 50;
    const late = openClient(url, { auth: { token } });
    await expect(connected(late)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });
  });
});
