import { KeyObject } from 'node:crypto';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatUser } from '@chatwire/protocol';
import { type ChatAuthenticator, jwtAuthenticator, signToken, silentLogger } from '@chatwire/server';
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connected, nextValue } from '../support/harness.js';
import { openClient, startChat } from './support.js';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const otherSecret = 'another-secret-that-is-at-least-32-bytes-long';
const ana = { userId: 'ana', name: 'Ana' };
/** The clock of every server and token here: tokens are made for 2030, so no real clock counts. */
const T = Date.UTC(2030, 0, 1);
const now = () => T;
const inAnHour = T / 1000 + 3600;

/** A JWT signed with `key` by jose itself, as an identity provider would make it. */
async function mint(
  key: CryptoKey | Uint8Array,
  claims: Record<string, unknown>,
  header: { alg: string; kid?: string } = { alg: 'HS256' },
): Promise<string> {
  return new SignJWT({ sub: 'ana', name: 'Ana', exp: inAnHour, ...claims } as JWTPayload)
    .setProtectedHeader(header)
    .sign(key);
}

const secretKey = new TextEncoder().encode(secret);

/** The user the server greets a client presenting `token` with. */
async function sessionUser(url: string, token: string): Promise<ChatUser> {
  const client = openClient(url, { auth: { token } });
  const session = nextValue<{ user: ChatUser }>((fn) => client.on('session', fn));
  await connected(client);
  return (await session).user;
}

/** How the server refuses a client presenting `auth`. */
async function refusal(url: string, auth: Record<string, unknown>) {
  const client = openClient(url, { auth });
  const error = await connected(client).then(
    () => expect.fail('connected'),
    (refused: unknown) => refused,
  );
  expect(client.status).toBe('disconnected');
  return error;
}

async function chatOn(authenticate: ChatAuthenticator): Promise<string> {
  return (await startChat({ authenticate, now })).url;
}

