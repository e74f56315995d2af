import { createAdapter, type RedisStreamsAdapterOptions } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { type PublishesDisconnect, publishDisconnect } from '../chat/cluster-disconnect.js';
import { type PublishesServerSideEmit, publishServerSideEmit } from '../chat/cluster-emit.js';
import type { Logger } from '../logger.js';

/** A factory of socket.io's Redis Streams adapter, as socket.io's `adapter` option takes it. */
export type RedisAdapterFactory = ReturnType<typeof createAdapter>;

/**
 * Commands of the adapter (0.3) whose failure nobody would hear: it sends PUBLISH (fetchSockets,
 * serverSideEmit, broadcasts with acks), SET (sessions of connection state recovery), SUBSCRIBE and,
 * on a lazy client, connect() without waiting for them, and ioredis re-subscribes after a
 * reconnection the same way: a rejection nobody handles ends the process (Node's default). XADD
 * failures reach the adapter, which drops them silently: they are here to be logged.
 */
const GUARDED = ['publish', 'spublish', 'xadd', 'set', 'subscribe', 'ssubscribe', 'connect'] as const;

/** socket.io-adapter's `MessageType.DISCONNECT_SOCKETS` (its cluster protocol). */
const DISCONNECT_SOCKETS = 6;

/** socket.io-adapter's `MessageType.SERVER_SIDE_EMIT` (its cluster protocol). */
const SERVER_SIDE_EMIT = 9;

/** What is used of socket.io's ClusterAdapter, where `publishAndReturnOffset` is protected. */
interface ClusterPublisher {
  publishAndReturnOffset(message: { type: number; data: unknown }): Promise<unknown>;
}

/** What is used of socket.io's Redis Streams adapter to write a message of its cluster protocol to its stream. */
interface StreamWriter {
  uid: string;
  encode(message: { uid: string; nsp: string; type: number; data: unknown }): Record<string, string>;
}

/** The stream the adapter (0.3) writes the messages of namespace `nsp` to: its own rule. */
function streamOf(nsp: string, options: RedisStreamsAdapterOptions): string {
  const name = options.streamName ?? 'socket.io';
  const count = options.streamCount ?? 1;
  if (count === 1) return name;
  let hash = 0;
  for (let i = 0; i < nsp.length; i++) hash = (hash * 31 + nsp.charCodeAt(i)) | 0;
  return `${name}-${hash % count}`;
}

type Commands = Record<string, unknown>;

/**
 * socket.io's Redis Streams adapter that cannot crash the process when Redis fails: it publishes on a
 * client of its own (a duplicate of `redis`, closed by `close`) whose commands and copies (the
 * subscriber, the stream readers) log each failure instead of leaving the rejection unhandled;
 * `serverCount` answers the last count it got when Redis does not answer; and each adapter can tell
 * whether a disconnect or a server-side event reached the other nodes (see {@link PublishesDisconnect},
 * {@link PublishesServerSideEmit}).
 */
export function guardedAdapter(
  redis: Redis,
  options: RedisStreamsAdapterOptions,
  logger: Logger,
): { adapter: RedisAdapterFactory; close(): void } {
  const publisher = guard(redis.duplicate(), logger);
  // The client it duplicates reports the same connection errors; unheard, they would throw.
  publisher.on('error', () => {});
  const factory = createAdapter(publisher, options);
  // socket.io calls it with `new`, as it does the factory it wraps: no arrow function.
  // biome-ignore lint/complexity/useArrowFunction: called as a constructor
  const adapter: RedisAdapterFactory = function (nsp) {
    const instance = factory(nsp);
    const serverCount = instance.serverCount.bind(instance);
    let knownCount = 1;
    // Neither socket.io's broadcasts with acks nor its serverSideEmit handle its rejection. The
    // requests that wait for every node (fetchSockets, serverSideEmit with ack) then end by timeout.
    instance.serverCount = () =>
      serverCount().then(
        (count: number) => {
          knownCount = count;
          return count;
        },
        (error: unknown) => {
          logger.warn('chatwire: Redis adapter could not count the nodes', { error, assumed: knownCount });
          return knownCount;
        },
      );
    const reporting: PublishesDisconnect & PublishesServerSideEmit = {
      [publishDisconnect]: async (room, close) => {
        await (instance as unknown as ClusterPublisher).publishAndReturnOffset({
          type: DISCONNECT_SOCKETS,
          data: { opts: { rooms: [room], except: [], flags: {} }, close },
        });
      },
      // The adapter sends a server-side event over PUB/SUB, keeping a failure to itself, and a node away
      // from Redis for a moment misses it: this one goes through the stream, as DISCONNECT_SOCKETS does.
      [publishServerSideEmit]: async (packet) => {
        const { uid, encode } = instance as unknown as StreamWriter;
        const fields = encode.call(instance, { uid, nsp: nsp.name, type: SERVER_SIDE_EMIT, data: { packet } });
        const maxLen = options.maxLen ?? 10_000;
        await publisher.xadd(streamOf(nsp.name, options), 'MAXLEN', '~', maxLen, '*', ...Object.entries(fields).flat());
      },
    };
    return Object.assign(instance, reporting);
  };
  return { adapter, close: () => publisher.disconnect() };
}

/**
 * ioredis re-subscribes after a reconnection only to the channels Redis confirmed: a subscription that
 * failed (a node started while Redis was away) is sent again once the client is ready.
 */
const RESUBSCRIBE = new Set<string>(['subscribe', 'ssubscribe']);

/** `client`, its guarded commands logging their failures, its duplicates guarded too. */
function guard(client: Redis, logger: Logger): Redis {
  const commands = client as unknown as Commands;
  for (const name of GUARDED) {
    const command = commands[name];
    if (typeof command !== 'function') continue;
    const guarded = (...args: unknown[]): unknown => {
      const result: unknown = command.apply(client, args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          // ioredis reconnects through connect(): those failures are the connection errors reported already.
          logger[name === 'connect' ? 'debug' : 'warn']('chatwire: Redis adapter command failed', {
            command: name,
            error,
          });
          if (RESUBSCRIBE.has(name)) client.once('ready', () => guarded(...args));
        });
      }
      return result;
    };
    commands[name] = guarded;
  }
  const duplicate = client.duplicate.bind(client);
  commands.duplicate = (...args: Parameters<Redis['duplicate']>) => guard(duplicate(...args), logger);
  return client;
}
