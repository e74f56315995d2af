import type {
  AnyContract,
  Result,
  ServerEmitEventName,
  ServerRequestEventName,
  ServerToClientEvents,
  SocketDataOf,
} from '@chatwire/protocol';
import type { BroadcastOperator, RemoteSocket } from 'socket.io';
import type {
  BroadcastAnswers,
  OutgoingEmitter,
  RawEmitter,
  RawRequester,
  ServerAnswer,
  ServerEmitArgs,
  ServerRequestArgs,
} from './outgoing.js';

/**
 * A room name, or a socket id (every socket is in a room named after its id).
 *
 * @example
 * ```ts
 * const room: Room = `room:${roomId}`;
 * socket.join(room);
 * ```
 */
export type Room = string;

/**
 * Something that sends typed, validated server events.
 *
 * @example
 * ```ts
 * function announce(target: Emitter<typeof contract>, text: string) {
 *   target.emit('said', { from: 'server', text });
 * }
 * announce(server.to('lobby'), 'Starting soon');
 * ```
 */
export interface Emitter<C extends AnyContract> {
  /** Sends `event` to every target; the payload is checked against the contract first. */
  emit<E extends ServerEmitEventName<C>>(event: E, ...args: ServerEmitArgs<C, E>): void;
}

/**
 * A typed view of socket.io's broadcast operator: choose targets with `to`/`in`/`except` and flags,
 * then `emit` once. Works across nodes when the server runs on a shared adapter.
 *
 * @example
 * ```ts
 * const lobby: Operator<typeof contract> = server.to('lobby').except(socket.id);
 * lobby.emit('said', { from: socket.data.user, text: 'hi' });
 * ```
 */
export interface Operator<C extends AnyContract> extends Emitter<C> {
  /**
   * Sends a request (an event with an ack) to every target, once, and collects each socket's answer,
   * parsed by the ack schema: one socket's invalid answer does not spoil the others. Never rejects;
   * sockets that do not answer within `timeoutMs` leave `timedOut: true` and the answers that came.
   * @example
   * const result = await server.to('room:1').request('confirm', { text: 'Still there?' }, { timeoutMs: 5000 });
   * if (result.ok) result.data.answers.filter((answer) => answer.ok).length;
   */
  request<E extends ServerRequestEventName<C>>(
    event: E,
    ...args: ServerRequestArgs<C, E>
  ): Promise<Result<BroadcastAnswers<ServerAnswer<C, E>>>>;
  /** Also targets these rooms or socket ids. */
  to(room: Room | Room[]): Operator<C>;
  /** Same as {@link Operator.to}. */
  in(room: Room | Room[]): Operator<C>;
  /** Leaves out the sockets in these rooms (or these socket ids). */
  except(room: Room | Room[]): Operator<C>;
  /** The event may be dropped for a client that is not ready to receive it. */
  readonly volatile: Operator<C>;
  /** Only the sockets of this node, when running on several. */
  readonly local: Operator<C>;
  /** Whether to compress the packet (permessage-deflate); on by default. */
  compress(compress: boolean): Operator<C>;
  /** The matching sockets, across nodes (socket.io `RemoteSocket`s). */
  fetchSockets(): Promise<RemoteSocket<ServerToClientEvents<C>, SocketDataOf<C>>[]>;
  /** Makes the matching sockets join these rooms. */
  socketsJoin(room: Room | Room[]): void;
  /** Makes the matching sockets leave these rooms. */
  socketsLeave(room: Room | Room[]): void;
  /** Disconnects the matching sockets; `close` also closes the underlying connection. */
  disconnectSockets(close?: boolean): void;
}

type AnyBroadcastOperator = BroadcastOperator<ServerToClientEvents<AnyContract>, unknown>;

export class BroadcastOperatorView<C extends AnyContract> implements Operator<C> {
  constructor(
    private readonly op: AnyBroadcastOperator,
    private readonly outgoing: OutgoingEmitter<C>,
  ) {}

  emit<E extends ServerEmitEventName<C>>(event: E, ...args: ServerEmitArgs<C, E>): void {
    this.outgoing.emit(this.op as unknown as RawEmitter, event, args);
  }

  request<E extends ServerRequestEventName<C>>(
    event: E,
    ...args: ServerRequestArgs<C, E>
  ): Promise<Result<BroadcastAnswers<ServerAnswer<C, E>>>> {
    return this.outgoing.broadcastRequest(this.op as unknown as RawRequester, event, args) as Promise<
      Result<BroadcastAnswers<ServerAnswer<C, E>>>
    >;
  }

  to(room: Room | Room[]): Operator<C> {
    return new BroadcastOperatorView(this.op.to(room), this.outgoing);
  }

  in(room: Room | Room[]): Operator<C> {
    return new BroadcastOperatorView(this.op.in(room), this.outgoing);
  }

  except(room: Room | Room[]): Operator<C> {
    return new BroadcastOperatorView(this.op.except(room), this.outgoing);
  }

  get volatile(): Operator<C> {
    return new BroadcastOperatorView(this.op.volatile, this.outgoing);
  }

  get local(): Operator<C> {
    return new BroadcastOperatorView(this.op.local, this.outgoing);
  }

  compress(compress: boolean): Operator<C> {
    return new BroadcastOperatorView(this.op.compress(compress), this.outgoing);
  }

  fetchSockets(): Promise<RemoteSocket<ServerToClientEvents<C>, SocketDataOf<C>>[]> {
    return this.op.fetchSockets() as unknown as Promise<RemoteSocket<ServerToClientEvents<C>, SocketDataOf<C>>[]>;
  }

  socketsJoin(room: Room | Room[]): void {
    this.op.socketsJoin(room);
  }

  socketsLeave(room: Room | Room[]): void {
    this.op.socketsLeave(room);
  }

  disconnectSockets(close = false): void {
    this.op.disconnectSockets(close);
  }
}
