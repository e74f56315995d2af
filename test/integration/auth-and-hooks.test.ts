import { ChatwireError, defineContract } from '@chatwire/protocol';
import { createServer } from '@chatwire/server';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { connectClient, connected, nextValue, startServer } from '../support/harness.js';
import { testContract } from '../support/test-contract.js';
import { connectAs, startTestServer } from '../support/test-server.js';

describe('authentication', () => {
  it('fills socket.data from authenticate', async () => {
    const { url, server } = await startTestServer();
    const seen = nextValue<string>((fn) =>
      server.onConnection((socket) => {
        fn(socket.data.userId);
      }),
    );
    await connectAs(url, 'alice');
    expect(await seen).toBe('alice');
  });

  it('refuses an auth object that breaks the contract with UNAUTHORIZED and issues', async () => {
    const { url } = await startTestServer();
    const client = connectClient(testContract, url, { auth: { userId: '' } });
    await expect(connected(client)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      issues: [{ path: ['userId'], code: 'too_small' }],
    });
    expect(client.status).toBe('disconnected');
  });

  it('passes the code of a ChatwireError thrown by authenticate to connect_error', async () => {
    const { url } = await startTestServer({
      authenticate: ({ auth }) => {
        if (auth.userId === 'banned') throw new ChatwireError('FORBIDDEN', 'Banned');
        return { userId: auth.userId };
      },
    });
    const client = connectClient(testContract, url, { auth: { userId: 'banned' } });
    await expect(connected(client)).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Banned' });
    expect(client.error?.code).toBe('FORBIDDEN');
    await connectAs(url, 'fine');
  });

  it('hides an unexpected authenticate failure behind INTERNAL and logs it', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { url } = await startTestServer({
      logger,
      authenticate: () => {
        throw new Error('db down');
      },
    });
    const client = connectClient(testContract, url, { auth: { userId: 'a' } });
    await expect(connected(client)).rejects.toMatchObject({ code: 'INTERNAL', message: 'Internal server error' });
    expect(logger.error).toHaveBeenCalledWith('chatwire: authenticate failed', expect.anything());
  });

  it('accepts auth from a function, called at each connect', async () => {
    const { url } = await startTestServer();
    let connects = 0;
    const auth = vi.fn(async () => ({ userId: `lazy-${++connects}` }));
    const client = connectClient(testContract, url, { auth });
    await connected(client);
    expect(await client.request('whoami')).toEqual({ ok: true, data: { userId: 'lazy-1' } });
    client.raw.disconnect();
    client.raw.connect();
    await connected(client);
    expect(await client.request('whoami')).toEqual({ ok: true, data: { userId: 'lazy-2' } });
    expect(auth).toHaveBeenCalledTimes(2);
  });

  it('runs middleware after authenticate, which may refuse', async () => {
    const { url, server } = await startTestServer();
    server.use((socket) => {
      if (socket.data.userId === 'eve') throw new ChatwireError('FORBIDDEN', 'No eves');
    });
    await connectAs(url, 'adam');
    const eve = connectClient(testContract, url, { auth: { userId: 'eve' } });
    await expect(connected(eve)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('handlers that fail', () => {
  it('a thrown Error answers INTERNAL, is logged, and the server keeps running', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { url } = await startTestServer({ logger });
    const a = await connectAs(url, 'a');
    expect(await a.request('boom')).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Internal server error' },
    });
    expect(logger.error).toHaveBeenCalledWith(
      'chatwire: handler of "boom" threw',
      expect.objectContaining({ error: expect.objectContaining({ message: 'kaboom' }) }),
    );
    expect(await a.request('echo', { n: 2 })).toMatchObject({ ok: true });
  });

  it('a thrown ChatwireError reaches the sender with its code', async () => {
    const { url, server } = await startTestServer();
    server.on('unhandled', () => {
      throw new ChatwireError('RATE_LIMITED', 'Slow down', { retryAfterMs: 300 });
    });
    const a = await connectAs(url, 'a');
    const refused = nextValue((fn) => a.onError(fn));
    a.emit('unhandled');
    expect(await refused).toEqual({
      event: 'unhandled',
      code: 'RATE_LIMITED',
      message: 'Slow down',
      retryAfterMs: 300,
    });
  });

  it('one handler per event, and only for contract events', async () => {
    const { server } = await startTestServer();
    expect(() => server.on('echo', () => ({ n: 1, by: 'x' }))).toThrow(/already has a handler/);
    expect(() => (server.on as (e: string, h: () => void) => void)('nope', () => {})).toThrow(/not a client → server/);
  });
});

describe('connection hooks and close', () => {
  it('calls connection and disconnect hooks with the socket and reason', async () => {
    const { url, server } = await startTestServer();
    const disconnected = nextValue<[string, string]>((fn) =>
      server.onDisconnect(({ socket, reason }) => fn([socket.data.userId, reason])),
    );
    const a = await connectAs(url, 'a');
    a.close();
    expect(await disconnected).toEqual(['a', 'client namespace disconnect']);
  });

  it('runs a disconnect hook once the socket is gone: not connected, out of its rooms, which it is told', async () => {
    const { url, server } = await startTestServer();
    server.onConnection((socket) => socket.join('lobby'));
    const seen = nextValue<[boolean, string[], string[]]>((fn) =>
      server.onDisconnect(({ socket, rooms }) => fn([socket.connected, [...socket.rooms], [...rooms].sort()])),
    );
    const a = await connectAs(url, 'a');
    await expect.poll(() => server.raw.adapter.rooms.get('lobby')?.size).toBe(1);
    const id = [...server.raw.sockets.keys()][0]!;
    a.close();
    expect(await seen).toEqual([false, [], [id, 'lobby'].sort()]);
  });

  it('close() disconnects every client', async () => {
    const { url, server } = await startTestServer();
    const a = await connectAs(url, 'a');
    const down = nextValue<string>((fn) => a.onStatus(fn));
    await server.close();
    expect(await down).toBe('disconnected');
  });
});

describe('acks socket.io cannot encode', () => {
  it('answer INTERNAL, are logged, and the process lives on', async () => {
    // Valid for zod, but JSON (and so socket.io) cannot encode a BigInt: a handler bug.
    const contract = defineContract({
      clientToServer: { big: { ack: z.bigint() }, ping: { ack: z.literal('pong') } },
      serverToClient: {},
    });
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { url, server } = await startServer(contract, { logger });
    server.on('big', () => 10n).on('ping', () => 'pong' as const);
    const client = connectClient(contract, url);
    await connected(client);
    expect(await client.request('big')).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Internal server error' },
    });
    expect(logger.error).toHaveBeenCalledWith('chatwire: ack data of "big" cannot be sent', expect.anything());
    expect(await client.request('ping')).toEqual({ ok: true, data: 'pong' });
  });
});

describe('socketData without authenticate', () => {
  it('is refused when {} does not satisfy it, since socket.data would not match its type', async () => {
    const contract = defineContract({
      clientToServer: {},
      serverToClient: {},
      socketData: z.object({ userId: z.string() }),
    });
    expect(() => createServer(contract)).toThrow(/socketData that \{\} does not satisfy/);
    const optional = defineContract({
      clientToServer: {},
      serverToClient: {},
      socketData: z.object({ userId: z.string().optional() }),
    });
    await expect(createServer(optional).close()).resolves.toBeUndefined();
  });
});
