export { type DevAuthenticatorOptions, devAuthenticator } from './chat/dev-authenticator.js';