describe('HS256: signToken and jwtAuthenticator({ secret })', () => {
  it('accepts a token from signToken and takes the user from it, not from fields beside it', async () => {
    const url = await chatOn(jwtAuthenticator({ secret, now }));
    const token = await signToken(ana, { secret, expiresInSeconds: 60, now });
    expect(await sessionUser(url, token)).toEqual(ana);
    const client = openClient(url, { auth: { token, userId: 'root', name: 'Root' } });
    const session = nextValue<{ user: ChatUser }>((fn) => client.on('session', fn));
    await connected(client);
    expect((await session).user).toEqual(ana);
  });

  it('issues a standard JWT: HS256 header, sub, name, iat, exp, and iss/aud when given', async () => {
    const token = await signToken(ana, {
      secret,
      expiresInSeconds: 3600,
      issuer: 'https://login.example',
      audience: 'chat',
      now: () => T + 500,
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodeJwt(token)).toEqual({
      sub: 'ana',
      name: 'Ana',
      iat: T / 1000,
      exp: T / 1000 + 3600,
      iss: 'https://login.example',
      aud: 'chat',
    });
  });

  it('matches the test vector of docs/protocol.md', async () => {
    const vector = { secret: 'x'.repeat(32), expiresInSeconds: 3600, now: () => 1_767_225_600_000 };
    expect(await signToken(ana, vector)).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiQW5hIiwic3ViIjoiYW5hIiwiaWF0IjoxNzY3MjI1NjAwLCJleHAiOjE3NjcyMjkyMDB9.wPQFe2xtaWVFsagu6siYp2U66DueFaMrjG66iX_C_bk',
    );
  });

  it('accepts HS256 tokens made by another JWT library (here jose), with preferred_username as the name', async () => {
    const url = await chatOn(jwtAuthenticator({ secret, now }));
    const token = await mint(secretKey, { sub: 'kc-42', name: undefined, preferred_username: 'ana.k' });
    expect(await sessionUser(url, token)).toEqual({ userId: 'kc-42', name: 'ana.k' });
  });

  function tampered(token: string): string {
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'root', name: 'Root', exp: inAnHour })).toString('base64url');
    return `${header}.${forged}.${signature}`;
  }

  it.each([
    ['a missing token', 'auth.token is missing', async () => ({})],
    ['a token that is not a string', 'auth.token is missing', async () => ({ token: 42 })],
    ['dev-style auth', 'auth.token is missing', async () => ({ userId: 'ana', name: 'Ana' })],
    ['a malformed token', 'Malformed token', async () => ({ token: 'not-a-token' })],
    [
      'a token with four parts',
      'Malformed token',
      async () => ({ token: `${await signToken(ana, { secret, expiresInSeconds: 60, now })}.x` }),
    ],
    ['a token whose header is not JSON', 'Malformed token', async () => ({ token: 'bm90IGpzb24.e30.c2ln' })],
    [
      'a tampered token',
      'Bad token signature',
      async () => ({ token: tampered(await signToken(ana, { secret, expiresInSeconds: 60, now })) }),
    ],
    [
      'a token signed with another secret',
      'Bad token signature',
      async () => ({ token: await signToken(ana, { secret: otherSecret, expiresInSeconds: 60, now }) }),
    ],
    [
      'an unsigned token (alg: none)',
      'Token algorithm not accepted',
      async () => ({ token: new UnsecuredJWT({ sub: 'ana', name: 'Ana', exp: inAnHour }).encode() }),
    ],
    [
      'a token without exp',
      'Token has no "exp" claim',
      async () => ({
        token: await new SignJWT({ sub: 'ana', name: 'Ana' }).setProtectedHeader({ alg: 'HS256' }).sign(secretKey),
      }),
    ],
  ])('refuses %s with UNAUTHORIZED "%s"', async (_, message, auth) => {
    const url = await chatOn(jwtAuthenticator({ secret, now }));
    expect(await refusal(url, await auth())).toMatchObject({ code: 'UNAUTHORIZED', message });
  });

  it.each([
    ['without sub', { sub: undefined }, 'userId'],
    ['without a name', { name: undefined }, 'name'],
    ['with a name over 64 characters', { name: 'x'.repeat(65) }, 'name'],
  ])('refuses a well-signed token %s, saying which user field is wrong', async (_, claims, field) => {
    const url = await chatOn(jwtAuthenticator({ secret, now }));
    expect(await refusal(url, { token: await mint(secretKey, claims) })).toMatchObject({
      code: 'UNAUTHORIZED',
      issues: [expect.objectContaining({ path: [field] })],
    });
  });

  it('refuses secrets shorter than 32 bytes', async () => {
    expect(() => jwtAuthenticator({ secret: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
    expect(() => jwtAuthenticator({ secret: new Uint8Array(31) })).toThrow(TypeError);
    await expect(signToken(ana, { secret: 'short', expiresInSeconds: 60 })).rejects.toThrow(TypeError);
    expect(() => jwtAuthenticator({ secret: new Uint8Array(32) })).not.toThrow();
  });
});

describe('public keys: jwtAuthenticator({ publicKey })', () => {
  it.each(['RS256', 'ES256'])(
    'accepts %s tokens signed by the private key, refuses those of another key',
    async (alg) => {
      const issuer = await generateKeyPair(alg, { extractable: true });
      const stranger = await generateKeyPair(alg);
      const url = await chatOn(jwtAuthenticator({ publicKey: await exportSPKI(issuer.publicKey), now }));
      expect(await sessionUser(url, await mint(issuer.privateKey, {}, { alg }))).toEqual(ana);
      expect(await refusal(url, { token: await mint(stranger.privateKey, {}, { alg }) })).toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'Bad token signature',
      });
    },
  );

  it('takes a KeyObject as well as PEM text', async () => {
    const issuer = await generateKeyPair('ES256', { extractable: true });
    const url = await chatOn(jwtAuthenticator({ publicKey: KeyObject.from(issuer.publicKey), now }));
    expect(await sessionUser(url, await mint(issuer.privateKey, {}, { alg: 'ES256' }))).toEqual(ana);
  });

  it('refuses an HS256 token keyed with the public key itself (algorithm confusion)', async () => {
    const issuer = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(issuer.publicKey);
    const url = await chatOn(jwtAuthenticator({ publicKey: pem, now }));
    const forged = await mint(new TextEncoder().encode(pem), { sub: 'root', name: 'Root' });
    expect(await refusal(url, { token: forged })).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Token algorithm not accepted',
    });
  });

  it('accepts only the algorithms given', async () => {
    const issuer = await generateKeyPair('RS256', { extractable: true });
    const publicKey = await exportSPKI(issuer.publicKey);
    const token = await mint(issuer.privateKey, {}, { alg: 'RS256' });
    const url = await chatOn(jwtAuthenticator({ publicKey, algorithms: ['PS256'], now }));
    expect(await refusal(url, { token })).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Token algorithm not accepted',
    });
    const byDefault = await chatOn(jwtAuthenticator({ publicKey, now }));
    expect(await sessionUser(byDefault, token)).toEqual(ana);
  });
});

