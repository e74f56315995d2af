import { createHmac, timingSafeEqual } from 'node:crypto';
import { type ChatContract, type ChatUser, ChatwireError, chatUserSchema } from '@chatwire/protocol';
import { z } from 'zod';
import type { AuthenticateContext } from '../namespace.js';

/**
 * The user a handshake proves, and until when (ms since the epoch): a socket still open then is
 * disconnected with `UNAUTHORIZED` "Token expired", and its client reconnects with fresh credentials.
 *
 * @example
 * ```ts
 * const user: AuthenticatedUser = { userId: 'u1', name: 'Ana', expiresAt: Date.now() + 3_600_000 };
 * ```
 */
export type AuthenticatedUser = ChatUser & { expiresAt?: number };

/**
 * Maps the handshake `auth` object to the user, or throws a {@link ChatwireError} to refuse. Takes
 * the same `{ auth, handshake }` as `createServer`'s `authenticate`.
 *
 * @example
 * ```ts
 * const authenticate: ChatAuthenticator = async ({ auth }) => {
 *   const session = await sessions.find(String(auth['sessionId']));
 *   if (session === undefined) throw new ChatwireError('UNAUTHORIZED', 'Unknown session');
 *   return { userId: session.userId, name: session.name };
 * };
 * ```
 */
export type ChatAuthenticator = (
  context: AuthenticateContext<ChatContract>,
) => AuthenticatedUser | Promise<AuthenticatedUser>;

function unauthorized(message: string): ChatwireError {
  return new ChatwireError('UNAUTHORIZED', message);
}

const tokenClaims = z.object({ sub: chatUserSchema.shape.userId, name: chatUserSchema.shape.name, exp: z.number() });

/**
 * Options of {@link signToken} and {@link tokenAuthenticator}.
 *
 * @example
 * ```ts
 * const options: TokenOptions = { secret: process.env.CHAT_SECRET ?? '' }; // at least 32 bytes
 * const authenticate = tokenAuthenticator(options);
 * ```
 */
export interface TokenOptions {
  /** The HMAC-SHA256 key, shared by whoever issues tokens and the chat server. At least 32 bytes. */
  secret: string | Uint8Array;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

function checkSecret(secret: string | Uint8Array): void {
  const length = typeof secret === 'string' ? Buffer.byteLength(secret) : secret.byteLength;
  if (length < 32) throw new TypeError('The token secret must be at least 32 bytes');
}

function sign(body: string, secret: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/**
 * Issues a signed token for `user`, valid for `expiresInSeconds`: `base64url(claims).base64url(hmac)`.
 * Call it in your login endpoint; the client passes it as `auth: { token }`.
 * @example const token = signToken({ userId: 'u1', name: 'Ana' }, { secret, expiresInSeconds: 3600 });
 */
export function signToken(user: ChatUser, options: TokenOptions & { expiresInSeconds: number }): string {
  checkSecret(options.secret);
  const now = options.now ?? Date.now;
  const claims = { sub: user.userId, name: user.name, exp: Math.floor(now() / 1000) + options.expiresInSeconds };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${sign(body, options.secret).toString('base64url')}`;
}

/**
 * Production authenticator: accepts `auth: { token }` made by {@link signToken} with the same secret,
 * checks the HMAC-SHA256 signature in constant time and the expiry; the chat server disconnects a
 * socket whose token expires while it is open.
 * @example createChatServer({ httpServer, store, authenticate: tokenAuthenticator({ secret: process.env.CHAT_SECRET! }) });
 */
export function tokenAuthenticator(options: TokenOptions): ChatAuthenticator {
  checkSecret(options.secret);
  const now = options.now ?? Date.now;
  return ({ auth }) => {
    const token = auth.token;
    if (typeof token !== 'string') throw unauthorized('auth.token is missing');
    const [body, signature, extra] = token.split('.');
    if (body === undefined || signature === undefined || extra !== undefined) throw unauthorized('Malformed token');
    const expected = sign(body, options.secret);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw unauthorized('Bad token signature');
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw unauthorized('Malformed token');
    }
    const claims = tokenClaims.safeParse(json);
    if (!claims.success) throw unauthorized('Malformed token claims');
    const expiresAt = claims.data.exp * 1000;
    if (expiresAt <= now()) throw unauthorized('Token expired');
    return { userId: claims.data.sub, name: claims.data.name, expiresAt };
  };
}
