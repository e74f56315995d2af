import * as serverEntry from '@chatwire/server';
import { signToken, tokenAuthenticator } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connected, nextValue } from '../support/harness.js';
import { connectUser, join, openClient, startChat } from './support.js';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const otherSecret = 'another-secret-that-is-at-least-32-bytes-long';
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

describe('token handshake (tokenAuthenticator + signToken)', () => {
  it('accepts a valid token and takes the user from it', async () => {
    const { url } = await startChat({ authenticate: tokenAuthenticator({ secret }) });
    const token = signToken(ana, { secret, expiresInSeconds: 60 });
    const client = openClient(url, { auth: { token } });
    const session = nextValue((fn) => client.on('session', fn));
    await connected(client);
    expect(await session).toEqual({ user: ana });
  });

  it('ignores user fields sent next to the token', async () => {
    const { url } = await startChat({ authenticate: tokenAuthenticator({ secret }) });
    const token = signToken(ana, { secret, expiresInSeconds: 60 });
    const client = openClient(url, { auth: { token, userId: 'root', name: 'Root' } });
    const session = nextValue((fn) => client.on('session', fn));
    await connected(client);
    expect(await session).toEqual({ user: ana });
  });

  function tampered(token: string): string {
    const [body, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'root' })).toString('base64url');
    return `${forged}.${signature}`;
  }

  it.each([
    ['a missing token', () => ({})],
    ['a token that is not a string', () => ({ token: 42 })],
    ['a malformed token', () => ({ token: 'not-a-token' })],
    ['a token with three parts', () => ({ token: `${signToken(ana, { secret, expiresInSeconds: 60 })}.x` })],
    ['a tampered token', () => ({ token: tampered(signToken(ana, { secret, expiresInSeconds: 60 })) })],
    [
      'a token signed with another secret',
      () => ({ token: signToken(ana, { secret: otherSecret, expiresInSeconds: 60 }) }),
    ],
    ['dev-style auth', () => ({ userId: 'ana', name: 'Ana' })],
  ])('refuses %s with UNAUTHORIZED', async (_, auth) => {
    const { url } = await startChat({ authenticate: tokenAuthenticator({ secret }) });
    const client = openClient(url, { auth: auth() });
    await expect(connected(client)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(client.status).toBe('disconnected');
    expect(client.error?.code).toBe('UNAUTHORIZED');
  });

  it('refuses an expired token, and accepts it while it is valid', async () => {
    const issuedAt = Date.UTC(2030, 0, 1);
    let clock = issuedAt;
    const { url } = await startChat({ authenticate: tokenAuthenticator({ secret, now: () => clock }) });
    const token = signToken(ana, { secret, expiresInSeconds: 60, now: () => issuedAt });

    clock = issuedAt + 59_000;
    const early = openClient(url, { auth: { token } });
    await connected(early);

    clock = issuedAt + 60_000;
    const late = openClient(url, { auth: { token } });
    await expect(connected(late)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });
  });

  it('puts exp, in seconds, into the signed claims', () => {
    const token = signToken(ana, { secret, expiresInSeconds: 3600, now: () => 1_700_000_000_500 });
    const [body] = token.split('.') as [string];
    expect(JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))).toEqual({
      sub: 'ana',
      name: 'Ana',
      exp: 1_700_003_600,
    });
  });

  it('matches the test vector of docs/protocol.md', async () => {
    const vectorSecret = 'x'.repeat(32);
    const issuedAt = 1_767_225_600_000;
    const token = signToken(ana, { secret: vectorSecret, expiresInSeconds: 3600, now: () => issuedAt });
    expect(token).toBe(
      'eyJzdWIiOiJhbmEiLCJuYW1lIjoiQW5hIiwiZXhwIjoxNzY3MjI5MjAwfQ.gMGCcL6s4XSsD7ctjKpltlyZczgdGRaygcq9COdKbLM',
    );
    const authenticate = tokenAuthenticator({ secret: vectorSecret, now: () => issuedAt });
    expect(await authenticate({ auth: { token }, handshake: undefined as never })).toEqual({
      ...ana,
      expiresAt: 1_767_229_200_000,
    });
  });

  it('refuses secrets shorter than 32 bytes', () => {
    expect(() => tokenAuthenticator({ secret: 'short' })).toThrow(TypeError);
    expect(() => tokenAuthenticator({ secret: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
    expect(() => tokenAuthenticator({ secret: new Uint8Array(31) })).toThrow(TypeError);
    expect(() => signToken(ana, { secret: 'short', expiresInSeconds: 60 })).toThrow(TypeError);
    expect(() => tokenAuthenticator({ secret: 'x'.repeat(32) })).not.toThrow();
    expect(() => tokenAuthenticator({ secret: new Uint8Array(32) })).not.toThrow();
  });
});