/** A JWKS endpoint on port 0: serves `keys` (or what `answer` says), counts the fetches. */
async function startJwks() {
  const state: { keys: JWK[]; fetches: number; answer?: ((response: ServerResponse) => void) | undefined } = {
    keys: [],
    fetches: 0,
  };
  const server = createHttpServer((_, response) => {
    state.fetches += 1;
    if (state.answer) return state.answer(response);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { state, url: `http://127.0.0.1:${port}/.well-known/jwks.json` };
}

async function signingKey(kid: string, alg = 'RS256') {
  const pair = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
  return { jwk, sign: (claims: JWTPayload = {}) => mint(pair.privateKey, claims, { alg, kid }) };
}

describe('identity providers: jwtAuthenticator({ jwks })', () => {
  it('verifies with the key named by kid, and follows a key rotation', async () => {
    const jwks = await startJwks();
    const [first, second] = await Promise.all([signingKey('k1'), signingKey('k2', 'ES256')]);
    jwks.state.keys = [first.jwk];
    const url = await chatOn(jwtAuthenticator({ jwks: jwks.url, jwksCooldownMs: 0, now }));
    expect(await sessionUser(url, await first.sign())).toEqual(ana);
    expect(await sessionUser(url, await first.sign({ sub: 'ben', name: 'Ben' }))).toEqual({
      userId: 'ben',
      name: 'Ben',
    });
    expect(jwks.state.fetches).toBe(1);

    // The provider rotates: k2 in, k1 out. A token with the new kid makes the server fetch again.
    jwks.state.keys = [second.jwk];
    expect(await sessionUser(url, await second.sign())).toEqual(ana);
    expect(jwks.state.fetches).toBe(2);
    expect(await refusal(url, { token: await first.sign() })).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'No key of the JWKS matches the token',
    });
  });

  it('does not fetch the JWKS again for each unknown kid within the cooldown', async () => {
    const jwks = await startJwks();
    const [known, unknown] = await Promise.all([signingKey('k1'), signingKey('k-random')]);
    jwks.state.keys = [known.jwk];
    const url = await chatOn(jwtAuthenticator({ jwks: jwks.url, now }));
    expect(await sessionUser(url, await known.sign())).toEqual(ana);
    for (let i = 0; i < 3; i++) {
      expect(await refusal(url, { token: await unknown.sign() })).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(jwks.state.fetches).toBe(1);
  });

  it.each([
    ['answers 500', (response: ServerResponse) => response.writeHead(500).end()],
    ['answers something that is not JSON', (response: ServerResponse) => response.end('<html>')],
    ['answers JSON that is not a key set', (response: ServerResponse) => response.end('{"keys":"none"}')],
    ['does not answer in time', () => {}],
  ])('answers UNAVAILABLE (retryable) while the JWKS %s, and accepts once it is back', async (_, answer) => {
    const jwks = await startJwks();
    const key = await signingKey('k1');
    jwks.state.keys = [key.jwk];
    jwks.state.answer = answer;
    const url = await chatOn(jwtAuthenticator({ jwks: jwks.url, jwksTimeoutMs: 100, jwksCooldownMs: 0, now }));
    const token = await key.sign();
    expect(await refusal(url, { token })).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 1000 });
    jwks.state.answer = undefined;
    expect(await sessionUser(url, token)).toEqual(ana);
  });

  it('answers UNAVAILABLE when nothing listens at the JWKS URL, and tells the logger', async () => {
    const jwks = await startJwks();
    const key = await signingKey('k1');
    const unreachable = jwks.url.replace(/:\d+\//, ':1/');
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const logger = {
      ...silentLogger,
      warn: (message: string, meta?: Record<string, unknown>) => warnings.push([message, meta]),
    };
    const url = await chatOn(jwtAuthenticator({ jwks: unreachable, logger, now }));
    expect(await refusal(url, { token: await key.sign() })).toMatchObject({
      code: 'UNAVAILABLE',
      message: 'The token keys (JWKS) could not be fetched, try again',
    });
    expect(warnings).toEqual([
      ['chatwire: the JWKS could not be fetched', { url: unreachable, error: expect.any(Error) }],
    ]);
  });
});

