import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pageHandler } from '@chatwire/example-shared/serve-page';
import { directRoomUsers } from '@chatwire/protocol';
import {
  type ChatServer,
  type ChatServerOptions,
  type ChatwireNamespace,
  createChatServer,
  type Logger,
  MemoryStore,
  type Store,
  silentLogger,
} from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { addAdmin } from './admin.js';
import type { AdminContract } from './admin-contract.js';
import { type DemoContract, demoContract } from './chat-contract.js';
import { addDiceBot } from './dice-bot.js';
import { metricsRoute } from './metrics.js';
import { addWebhook } from './webhook.js';

/** Options of {@link createChatApp}: any ChatServer option but the HTTP server and the authenticator. */
export interface ChatAppOptions
  extends Partial<Omit<ChatServerOptions, 'httpServer' | 'io' | 'store' | 'authenticate'>> {
  /** Where history lives. @default a new MemoryStore */
  store?: Store;
  /**
   * The token of the `/admin` namespace and of `GET /metrics` (`ADMIN_TOKEN`).
   * @default undefined (the admin namespace refuses everyone; /metrics is open)
   */
  adminToken?: string | undefined;
  /** Where every chat event is POSTed as JSON (`CHAT_WEBHOOK_URL`). @default undefined (events are logged at debug level) */
  webhookUrl?: string | undefined;
  /** The dice bot's random source, a number in [0, 1). @default Math.random */
  random?: () => number;
}

export interface ChatApp {
  chat: ChatServer<DemoContract>;
  /** The `/admin` namespace beside the chat (see admin-contract.ts). */
  admin: ChatwireNamespace<AdminContract>;
  httpServer: HttpServer;
  /**
   * Listens on `port` (0 picks a free one) and resolves with the port. Only this machine can connect
   * unless `host` says otherwise (`'0.0.0.0'` or `'::'` for every interface).
   * @default host '127.0.0.1'
   */
  listen(port: number, host?: string): Promise<number>;
  /** Disconnects everyone, closes the HTTP server, then flushes and closes the store. */
  close(): Promise<void>;
}

// Defence in depth: the page renders every user string with textContent, and even if it did not,
// injected inline scripts and event handlers would not run. ('self' covers ws:/wss: to the same host;
// images of messages come from https: URLs only, fetched without a referrer.)
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The chatwire demo: serves the chat page (built by Vite into dist/page) at `/`, a ChatServer and its
 * `/admin` namespace on the same port, and Prometheus metrics at `/metrics`.
 * @example const app = await createChatApp({ store: new SqliteStore({ path: 'chat.db' }) }); await app.listen(3000);
 */
export async function createChatApp(options: ChatAppOptions = {}): Promise<ChatApp> {
  const { store = new MemoryStore(), adminToken, webhookUrl, random, ...chatOptions } = options;
  // The page as `vite build` wrote it (`pnpm start` and the tests build it when its sources changed).
  const page = pageHandler(new URL('../dist/page/', import.meta.url), securityHeaders);
  const scrape = metricsRoute(adminToken);
  const httpServer = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/metrics') scrape.serve(req, res).catch(() => res.writeHead(500).end());
    else page(req, res);
  });
  const chat = createChatServer({
    ...chatOptions,
    httpServer,
    store,
    metrics: scrape.metrics,
    // Messages carry image links (meta.attachments), checked here before anything is stored.
    contract: demoContract,
    // DEVELOPMENT ONLY: believes whatever { name, userId } the browser claims, so anyone can be anyone.
    // Production: jwtAuthenticator (signToken behind your login, or your identity provider's JWKS; see README.md).
    authenticate: devAuthenticator(),
  });
  const logger = chatOptions.logger ?? silentLogger;
  const admin = addAdmin(chat, { adminToken, logger });
  addDiceBot(chat, random);
  addWebhook(chat, { url: webhookUrl, logger });
  addDirectMembership(chat, { store, maxRooms: chatOptions.maxRoomsPerUser ?? 500, logger });

  return {
    chat,
    admin,
    httpServer,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve((httpServer.address() as AddressInfo).port);
        });
      }),
    close: () => chat.close(),
  };
}

/**
 * Opening a direct room makes the other user a member too, before the join is answered: the DM then
 * shows in their room list, with its unread count, as soon as the first message is sent.
 */
function addDirectMembership(
  chat: ChatServer<DemoContract>,
  { store, maxRooms, logger }: { store: Store; maxRooms: number; logger: Logger },
): void {
  chat.server.useEvent(async (context, next) => {
    const outcome = await next();
    if (!outcome.ok || context.event !== 'room:join') return;
    const { roomId } = context.payload;
    const me = context.socket.data.user.userId;
    for (const userId of directRoomUsers(roomId) ?? []) {
      if (userId === me) continue;
      // The join itself succeeded: a failure here only delays the DM in the other user's list.
      await store.addMember(roomId, userId, maxRooms).catch((error: unknown) => {
        logger.warn('demo: could not add the other user of a direct room', { roomId, error });
      });
    }
  });
}
