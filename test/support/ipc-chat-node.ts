/**
 * A chat node for tests in which a crash must show: run as a child process (see `startIpcNode` in
 * ipc-node.ts) on REDIS_URL wired as `redisCluster()` says: the Redis adapter, Redis presence and
 * shared limits. The parent sends operations over IPC; each gets one answer.
 * Warnings and errors of the logger go to stderr as JSON lines.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isChatwireError } from '@chatwire/protocol';
import { createChatServer, type Logger, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { redisCluster } from '@chatwire/server/redis';

/** An operation the parent asks for. */
export type IpcOperation =
  | { op: 'disconnectUser'; userId: string }
  | { op: 'members'; roomId: string }
  | { op: 'roomEmit'; roomId: string }
  | { op: 'emitWithAck'; timeoutMs: number }
  | { op: 'fetchSockets' }
  | { op: 'socketsJoin'; room: string }
  | { op: 'serverSideEmit' }
  | { op: 'serverSideEmitWithAck' };

/** The answer to one operation: its value, or the error it ended in (`code` when a ChatwireError). */
export type IpcAnswer = { ok: true; value: unknown } | { ok: false; code?: string; message: string };

const print =
  (level: string) =>
  (message: string, meta?: Record<string, unknown>): void => {
    const error = meta?.error instanceof Error ? meta.error.message : undefined;
    process.stderr.write(`${JSON.stringify({ level, message, ...meta, error })}\n`);
  };
const logger: Logger = { debug: () => {}, info: () => {}, warn: print('warn'), error: print('error') };

const cluster = redisCluster({ redis: process.env.REDIS_URL ?? '', commandTimeoutMs: 500, logger });
const httpServer = createServer();
const chat = createChatServer({
  httpServer,
  store: new MemoryStore(),
  authenticate: devAuthenticator(),
  adapter: cluster.adapter,
  presence: cluster.presence,
  limits: cluster.limits,
  logger,
});
// Events nobody listens to, sent only to go through the adapter.
const io = chat.raw.server as unknown as import('socket.io').Server;

async function run(operation: IpcOperation): Promise<unknown> {
  switch (operation.op) {
    case 'disconnectUser':
      return chat.disconnectUser(operation.userId);
    case 'members':
      return (await chat.members(operation.roomId)).map((user) => user.userId).sort();
    case 'roomEmit':
      chat.raw.to(`room/${operation.roomId}`).emit('typing', {
        roomId: operation.roomId,
        user: { userId: 'system', name: 'System' },
        isTyping: false,
      });
      return null;
    case 'emitWithAck':
      return (await io.timeout(operation.timeoutMs).emitWithAck('ping')).length;
    case 'fetchSockets':
      return (await io.fetchSockets()).length;
    case 'socketsJoin':
      io.socketsJoin(operation.room);
      return null;
    case 'serverSideEmit':
      return io.serverSideEmit('ping');
    case 'serverSideEmitWithAck':
      return (await io.serverSideEmitWithAck('ping')).length;
  }
}

io.on('ping', (...args: unknown[]) => {
  const ack = args.at(-1);
  if (typeof ack === 'function') ack('pong');
});

process.on('message', (message: { id: number } & IpcOperation) => {
  const answer = (result: IpcAnswer) => process.send?.({ id: message.id, ...result });
  run(message).then(
    (value) => answer({ ok: true, value: value ?? null }),
    (error: unknown) =>
      answer({
        ok: false,
        ...(isChatwireError(error) ? { code: error.code } : {}),
        message: error instanceof Error ? error.message : String(error),
      }),
  );
});

httpServer.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: (httpServer.address() as AddressInfo).port });
});
