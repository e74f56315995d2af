import type { AnyContract, ClientToServerEvents, ServerToClientEvents, SocketDataOf } from '@chatwire/protocol';
import type { Namespace, Server, Socket } from 'socket.io';

/**
 * No server-to-server events: chatwire leaves socket.io's `serverSideEmit` untyped.
 *
 * @example
 * ```ts
 * import type { Server } from 'socket.io';
 * type Io = Server<ClientToServerEvents<typeof contract>, ServerToClientEvents<typeof contract>, NoServerSideEvents>;
 * ```
 */
export type NoServerSideEvents = Record<never, never>;

/**
 * The socket.io `Server` a chatwire server wraps, typed by the contract (the escape hatch).
 *
 * @example
 * ```ts
 * const io: TypedIoServer<typeof contract> = new Server(httpServer);
 * const server = createServer(contract, { io });
 * ```
 */
export type TypedIoServer<C extends AnyContract> = Server<
  ClientToServerEvents<C>,
  ServerToClientEvents<C>,
  NoServerSideEvents,
  SocketDataOf<C>
>;

/**
 * The socket.io `Socket` a chatwire socket wraps, typed by the contract.
 *
 * @example
 * ```ts
 * io.on('connection', (socket: TypedIoSocket<typeof contract>) => console.log(socket.data));
 * ```
 */
export type TypedIoSocket<C extends AnyContract> = Socket<
  ClientToServerEvents<C>,
  ServerToClientEvents<C>,
  NoServerSideEvents,
  SocketDataOf<C>
>;

/**
 * The handshake of a connecting client: headers, query, address, and the raw `auth`.
 *
 * @example
 * ```ts
 * const clientAddress = (handshake: Handshake) => handshake.headers['x-forwarded-for'] ?? handshake.address;
 * ```
 */
export type Handshake = Socket['handshake'];

/**
 * The socket.io `Namespace` a chatwire namespace wraps, typed by its contract.
 *
 * @example
 * ```ts
 * const admin: TypedIoNamespace<typeof adminContract> = server.of('/admin', adminContract).raw;
 * ```
 */
export type TypedIoNamespace<C extends AnyContract> = Namespace<
  ClientToServerEvents<C>,
  ServerToClientEvents<C>,
  NoServerSideEvents,
  SocketDataOf<C>
>;
