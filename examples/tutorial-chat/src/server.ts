import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pageHandler } from '@chatwire/example-shared/serve-page';
import { ChatwireError } from '@chatwire/protocol';
import { type ChatwireServer, type ChatwireServerOptions, createServer, silentLogger } from '@chatwire/server';
import { type TutorialContract, tutorialContract } from './contract.js';

export interface TutorialServer {
  chat: ChatwireServer<TutorialContract>;
  httpServer: HttpServer;
  /**
   * Listens on `port` (0 picks a free one) and resolves with the port. Only this machine can connect
   * unless `host` says otherwise (`'0.0.0.0'` or `'::'` for every interface).
   * @default host '127.0.0.1'
   */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** Options of {@link createTutorialServer}: those of `createServer` (logger, limits…) but the HTTP server. */
export type TutorialServerOptions = Omit<ChatwireServerOptions<TutorialContract>, 'httpServer' | 'io'>;

/**
 * The seed tutorial's chat on chatwire: serves the page (built by Vite into dist/page) at `/` and the
 * typed socket.io server.
 * @example const app = await createTutorialServer(); await app.listen(3000);
 */
export async function createTutorialServer(options: TutorialServerOptions = {}): Promise<TutorialServer> {
  const logger = options.logger ?? silentLogger;
  // The page as `vite build` wrote it (`pnpm start` and the tests build it when its sources changed).
  const httpServer = createHttpServer(pageHandler(new URL('../dist/page/', import.meta.url)));
  const chat = createServer(tutorialContract, { ...options, httpServer, logger });

  chat.on('login', ({ payload, socket }) => {
    socket.data.user = payload;
    chat.emit('login', payload.name);
  });

  chat.on('chat', ({ payload, socket }) => {
    const from = socket.data.user;
    if (from === undefined) throw new ChatwireError('UNAUTHORIZED', 'Log in before chatting');
    // `from` is the server's record of the sender, never taken from the payload.
    socket.broadcast.emit('chat', { from, msg: payload.msg });
  });

  chat.on('forceDisconnect', ({ socket }) => {
    socket.disconnect();
  });

  chat.onDisconnect(({ socket }) => {
    logger.info(`user disconnected: ${socket.data.user?.name ?? socket.id}`);
  });

  return {
    chat,
    httpServer,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    close: () => chat.close(),
  };
}
