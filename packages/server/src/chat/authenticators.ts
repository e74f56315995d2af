import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  type ChatContract,
  type ChatUser,
  ChatwireError,
  chatUserSchema,
  isChatwireError,
  parsePayload,
} from '@chatwire/protocol';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { type Logger, toLogger } from '../logger.js';
import type { AuthenticateContext } from '../namespace.js';

/**
 * The user a handshake proves, and until when (ms since the epoch): a socket still open then is
 * disconnected with `UNAUTHORIZED` "Token expired", and its client reconnects with fresh credentials.
 *
 * @example
 * ```ts
 * const user: AuthenticatedUser = { userId: 'ana', name: 'Ana', expiresAt: Date.now() + 3_600_000 };
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
 *   const session = await sessions.get(String(auth.sessionId));
 *   if (!session) throw new ChatwireError('UNAUTHORIZED', 'Unknown session');
 *   return { userId: session.userId, name: session.name };
 * };
 * ```
 */
export type ChatAuthenticator = (
  context: AuthenticateContext<ChatContract>,
) => AuthenticatedUser | Promise<AuthenticatedUser>;

/**
 * The claims of a verified JWT (RFC 7519): the registered ones, and whatever else the issuer put in.
 *
 * @example
 * ```ts
 * const user = (claims: JwtClaims) => ({ userId: String(claims.sub), name: String(claims.nickname) });
 * const authenticate = jwtAuthenticator({ secret, user });
 * ```
 */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

/**
 * Where the keys that verify tokens come from: exactly one of `secret`, `publicKey`, `jwks`.
 *
 * @example
 * ```ts
 * const keys: JwtKeySource = { publicKey: readFileSync('issuer.pem', 'utf8') };
 * const authenticate = jwtAuthenticator(keys);
 * ```
 */
export type JwtKeySource =
  | {
      /** The HS256/HS384/HS512 key shared with the issuer (e.g. {@link signToken}). At least 32 bytes. */
      secret: string | Uint8Array;
      publicKey?: never;
      jwks?: never;
    }
  | {
      /** The issuer's public key: PEM (SPKI) text or a `KeyObject`, for RS*, PS*, ES* or EdDSA tokens. */
      publicKey: string | KeyObject;
      secret?: never;
      jwks?: never;
    }
  | {
      /**
       * The URL of the issuer's JSON Web Key Set (Auth0, Clerk, Cognito, Keycloak…): fetched when first
       * needed, cached, fetched again for a token whose `kid` it does not hold (key rotation).
       */
      jwks: string | URL;
      secret?: never;
      publicKey?: never;
    };

/**
 * Options of {@link jwtAuthenticator} besides the key.
 *
 * @example
 * ```ts
 * const checks: JwtCheckOptions = { issuer: 'https://auth.example.com', clockToleranceSeconds: 30 };
 * const authenticate = jwtAuthenticator({ secret, ...checks });
 * ```
 */
