import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatwireError } from '@chatwire/protocol';
import { type ChatwireServer, type ChatwireServerOptions, createServer, silentLogger } from '@chatwire/server';
import { build } from 'esbuild';
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

const pageDir = new URL('./page/', import.meta.url);

/** Bundles the browser page (src/page/app.ts and @chatwire/client) into one ES module. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [new URL('app.ts', pageDir).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    conditions: ['@chatwire/source'],
  });
  return result.outputFiles[0]?.text ?? '';
}

/** Options of {@link createTutorialServer}: those of `createServer` (logger, limits…) but the HTTP server. */
export type TutorialServerOptions = Omit<ChatwireServerOptions<TutorialContract>, 'httpServer' | 'io'>;

/**
 * The seed tutorial's chat on chatwire: serves the page at `/` and the typed socket.io server.
 * @example const app = await createTutorialServer(); await app.listen(3000);
 */
export async function createTutorialServer(options: TutorialServerOptions = {}): Promise<TutorialServer> {
  const logger = options.logger ?? silentLogger;
  const [html, script] = await Promise.all([readFile(new URL('index.html', pageDir), 'utf8'), bundlePage()]);
  const httpServer = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (req.method === 'GET' && path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    }
  });
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
