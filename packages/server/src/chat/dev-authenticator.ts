import { ChatwireError, chatUserSchema, parsePayload } from '@chatwire/protocol';
import type { ChatAuthenticator } from './authenticators.js';

/**
 * Options of {@link devAuthenticator}.
 *
 * @example
 * ```ts
 * import { devAuthenticator } from '@chatwire/server/dev';
 * const authenticate = devAuthenticator({ allowInProduction: true } satisfies DevAuthenticatorOptions); // staging only
 * ```
 */
export interface DevAuthenticatorOptions {
  /**
   * Lets it run under `NODE_ENV=production`, where it refuses by default: a staging box that must
   * trust claimed identities. Only the literal `true` counts.
   * @default false
   */
  allowInProduction?: true;
}

function refuseInProduction(options: DevAuthenticatorOptions): void {
  if (options.allowInProduction === true || process.env.NODE_ENV !== 'production') return;
  throw new Error(
    'devAuthenticator trusts whatever identity a client claims and refuses to run under NODE_ENV=production; ' +
      'use jwtAuthenticator (or pass { allowInProduction: true } if you really mean it)',
  );
}

/**
 * DEVELOPMENT ONLY — NOT FOR PRODUCTION: trusts whatever `{ name, userId }` the client claims, so
 * anyone can be anyone. Throws when made, and refuses every handshake, under `NODE_ENV=production`
 * unless `allowInProduction: true`. Use `jwtAuthenticator` (or your own) in production.
 * @example
 * import { devAuthenticator } from '@chatwire/server/dev';
 * const chat = createChatServer({ httpServer, store: new MemoryStore(), authenticate: devAuthenticator() });
 */
export function devAuthenticator(options: DevAuthenticatorOptions = {}): ChatAuthenticator {
  refuseInProduction(options);
  return ({ auth }) => {
    // Checked again at each use: NODE_ENV may be set after the server was made (dotenv, say).
    refuseInProduction(options);
    const parsed = parsePayload(chatUserSchema, auth, 'auth { name, userId }');
    if (!parsed.ok) throw new ChatwireError('UNAUTHORIZED', parsed.error.message, { issues: parsed.error.issues });
    return parsed.data;
  };
}