export interface JwtCheckOptions {
  /** The accepted `iss`; tokens without it are refused. @default any issuer */
  issuer?: string | string[];
  /** The accepted `aud`; tokens without one of them are refused. @default any audience */
  audience?: string | string[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`; an open socket also lives that long past `exp`. @default 0 */
  clockToleranceSeconds?: number;
  /**
   * Accepted `alg` values; `none` is never accepted.
   * @default ['HS256', 'HS384', 'HS512'] with `secret`; the RS*, PS*, ES* and EdDSA ones with `publicKey` or `jwks`
   */
  algorithms?: string[];
  /**
   * Maps the verified claims to the chat user (then checked as `{ userId: 1–128, name: 1–64 }`).
   * @default claims => ({ userId: claims.sub, name: claims.name ?? claims.preferred_username })
   */
  user?: (claims: JwtClaims) => ChatUser | Promise<ChatUser>;
  /** How long a JWKS fetch may take. @default 5000 */
  jwksTimeoutMs?: number;
  /** The least time between two fetches of the JWKS for tokens whose `kid` it lacks. @default 30000 */
  jwksCooldownMs?: number;
  /** How long a fetched JWKS is used before it is fetched again. @default 600000 */
  jwksMaxAgeMs?: number;
  /** Where a failed JWKS fetch is reported (`warn`), as the server's `logger`. @default silent */
  logger?: Logger;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Options of {@link jwtAuthenticator}: one key source and the checks.
 *
 * @example
 * ```ts
 * const options: JwtAuthenticatorOptions = { jwks: 'https://example.auth0.com/.well-known/jwks.json', audience: 'chat' };
 * const authenticate = jwtAuthenticator(options);
 * ```
 */
export type JwtAuthenticatorOptions = JwtKeySource & JwtCheckOptions;

/**
 * Options of {@link signToken}.
 *
 * @example
 * ```ts
 * const options: SignTokenOptions = { secret, expiresInSeconds: 3600, issuer: 'my-app' };
 * const token = await signToken({ userId: 'ana', name: 'Ana' }, options);
 * ```
 */
export interface SignTokenOptions {
  /** The HS256 key, shared with the chat server's `jwtAuthenticator({ secret })`. At least 32 bytes. */
  secret: string | Uint8Array;
  /** Lifetime of the token (its `exp`), in seconds from now. */
  expiresInSeconds: number;
  /** The token's `iss`. */
  issuer?: string;
  /** The token's `aud`. */
  audience?: string | string[];
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const PUBLIC_KEY_ALGORITHMS = [
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  ...['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'],
];
/** When a client refused because the JWKS could not be fetched should try again. */
const JWKS_RETRY_AFTER_MS = 1000;

function unauthorized(message: string, cause?: unknown): ChatwireError {
  return new ChatwireError('UNAUTHORIZED', message, { cause });
}

function secretBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.byteLength < 32) throw new TypeError('The token secret must be at least 32 bytes');
  return bytes;
}

/**
 * The JWKS at `url`. A fetch that fails (unreachable, timeout, not 200, not a key set) is the
 * server's dependency failing, not the token: `UNAVAILABLE`, which clients retry.
 */
function remoteKeySet(url: string | URL, options: JwtCheckOptions): JWTVerifyGetKey {
  const { jwksTimeoutMs, jwksCooldownMs, jwksMaxAgeMs } = options;
  const logger = toLogger(options.logger);
  const keySet = createRemoteJWKSet(new URL(url), {
    ...(jwksTimeoutMs === undefined ? {} : { timeoutDuration: jwksTimeoutMs }),
    ...(jwksCooldownMs === undefined ? {} : { cooldownDuration: jwksCooldownMs }),
    ...(jwksMaxAgeMs === undefined ? {} : { cacheMaxAge: jwksMaxAgeMs }),
  });
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      )
        throw error;
      logger.warn('chatwire: the JWKS could not be fetched', { url: String(url), error });
      throw new ChatwireError('UNAVAILABLE', 'The token keys (JWKS) could not be fetched, try again', {
        retryAfterMs: JWKS_RETRY_AFTER_MS,
        cause: error,
      });
    }
  };
}

function verificationKey(options: JwtAuthenticatorOptions): JWTVerifyGetKey {
  if (options.jwks !== undefined) return remoteKeySet(options.jwks, options);
  if (options.publicKey !== undefined) {
    const key = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
    return () => key;
  }
  const secret = secretBytes(options.secret);
  return () => secret;
}

function claimRefusal(error: errors.JWTClaimValidationFailed): ChatwireError {
  if (error.reason === 'missing') return unauthorized(`Token has no "${error.claim}" claim`, error);
  if (error.claim === 'iss') return unauthorized('Token issuer not accepted', error);
  if (error.claim === 'aud') return unauthorized('Token audience not accepted', error);
  if (error.claim === 'nbf') return unauthorized('Token not valid yet', error);
  return unauthorized(`Token claim "${error.claim}" is invalid`, error);
}

/** Why `jwtVerify` refused, as the client will read it. */
function refusal(error: unknown): ChatwireError {
  if (isChatwireError(error)) return error;
  if (error instanceof errors.JWTExpired) return unauthorized('Token expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) return claimRefusal(error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthorized('Bad token signature', error);
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthorized('Token algorithm not accepted', error);
  if (error instanceof errors.JWKSNoMatchingKey) return unauthorized('No key of the JWKS matches the token', error);
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return unauthorized('Malformed token', error);
  // A key that does not fit the token's alg, an alg the key set cannot serve, and the like.
  return unauthorized('Invalid token', error);
}

function defaultUser(claims: JwtClaims): unknown {
  return { userId: claims.sub, name: claims.name ?? claims.preferred_username };
}

/**
 * Production authenticator on standard JWTs (RFC 7519, verified by `jose`): accepts `auth: { token }`
 * signed with `secret` (HS*), `publicKey` or a key of the `jwks` URL — an identity provider's
 * (Auth0, Clerk, Cognito, Keycloak) or {@link signToken}'s. Checks the signature, `alg`, `exp`
 * (required), `nbf`, and `issuer`/`audience` when given; maps the claims to the user. Every refusal
 * is `UNAUTHORIZED` with the reason ("Token expired", "Bad token signature", …), except a JWKS that
 * cannot be fetched: `UNAVAILABLE`, retried by clients. The chat server disconnects a socket whose
 * token expires while it is open.
 * @example
 * createChatServer({ httpServer, store, authenticate: jwtAuthenticator({ secret: process.env.CHAT_SECRET! }) });
 * // An identity provider:
 * jwtAuthenticator({ jwks: 'https://example.eu.auth0.com/.well-known/jwks.json', issuer: 'https://example.eu.auth0.com/', audience: 'chat' });
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): ChatAuthenticator {
  const key = verificationKey(options);
  const algorithms = options.algorithms ?? (options.secret === undefined ? PUBLIC_KEY_ALGORITHMS : HMAC_ALGORITHMS);
  const toleranceSeconds = options.clockToleranceSeconds ?? 0;
  const now = options.now ?? Date.now;
  const toUser = options.user ?? defaultUser;
  const { issuer, audience } = options;
  const checks = {
    algorithms,
    clockTolerance: toleranceSeconds,
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
  };
  return async ({ auth }) => {
    const token = auth.token;
    if (typeof token !== 'string') throw unauthorized('auth.token is missing');
    let claims: JwtClaims;
    try {
      ({ payload: claims } = await jwtVerify(token, key, { ...checks, currentDate: new Date(now()) }));
    } catch (error) {
      throw refusal(error);
    }
    if (claims.exp === undefined) throw unauthorized('Token has no "exp" claim');
    const user = parsePayload(chatUserSchema, await toUser(claims), 'user in the token claims');
    if (!user.ok) throw new ChatwireError('UNAUTHORIZED', user.error.message, { issues: user.error.issues });
    return { ...user.data, expiresAt: (claims.exp + toleranceSeconds) * 1000 };
  };
}

/**
 * Issues an HS256 JWT for `user` (`sub` = userId, `name`, `iat`, `exp`, and `iss`/`aud` when given),
 * valid for `expiresInSeconds`. Call it in your login endpoint; the client passes it as
 * `auth: { token }`, the server checks it with `jwtAuthenticator({ secret })`.
 * @example const token = await signToken({ userId: 'u1', name: 'Ana' }, { secret, expiresInSeconds: 3600 });
 */
export async function signToken(user: ChatUser, options: SignTokenOptions): Promise<string> {
  const secret = secretBytes(options.secret);
  const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
  const jwt = new SignJWT({ name: user.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.expiresInSeconds);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(secret);
}
