/**
 * The browser bundle (`@chatwire/client/browser`, dist/chatwire-client.browser.js): one ES module with
 * socket.io-client, zod and @chatwire/protocol inside, for a plain `<script type="module">` without a
 * bundler. It has everything of `@chatwire/client`, plus what a page needs to write a contract: `z`,
 * the builders of `zod/mini` (`z.object({ n: z.number().check(z.int()) })`, see browser-zod.ts).
 */

export {
  type ChatContract,
  type ChatUser,
  ChatwireError,
  chatContract,
  defineContract,
  type ErrorPayload,
  isChatwireError,
  isRetryable,
  type Message,
  type Result,
} from '@chatwire/protocol';
export * as z from './browser-zod.js';
export * from './index.js';
