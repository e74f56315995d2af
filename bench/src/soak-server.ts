import { createServer as createHttpServer } from 'node:http';
import { createChatServer, jwtAuthenticator } from '@chatwire/server';
import { SqliteStore } from '@chatwire/server/sqlite';
import { listen } from './support.js';

/**
 * The soak's server, in a process of its own (run with --expose-gc): a ChatServer with its default
 * limits on a SqliteStore file. It answers its parent over IPC:
 * `{ type: 'heap' }` → heap after a full GC; `{ type: 'lastSerials', rooms }` → the stored last serial
 * of each room; `{ type: 'close' }` → closes and exits.
 */

type Request = { type: 'heap' } | { type: 'lastSerials'; rooms: string[] } | { type: 'close' };

const path = process.argv[2];
if (path === undefined || process.send === undefined) throw new Error('usage: fork(soak-server.ts, [databasePath])');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('soak-server needs --expose-gc');

const secret = process.env.SOAK_SECRET;
if (secret === undefined) throw new Error('soak-server needs SOAK_SECRET');

const store = new SqliteStore({ path });
const httpServer = createHttpServer();
const chat = createChatServer({ httpServer, store, authenticate: jwtAuthenticator({ secret }) });
const url = await listen(httpServer);

const reply = (message: Record<string, unknown>) => process.send?.(message);

process.on('message', (request: Request) => {
  if (request.type === 'heap') {
    gc();
    gc();
    const { heapUsed, rss } = process.memoryUsage();
    reply({ type: 'heap', heapUsed, rss, sockets: chat.raw.server.engine.clientsCount });
  } else if (request.type === 'lastSerials') {
    Promise.all(request.rooms.map(async (roomId) => [roomId, await store.lastSerial(roomId)] as const)).then(
      (serials) => reply({ type: 'lastSerials', serials: Object.fromEntries(serials) }),
      (error: unknown) => reply({ type: 'error', message: String(error) }),
    );
  } else if (request.type === 'close') {
    chat.close().then(() => process.exit(0));
  }
});

reply({ type: 'listening', url });
