import { createServer as createHttpServer } from 'node:http';
import { createChatServer, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { Server as IoServer } from 'socket.io';
import { listen } from './support.js';

/**
 * The memory case's server, in a process of its own (run with --expose-gc) so that what it holds
 * is the server's alone: `baseline` (plain socket.io whose `room:join` joins the room and acks) or
 * `chatwire` (a ChatServer with its defaults on a MemoryStore). It answers its parent over IPC:
 * `'measure'` → `{ type: 'memory', bytes }`, heap used plus external after full GCs, and how many
 * sockets it holds.
 */

const kind = process.argv[2];
if ((kind !== 'baseline' && kind !== 'chatwire') || process.send === undefined) {
  throw new Error('usage: fork(memory-server.ts, [baseline|chatwire])');
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('memory-server needs --expose-gc');

const httpServer = createHttpServer();
let sockets: () => number;
if (kind === 'baseline') {
  const io = new IoServer(httpServer);
  io.on('connection', (socket) => {
    socket.on('room:join', async (payload: { roomId: string }, ack: (result: unknown) => void) => {
      await socket.join(payload.roomId);
      ack({ ok: true, data: { roomId: payload.roomId } });
    });
  });
  sockets = () => io.engine.clientsCount;
} else {
  const chat = createChatServer({ httpServer, store: new MemoryStore(), authenticate: devAuthenticator() });
  sockets = () => chat.raw.server.engine.clientsCount;
}
const url = await listen(httpServer);

process.on('message', (request: unknown) => {
  if (request !== 'measure') return;
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  process.send?.({ type: 'memory', bytes: heapUsed + external, sockets: sockets() });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'listening', url });
