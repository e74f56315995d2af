import * as serverEntry from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connected, nextValue } from '../support/harness.js';
import { connectUser, join, openClient, startChat } from './support.js';

const ana = { userId: 'ana', name: 'Ana' };

describe('dev handshake (devAuthenticator)', () => {
  it('greets a connected client with session { user }', async () => {
    const { url } = await startChat();
    const client = openClient(url, { auth: ana });
    const session = nextValue((fn) => client.on('session', fn));
    await connected(client);
    expect(await session).toEqual({ user: ana });
  });

  it('works over HTTP long-polling as well as WebSocket', async () => {
    const { url } = await startChat();
    const polling = openClient(url, { auth: ana, transports: ['polling'] });
    const session = nextValue((fn) => polling.on('session', fn));
    await connected(polling);
    expect(await session).toEqual({ user: ana });
    expect(await join(polling, 'lobby')).toMatchObject({ roomId: 'lobby', lastSerial: 0 });
    const sent = await polling.request('message:send', {
      roomId: 'lobby',
      clientMessageId: 'p-1',
      text: 'over polling',
    });
    expect(sent).toMatchObject({ ok: true, data: { serial: 1, text: 'over polling' } });
  });

  it.each([
    ['no auth at all', undefined],
    ['an empty auth', {}],
    ['an empty userId', { userId: '', name: 'Ana' }],
    ['a missing name', { userId: 'ana' }],
    ['a name over 64 characters', { userId: 'ana', name: 'x'.repeat(65) }],
    ['a userId that is not a string', { userId: 42, name: 'Ana' }],
  ])('refuses %s with connect_error UNAUTHORIZED', async (_, auth) => {
    const { url } = await startChat();
    const client = openClient(url, auth === undefined ? {} : { auth });
    await expect(connected(client)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(client.status).toBe('disconnected');
    expect(client.error?.code).toBe('UNAUTHORIZED');
  });

  it('says which auth field is wrong', async () => {
    const { url } = await startChat();
    const client = openClient(url, { auth: { userId: 'ana' } });
    await expect(connected(client)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      issues: [expect.objectContaining({ path: ['name'] })],
    });
  });

  it('keeps serving others after refusing one', async () => {
    const { url } = await startChat();
    const refused = openClient(url, {});
    await expect(connected(refused)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const bob = await connectUser(url, 'bob');
    expect(await join(bob, 'lobby')).toMatchObject({ roomId: 'lobby' });
  });
});

describe('devAuthenticator is safe by default', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('lives on its own subpath, not in the main entry', () => {
    expect(Object.keys(serverEntry).filter((name) => /dev/i.test(name))).toEqual([]);
  });

  it('refuses to be made under NODE_ENV=production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => devAuthenticator()).toThrow(/NODE_ENV=production/);
    expect(() => devAuthenticator({})).toThrow(/NODE_ENV=production/);
  });

  it('refuses handshakes once NODE_ENV=production, though made before', async () => {
    const { url } = await startChat({ authenticate: devAuthenticator() });
    vi.stubEnv('NODE_ENV', 'production');
    const client = openClient(url, { auth: ana });
    await expect(connected(client)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('runs under NODE_ENV=production only with allowInProduction: true', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const { url } = await startChat({ authenticate: devAuthenticator({ allowInProduction: true }) });
    const client = openClient(url, { auth: ana });
    const session = nextValue((fn) => client.on('session', fn));
    await connected(client);
    expect(await session).toEqual({ user: ana });
  });
});
