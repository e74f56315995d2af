/**
 * Development helpers: an authenticator that trusts the name a client sends. Not for production.
 *
 * @packageDocumentation
 * @module @chatwire/server/dev
 */
export { type DevAuthenticatorOptions, devAuthenticator } from './chat/dev-authenticator.js';