describe('claim checks', () => {
  const checked = { secret, issuer: 'https://login.example', audience: 'chat', now };

  it.each([
    ['the right iss and aud', { iss: 'https://login.example', aud: 'chat' }, undefined],
    ['one of several audiences', { iss: 'https://login.example', aud: ['admin', 'chat'] }, undefined],
    ['another issuer', { iss: 'https://evil.example', aud: 'chat' }, 'Token issuer not accepted'],
    ['another audience', { iss: 'https://login.example', aud: 'billing' }, 'Token audience not accepted'],
    ['no issuer', { aud: 'chat' }, 'Token has no "iss" claim'],
    ['no audience', { iss: 'https://login.example' }, 'Token has no "aud" claim'],
  ])('with issuer and audience set, takes a token with %s only if it has both', async (_, claims, message) => {
    const url = await chatOn(jwtAuthenticator(checked));
    const token = await mint(secretKey, claims);
    if (message === undefined) expect(await sessionUser(url, token)).toEqual(ana);
    else expect(await refusal(url, { token })).toMatchObject({ code: 'UNAUTHORIZED', message });
  });

  it('refuses a token before its nbf', async () => {
    const url = await chatOn(jwtAuthenticator({ secret, now }));
    const token = await mint(secretKey, { nbf: T / 1000 + 60 });
    expect(await refusal(url, { token })).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token not valid yet' });
  });

  it('accepts a token up to clockToleranceSeconds past exp, and its connection lives that long', async () => {
    let clock = T;
    const at = () => clock;
    const authenticate = jwtAuthenticator({ secret, clockToleranceSeconds: 5, now: at });
    const { url } = await startChat({ authenticate, now: at });
    const token = await signToken(ana, { secret, expiresInSeconds: 60, now: () => T });
    const expiresAt = T + 65_000;
    expect(await authenticate({ auth: { token }, handshake: undefined as never })).toEqual({ ...ana, expiresAt });

    clock = expiresAt - 1000;
    expect(await sessionUser(url, token)).toEqual(ana);
    clock = expiresAt;
    expect(await refusal(url, { token })).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });
  });

  it('without tolerance, refuses a token from its exp on', async () => {
    let clock = T;
    const url = await chatOn(jwtAuthenticator({ secret, now: () => clock }));
    const token = await signToken(ana, { secret, expiresInSeconds: 60, now: () => T });
    clock = T + 59_999;
    expect(await sessionUser(url, token)).toEqual(ana);
    clock = T + 60_000;
    expect(await refusal(url, { token })).toMatchObject({ code: 'UNAUTHORIZED', message: 'Token expired' });
  });

  it('maps claims to the user with the user option', async () => {
    const url = await chatOn(
      jwtAuthenticator({
        secret,
        now,
        user: async (claims) => ({ userId: String(claims.sub), name: String(claims.nickname) }),
      }),
    );
    const token = await mint(secretKey, { sub: 'auth0|123', nickname: 'ana' });
    expect(await sessionUser(url, token)).toEqual({ userId: 'auth0|123', name: 'ana' });
  });
});
