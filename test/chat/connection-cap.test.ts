import { ChatwireError } from '@chatwire/protocol';
import { type ConnectionCap, type Limits, memoryLimits } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { attempt, type ChatTestClient, connectAtOnce, openClient, startChat, userOf } from './support.js';

/** Resolves once the server has seen `client` go. */
async function disconnect(client: ChatTestClient, until: () => boolean) {
  client.close();
  await expect.poll(until).toBe(true);
}

describe('connections per user', () => {
  it('refuses a 17th connection of one user with connect_error RATE_LIMITED; other users are not affected', async () => {
    const { url } = await startChat();
    const { accepted, refused } = await connectAtOnce(url, 'ana', 16);
    expect([accepted.length, refused]).toEqual([16, []]);
    const extra = await attempt(url, 'ana');
    expect(extra.error).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'Too many connections: a user may have at most 16 at once',
      retryAfterMs: 1000,
    });
    expect((await attempt(url, 'bob')).error).toBeUndefined();
  });

  it('counts exactly when 20 connects of one user race: 16 in, 4 refused', async () => {
    const { url } = await startChat();
    const { accepted, refused } = await connectAtOnce(url, 'ana', 20);
    expect(accepted).toHaveLength(16);
    expect(refused.map((e) => e.code)).toEqual(Array(4).fill('RATE_LIMITED'));
  });

  it('releases a connection when it disconnects', async () => {
    const { url, chat } = await startChat({ maxConnectionsPerUser: 2 });
    const { accepted } = await connectAtOnce(url, 'ana', 2);
    expect((await attempt(url, 'ana')).error?.code).toBe('RATE_LIMITED');
    await disconnect(accepted[0]!, () => chat.raw.server.sockets.sockets.size === 1);
    expect((await attempt(url, 'ana')).error).toBeUndefined();
    expect((await attempt(url, 'ana')).error?.code).toBe('RATE_LIMITED');
  });

  it('releases a connection whose client went away while it was being counted', async () => {
    // A count that waits for the test: the client leaves before its connection is admitted.
    let counting!: () => void;
    const counted = new Promise<void>((resolve) => {
      counting = resolve;
    });
    let gate!: () => void;
    const opened = new Promise<void>((resolve) => {
      gate = resolve;
    });
    let cap!: ConnectionCap;
    let released = 0;
    const limits: Limits = {
      ...memoryLimits,
      connectionCap(max) {
        const inner = memoryLimits.connectionCap(max);
        cap = {
          acquire: async (userId, socketId) => {
            counting();
            await opened;
            return inner.acquire(userId, socketId);
          },
          release: async (userId, socketId) => {
            released += 1;
            await inner.release(userId, socketId);
          },
          close: () => inner.close(),
          retryAfterMs: inner.retryAfterMs,
        };
        return cap;
      },
    };
    const { url, chat } = await startChat({ limits, maxConnectionsPerUser: 1 });
    const leaving = openClient(url, { auth: userOf('ana') });
    await counted;
    leaving.close();
    // The server has seen the transport close before the count is taken.
    await expect.poll(() => chat.raw.server.engine.clientsCount).toBe(0);
    gate();
    await expect.poll(() => released).toBe(1);
    expect((await attempt(url, 'ana')).error).toBeUndefined();
  });

  it('releases a connection another middleware refused, once its transport closes', async () => {
    const { url, chat } = await startChat({ maxConnectionsPerUser: 1 });
    let refuse = true;
    chat.server.use(() => {
      if (refuse) throw new ChatwireError('FORBIDDEN', 'Not today');
    });
    const refused = await attempt(url, 'ana');
    expect(refused.error?.code).toBe('FORBIDDEN');
    refuse = false;
    refused.client.close();
    await expect.poll(() => chat.raw.server.engine.clientsCount).toBe(0);
    expect((await attempt(url, 'ana')).error).toBeUndefined();
  });

  it('releases a connected socket once, though both it and its transport close', async () => {
    const released: string[] = [];
    const limits: Limits = {
      ...memoryLimits,
      connectionCap(max) {
        const inner = memoryLimits.connectionCap(max);
        return {
          acquire: (userId, socketId) => inner.acquire(userId, socketId),
          release: async (userId, socketId) => {
            released.push(userId);
            await inner.release(userId, socketId);
          },
          close: () => inner.close(),
          retryAfterMs: inner.retryAfterMs,
        };
      },
    };
    const { url, chat } = await startChat({ limits });
    const { client } = await attempt(url, 'ana');
    await disconnect(client, () => released.length > 0);
    // A later connection's round trip: by then any second release of ana's would have come.
    await disconnect((await attempt(url, 'bob')).client, () => chat.raw.server.engine.clientsCount === 0);
    await expect.poll(() => released.length).toBe(2);
    expect(released).toEqual(['ana', 'bob']);
  });

  it('takes no cap with maxConnectionsPerUser: false', async () => {
    const { url } = await startChat({ maxConnectionsPerUser: false });
    const { accepted } = await connectAtOnce(url, 'ana', 20);
    expect(accepted).toHaveLength(20);
  });
});
