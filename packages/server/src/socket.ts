import type {
  AnyContract,
  Result,
  ServerEmitEventName,
  ServerRequestEventName,
  SocketDataOf,
} from '@chatwire/protocol';
import { BroadcastOperatorView, type Emitter, type Operator, type Room } from './operator.js';
import type {
  OutgoingEmitter,
  RawEmitter,
  RawSocketRequester,
  ServerAnswer,
  ServerEmitArgs,
  ServerRequestArgs,
} from './outgoing.js';
import type { Handshake, TypedIoSocket } from './types.js';

/**
 * One connected client, as a handler sees it: typed `emit`, rooms, and the socket's data.
 *
 * @example
 * ```ts
 * server.on('join', async ({ payload, socket }) => {
 *   const chatSocket: ChatwireSocket<typeof contract> = socket;
 *   await chatSocket.join(payload.room);
 *   chatSocket.to(payload.room).emit('said', { from: chatSocket.data.user, text: 'joined' });
 * });
 * ```
 */
export interface ChatwireSocket<C extends AnyContract> extends Emitter<C> {
  /** socket.io's socket id (also the name of the socket's own room). */
  readonly id: string;
  /** What `authenticate` returned, and anything the app keeps on the socket. */
  readonly data: SocketDataOf<C>;
  /** The handshake: headers, query, address, and the raw `auth`. */
  readonly handshake: Handshake;
  /** The rooms this socket is in (its own id included). */
  readonly rooms: ReadonlySet<Room>;
  /** False once the socket has disconnected. */
  readonly connected: boolean;
  /**
   * Asks this client (an event with an ack, answered by its `client.handle`) and resolves with the
   * answer parsed by the ack schema. Never rejects: an invalid payload or answer gives
   * `VALIDATION_FAILED`, no handler on the client `NOT_FOUND`, no answer in time `TIMEOUT`
   * (default 10 s), a socket gone before the answer `DISCONNECTED`.
   * @example
   * const result = await socket.request('confirm', { text: 'Delete the room?' }, { timeoutMs: 5000 });
   * if (result.ok && result.data.yes) await deleteRoom();
   */
  request<E extends ServerRequestEventName<C>>(
    event: E,
    ...args: ServerRequestArgs<C, E>
  ): Promise<Result<ServerAnswer<C, E>>>;
  /** Everyone but this socket. */
  readonly broadcast: Operator<C>;
  /** Everyone in these rooms but this socket. */
  to(room: Room | Room[]): Operator<C>;
  /** Sends to this socket only, allowing the event to be dropped if the client is not ready. */
  readonly volatile: Emitter<C>;
  /** Sends to this socket only, choosing whether to compress. */
  compress(compress: boolean): Emitter<C>;
  /** Joins one or more rooms. */
  join(room: Room | Room[]): Promise<void>;
  /** Leaves a room. */
  leave(room: Room): Promise<void>;
  /** Disconnects this socket; `close` also closes the underlying connection. */
  disconnect(close?: boolean): void;
  /** The socket.io socket underneath (escape hatch). */
  readonly raw: TypedIoSocket<C>;
}

export class ServerSocket<C extends AnyContract> implements ChatwireSocket<C> {
  constructor(
    readonly raw: TypedIoSocket<C>,
    private readonly outgoing: OutgoingEmitter<C>,
  ) {}

  get id(): string {
    return this.raw.id;
  }

  get data(): SocketDataOf<C> {
    return this.raw.data;
  }

  get handshake(): Handshake {
    return this.raw.handshake;
  }

  get rooms(): ReadonlySet<Room> {
    return this.raw.rooms;
  }

  get connected(): boolean {
    return this.raw.connected;
  }

  emit<E extends ServerEmitEventName<C>>(event: E, ...args: ServerEmitArgs<C, E>): void {
    this.outgoing.emit(this.raw as unknown as RawEmitter, event, args);
  }

  request<E extends ServerRequestEventName<C>>(
    event: E,
    ...args: ServerRequestArgs<C, E>
  ): Promise<Result<ServerAnswer<C, E>>> {
    return this.outgoing.request(this.raw as unknown as RawSocketRequester, event, args) as Promise<
      Result<ServerAnswer<C, E>>
    >;
  }

  get broadcast(): Operator<C> {
    return new BroadcastOperatorView(this.raw.broadcast as never, this.outgoing);
  }

  to(room: Room | Room[]): Operator<C> {
    return new BroadcastOperatorView(this.raw.to(room) as never, this.outgoing);
  }

  get volatile(): Emitter<C> {
    return this.flagged(() => this.raw.volatile);
  }

  compress(compress: boolean): Emitter<C> {
    return this.flagged(() => this.raw.compress(compress));
  }

  async join(room: Room | Room[]): Promise<void> {
    await this.raw.join(room);
  }

  async leave(room: Room): Promise<void> {
    await this.raw.leave(room);
  }

  disconnect(close = false): void {
    this.raw.disconnect(close);
  }

  // socket.io keeps flags on the socket until the next emit, so they are set only at emit time.
  private flagged(withFlags: () => TypedIoSocket<C>): Emitter<C> {
    return {
      emit: (event, ...args) => this.outgoing.emit(withFlags() as unknown as RawEmitter, event, args),
    };
  }
}
