import type { AnyContract, ClientToServerEvents, ServerToClientEvents, SocketDataOf } from '@chatwire/protocol';
import type { Namespace, Server, Socket } from 'socket.io';

/** No server-to-server events: chatwire leaves socket.io's `serverSideEmit` untyped. */
export type NoServerSideEvents = Record<never, never>;

/** The socket.io `Server` a chatwire server wraps, typed by the contract (the escape hatch). */
export type TypedIoServer<C extends AnyContract> = Server<
  ClientToServerEvents<C>,
  ServerToClientEvents<C>,
  NoServerSideEvents,
  SocketDataOf<C>
>;

/** The socket.io `Socket` a chatwire socket wraps, typed by the contract. */
export type TypedIoSocket<C extends AnyContract> = Socket<
  ClientToServerEvents<C>,
  ServerToClientEvents<C>,
  NoServerSideEvents,
  SocketDataOf<C>
>;

/** The handshake of a connecting client: headers, query, address, and the raw `auth`. */
export type Handshake = Socket['handshake'];

/** The socket.io `Namespace` a chatwire namespace wraps, typed by its contract. */
export type TypedIoNamespace<C extends AnyContract> = Namespace<
  ClientToServerEvents<C>,
  ServerToClientEvents<C>,
  NoServerSideEvents,
  SocketDataOf<C>
>;
