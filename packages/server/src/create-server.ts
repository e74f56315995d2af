import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import {
  type AckInput,
  type AnyContract,
  type AuthOutput,
  ChatwireError,
  type ClientEvent,
  type ClientEventName,
  ERROR_EVENT,
  type ErrorPayload,
  isChatwireError,
  type PayloadOutput,
  parsePayload,
  type Result,
  type ServerEventName,
  type SocketDataOf,
} from '@chatwire/protocol';
import { Server as IoServer, type ServerOptions as IoServerOptions } from 'socket.io';
import type { AllowedOrigins } from './limits/allowed-origins.js';
import {
  ConnectionBudget,
  DEFAULT_ERROR_REPLY_RATE_LIMIT,
  DEFAULT_EVENT_RATE_LIMIT,
  DEFAULT_REFUSAL_LIMIT,
  type EventLimits,
  limitOption,
} from './limits/connection-budget.js';
import { echoedEventName } from './limits/echoed-event-name.js';
import type { RateLimit } from './limits/rate-limiter.js';
import { withTransportLimits } from './limits/transport-limits.js';
import { type Logger, silentLogger } from './logger.js';
import { BroadcastOperatorView, type Operator, type Room } from './operator.js';
import { OutgoingEmitter, type RawEmitter, type ServerEmitArgs } from './outgoing.js';
import { type ChatwireSocket, ServerSocket } from './socket.js';
import type { Handshake, TypedIoServer, TypedIoSocket } from './types.js';

/** What an event handler receives. */
export interface HandlerContext<C extends AnyContract, E extends ClientEventName<C>> {
  /** The payload, parsed by the contract's schema (zod output type). */
  payload: PayloadOutput<ClientEvent<C, E>>;
  /** The socket that sent the event. */
  socket: ChatwireSocket<C>;
}

/** Handles one client event; what it returns (or resolves to) is the ack's data. */
export type Handler<C extends AnyContract, E extends ClientEventName<C>> = (
  context: HandlerContext<C, E>,
) => AckInput<ClientEvent<C, E>> | Promise<AckInput<ClientEvent<C, E>>>;

/** What `authenticate` receives. */
export interface AuthenticateContext<C extends AnyContract> {
  /** The handshake `auth`, parsed by the contract's `auth` schema. */
  auth: AuthOutput<C>;
  handshake: Handshake;
}

/** Runs when a socket has disconnected, with socket.io's reason and the rooms the socket was in. */
export type DisconnectHook<C extends AnyContract> = (
  socket: ChatwireSocket<C>,
  reason: string,
  rooms: ReadonlySet<Room>,
) => void | Promise<void>;

/** Runs for each connecting socket after authentication; throw a {@link ChatwireError} to refuse it. */
export type Middleware<C extends AnyContract> = (socket: ChatwireSocket<C>) => void | Promise<void>;

/** Options of {@link createServer}; any other socket.io server option is passed through. */
export interface ChatwireServerOptions<C extends AnyContract> extends Partial<IoServerOptions> {
  /** The HTTP(S) server to attach to. */
  httpServer?: HttpServer | HttpsServer | Http2SecureServer;
  /** An existing socket.io server to use instead of making one (its adapter and options are kept). */
  io?: TypedIoServer<C>;
  /**
   * Turns the parsed handshake `auth` into the socket's data, or refuses the connection by throwing
   * a {@link ChatwireError} (the client gets `connect_error` with its code in `data.code`).
   */
  authenticate?: (context: AuthenticateContext<C>) => SocketDataOf<C> | Promise<SocketDataOf<C>>;
  /** Where the server reports refused input, handler failures and connections. @default silent */
  logger?: Logger;
  /**
   * Check outgoing payloads and ack data against the contract. Cheap, and it catches server bugs;
   * it can be turned off in production.
   * @default process.env.NODE_ENV !== 'production'
   */
  validateOutgoing?: boolean;
  /**
   * Largest frame in bytes (a WebSocket message, or an HTTP long-polling body); a bigger one closes
   * that connection. socket.io's option with a smaller default: over twice the largest valid chat event.
   * @default 65536
   */
  maxHttpBufferSize?: number;
  /**
   * Milliseconds a transport may stay open without connecting (and authenticating); then it is closed.
   * socket.io's option with a shorter default.
   * @default 5000
   */
  connectTimeout?: number;
  /**
   * Binary attachments allowed per packet. With 0, a packet announcing any closes its connection
   * before one byte of it is buffered. Applies unless you give socket.io's `parser`.
   * @default 0
   */
  maxAttachments?: number;
  /**
   * Browser origins allowed to connect (exact, e.g. `['https://chat.example.com']`) or a predicate,
   * checked at the handshake of every session, on every transport: HTTP long-polling and WebSocket
   * (which browsers do not hold to CORS). Requests without an `Origin` header (non-browser clients)
   * pass a list. Set it in production.
   * @default undefined (every origin)
   */
  allowedOrigins?: AllowedOrigins;
  /**
   * Per-connection budget of incoming events, charged before anything else looks at an event (unknown
   * and invalid ones too). Over it the event is not validated or handled: its sender gets
   * `RATE_LIMITED` with `retryAfterMs`. Roomy enough for a reconnect that re-joins 50 rooms and syncs.
   * @default { ratePerSecond: 100, burst: 300 }
   */
  eventRateLimit?: Partial<RateLimit> | false;
  /** Per-connection budget of error replies; past it, errors are dropped (and counted). @default { ratePerSecond: 10, burst: 100 } */
  errorReplyRateLimit?: Partial<RateLimit> | false;
  /**
   * Refused events (over `eventRateLimit`, unknown, or invalid) a connection may accumulate: `burst`
   * of them, forgiven at `ratePerSecond`. One more, and the socket gets a last `chatwire:error`
   * (`RATE_LIMITED`) and is disconnected.
   * @default { ratePerSecond: 5, burst: 250 }
   */
  refusalLimit?: Partial<RateLimit> | false;
  /** Clock of the per-connection budgets. @default Date.now */
  now?: () => number;
}

type AnyHandler = (context: { payload: unknown; socket: ChatwireSocket<AnyContract> }) => unknown;
type Ack = (result: Result<unknown>) => void;

/**
 * A typed, validated server over socket.io for one contract.
 * @example
 * const server = createServer(contract, { httpServer });
 * server.on('chat', ({ payload, socket }) => socket.broadcast.emit('chat', { from: socket.id, msg: payload.msg }));
 */
export class ChatwireServer<C extends AnyContract> {
  /** The socket.io server underneath, typed by the contract (escape hatch). */
  readonly io: TypedIoServer<C>;
  private readonly contract: C;
  private readonly logger: Logger;
  private readonly outgoing: OutgoingEmitter<C>;
  private readonly validateOutgoing: boolean;
  private readonly handlers = new Map<string, AnyHandler>();
  private readonly sockets = new WeakMap<TypedIoSocket<C>, ServerSocket<C>>();
  private readonly connectionHooks = new Set<(socket: ChatwireSocket<C>) => void | Promise<void>>();
  private readonly disconnectHooks = new Set<DisconnectHook<C>>();
  private readonly eventLimits: EventLimits;
  private readonly now: () => number;

  constructor(contract: C, options: ChatwireServerOptions<C> = {}) {
    const {
      httpServer,
      io,
      authenticate,
      logger,
      validateOutgoing,
      maxHttpBufferSize,
      connectTimeout,
      maxAttachments,
      allowedOrigins,
      eventRateLimit,
      errorReplyRateLimit,
      refusalLimit,
      now,
      ...ioOptions
    } = options;
    this.contract = contract;
    this.logger = logger ?? silentLogger;
    this.validateOutgoing = validateOutgoing ?? process.env.NODE_ENV !== 'production';
    this.outgoing = new OutgoingEmitter(contract, this.validateOutgoing);
    this.now = now ?? Date.now;
    this.eventLimits = {
      events: limitOption(eventRateLimit, DEFAULT_EVENT_RATE_LIMIT),
      errorReplies: limitOption(errorReplyRateLimit, DEFAULT_ERROR_REPLY_RATE_LIMIT),
      refusals: limitOption(refusalLimit, DEFAULT_REFUSAL_LIMIT),
    };
    if (io !== undefined) {
      if (allowedOrigins !== undefined || maxAttachments !== undefined) {
        // They are transport options: silently ignoring them would leave a server open that looks closed.
        throw new TypeError('createServer: with io, set allowRequest and parser on that socket.io server');
      }
      this.io = io;
      if (httpServer !== undefined) io.attach(httpServer);
    } else {
      const limited = withTransportLimits(ioOptions, {
        maxHttpBufferSize,
        connectTimeout,
        maxAttachments,
        allowedOrigins,
      });
      this.io = (
        httpServer === undefined ? new IoServer(limited) : new IoServer(httpServer, limited)
      ) as TypedIoServer<C>;
    }
    if (authenticate === undefined && contract.socketData?.safeParse({}).success === false) {
      // Without authenticate, socket.data starts as {}: the contract's type would be a lie.
      throw new TypeError('createServer: the contract declares socketData that {} does not satisfy; give authenticate');
    }
    this.io.use((raw, next) => {
      this.admit(raw, authenticate).then(
        () => next(),
        (error: unknown) => next(this.connectError(error, 'authenticate')),
      );
    });
    this.io.on('connection', (raw) => this.connected(raw));
  }

  /**
   * Handles client event `event`. The payload is validated before the handler runs; the handler's
   * return value is the ack; a thrown {@link ChatwireError} reaches the sender as that error, any
   * other throw as `INTERNAL` (and is logged).
   */
  on<E extends ClientEventName<C>>(event: E, handler: Handler<C, E>): this {
    if (!Object.hasOwn(this.contract.clientToServer, event)) {
      throw new TypeError(`"${event}" is not a client → server event of this contract`);
    }
    if (this.handlers.has(event)) throw new TypeError(`"${event}" already has a handler`);
    this.handlers.set(event, handler as unknown as AnyHandler);
    return this;
  }

  /** Runs `middleware` for every connecting socket, after authentication. */
  use(middleware: Middleware<C>): this {
    this.io.use((raw, next) => {
      Promise.resolve()
        .then(() => middleware(this.wrap(raw)))
        .then(
          () => next(),
          (error: unknown) => next(this.connectError(error, 'middleware')),
        );
    });
    return this;
  }

  /** Calls `hook` for each socket that connects; returns a function that removes it. */
  onConnection(hook: (socket: ChatwireSocket<C>) => void | Promise<void>): () => void {
    this.connectionHooks.add(hook);
    return () => this.connectionHooks.delete(hook);
  }

  /**
   * Calls `hook` for each socket that disconnects, with socket.io's reason and the rooms it was in
   * (by then `socket.rooms` is empty); returns a function that removes it.
   */
  onDisconnect(hook: DisconnectHook<C>): () => void {
    this.disconnectHooks.add(hook);
    return () => this.disconnectHooks.delete(hook);
  }

  /** Sends `event` to every connected client. */
  emit<E extends ServerEventName<C>>(event: E, ...args: ServerEmitArgs<C, E>): void {
    this.outgoing.emit(this.io as unknown as RawEmitter, event, args);
  }

  /** Targets the sockets in these rooms (or with these ids). */
  to(room: Room | Room[]): Operator<C> {
    return this.operator().to(room);
  }

  /** Same as {@link ChatwireServer.to}. */
  in(room: Room | Room[]): Operator<C> {
    return this.operator().in(room);
  }

  /** Targets everyone but the sockets in these rooms (or with these ids). */
  except(room: Room | Room[]): Operator<C> {
    return this.operator().except(room);
  }

  /** Everyone, allowing the event to be dropped for clients that are not ready. */
  get volatile(): Operator<C> {
    return this.operator().volatile;
  }

  /** Everyone on this node only. */
  get local(): Operator<C> {
    return this.operator().local;
  }

  /** Everyone, choosing whether to compress. */
  compress(compress: boolean): Operator<C> {
    return this.operator().compress(compress);
  }

  /** The connected socket of this node with this id. */
  socket(id: string): ChatwireSocket<C> | undefined {
    const raw = this.io.sockets.sockets.get(id);
    return raw === undefined ? undefined : this.wrap(raw);
  }

  /** Disconnects every client and closes socket.io and the HTTP server it is attached to. */
  async close(): Promise<void> {
    // Never attached to an HTTP server: socket.io has no engine, and its close() would throw.
    if ((this.io as { engine?: unknown }).engine === undefined) return;
    await new Promise<void>((resolve) => {
      // An HTTP server that was never listening answers with an error: closed is closed.
      this.io.close(() => resolve()).catch(() => resolve());
    });
  }

  private operator(): Operator<C> {
    return new BroadcastOperatorView(this.io.sockets as never, this.outgoing);
  }

  private wrap(raw: TypedIoSocket<C>): ServerSocket<C> {
    let socket = this.sockets.get(raw);
    if (socket === undefined) {
      socket = new ServerSocket(raw, this.outgoing);
      this.sockets.set(raw, socket);
    }
    return socket;
  }

  private async admit(raw: TypedIoSocket<C>, authenticate: ChatwireServerOptions<C>['authenticate']): Promise<void> {
    let auth: unknown;
    if (this.contract.auth !== undefined) {
      const parsed = parsePayload(this.contract.auth, raw.handshake.auth, 'handshake auth');
      if (!parsed.ok) {
        throw new ChatwireError('UNAUTHORIZED', parsed.error.message, { issues: parsed.error.issues });
      }
      auth = parsed.data;
    }
    if (authenticate === undefined) return;
    const data = await authenticate({ auth: auth as AuthOutput<C>, handshake: raw.handshake });
    if (this.contract.socketData !== undefined) {
      const parsed = parsePayload(this.contract.socketData, data, 'socket data from authenticate');
      if (!parsed.ok) throw parsed.error;
      raw.data = parsed.data as SocketDataOf<C>;
    } else {
      raw.data = data;
    }
  }

  private connectError(error: unknown, stage: string): Error & { data: ErrorPayload } {
    const payload = this.toErrorPayload(error, `${stage} failed`, {});
    return Object.assign(new Error(payload.message), { data: payload });
  }

  private connected(raw: TypedIoSocket<C>): void {
    const socket = this.wrap(raw);
    const budget = new ConnectionBudget(this.eventLimits, this.now);
    // Runs for every incoming event before any listener: the budget is charged before validation.
    raw.use(([event, ...args], next) => {
      if (!raw.connected) return;
      const waitMs = budget.chargeEvent();
      if (waitMs > 0) {
        const error = new ChatwireError('RATE_LIMITED', 'Too many events', { retryAfterMs: waitMs });
        return this.reject(socket, budget, event, pickAck(args), error);
      }
      if (typeof event !== 'string' || !Object.hasOwn(this.contract.clientToServer, event)) {
        const error = new ChatwireError('NOT_FOUND', `Unknown event "${echoedEventName(event)}"`);
        return this.reject(socket, budget, event, pickAck(args), error);
      }
      next();
    });
    for (const event of Object.keys(this.contract.clientToServer)) {
      raw.on(
        event as never,
        ((...args: unknown[]) => {
          // Last line of defence: nothing a client sends may end in an unhandled rejection.
          this.dispatch(socket, budget, event, args).catch((error: unknown) =>
            this.logger.error(`chatwire: answering "${event}" failed`, { socketId: raw.id, error }),
          );
        }) as never,
      );
    }
    let rooms: ReadonlySet<Room> = new Set();
    raw.on('disconnecting', () => {
      rooms = new Set(raw.rooms);
    });
    raw.on('disconnect', (reason) => {
      this.logger.debug('chatwire: disconnected', {
        socketId: raw.id,
        reason,
        refused: budget.refused,
        droppedReplies: budget.droppedReplies,
      });
      for (const hook of this.disconnectHooks) this.runHook(() => hook(socket, reason, rooms), 'onDisconnect');
    });
    this.logger.debug('chatwire: connected', { socketId: raw.id });
    for (const hook of this.connectionHooks) this.runHook(() => hook(socket), 'onConnection');
  }

  private runHook(hook: () => void | Promise<void>, name: string): void {
    Promise.resolve()
      .then(hook)
      .catch((error: unknown) => this.logger.error(`chatwire: ${name} hook threw`, { error }));
  }

  private async dispatch(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    event: string,
    args: unknown[],
  ): Promise<void> {
    const ack = pickAck(args);
    const values = ack === undefined ? args : args.slice(0, -1);
    const spec = this.contract.clientToServer[event];
    let payload: unknown;
    if (spec?.payload === undefined) {
      if (values.length !== 0) {
        return this.refuse(socket, budget, event, ack, `Event "${event}" takes no payload`);
      }
    } else {
      if (values.length !== 1) {
        return this.refuse(socket, budget, event, ack, `Event "${event}" takes exactly one payload argument`);
      }
      const parsed = parsePayload(spec.payload, values[0], `payload of "${event}"`);
      if (!parsed.ok) return this.reject(socket, budget, event, ack, parsed.error);
      payload = parsed.data;
    }
    const handler = this.handlers.get(event);
    if (handler === undefined) {
      this.logger.debug('chatwire: event refused', { event, socketId: socket.id, code: 'NOT_FOUND' });
      // The server's gap, not the client's fault: answered, not counted as a refusal.
      return this.reply(socket, budget, event, ack, { code: 'NOT_FOUND', message: `Event "${event}" has no handler` });
    }
    let data: unknown;
    try {
      data = await handler({ payload, socket: socket as unknown as ChatwireSocket<AnyContract> });
    } catch (error) {
      return this.reply(
        socket,
        budget,
        event,
        ack,
        this.toErrorPayload(error, `handler of "${event}" threw`, { socketId: socket.id }),
      );
    }
    if (ack === undefined) return;
    if (this.validateOutgoing && spec?.ack !== undefined) {
      const parsed = parsePayload(spec.ack, data, `ack data of "${event}"`);
      if (!parsed.ok) {
        this.logger.error('chatwire: handler returned invalid ack data', { event, issues: parsed.error.issues });
        return ack({ ok: false, error: { code: 'INTERNAL', message: 'Internal server error' } });
      }
    }
    try {
      ack({ ok: true, data });
    } catch (error) {
      // socket.io could not encode the data (a BigInt, a cycle): the handler's bug, the sender's INTERNAL.
      ack({
        ok: false,
        error: this.toErrorPayload(error, `ack data of "${event}" cannot be sent`, { socketId: socket.id }),
      });
    }
  }

  private refuse(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    event: string,
    ack: Ack | undefined,
    message: string,
  ): void {
    this.reject(socket, budget, event, ack, new ChatwireError('VALIDATION_FAILED', message));
  }

  /** Refuses the client's event; a connection refused past `refusalLimit` is disconnected. */
  private reject(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    event: unknown,
    ack: Ack | undefined,
    error: ChatwireError,
  ): void {
    const name = echoedEventName(event);
    if (budget.refuse()) {
      if (!socket.connected) return;
      this.logger.warn('chatwire: too many refused events, disconnecting', {
        socketId: socket.id,
        refused: budget.refused,
        droppedReplies: budget.droppedReplies,
      });
      const last: ErrorPayload = { code: 'RATE_LIMITED', message: 'Too many refused events: disconnected' };
      (socket.raw as unknown as RawEmitter).emit(ERROR_EVENT, { event: name, ...last });
      socket.raw.disconnect(true);
      return;
    }
    this.logger.debug('chatwire: event refused', {
      event: name,
      socketId: socket.id,
      code: error.code,
      message: error.message,
    });
    this.reply(socket, budget, name, ack, error.toPayload());
  }

  /** Sends an error reply, unless the connection's reply budget is spent (then it is dropped and counted). */
  private reply(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    event: string,
    ack: Ack | undefined,
    error: ErrorPayload,
  ): void {
    if (!budget.allowReply()) return;
    if (ack !== undefined) {
      ack({ ok: false, error });
    } else if (socket.connected) {
      (socket.raw as unknown as RawEmitter).emit(ERROR_EVENT, { event, ...error });
    }
  }

  /** A ChatwireError keeps its code; anything else is logged and hidden behind `INTERNAL`. */
  private toErrorPayload(error: unknown, what: string, meta: Record<string, unknown>): ErrorPayload {
    if (isChatwireError(error)) return error.toPayload();
    this.logger.error(`chatwire: ${what}`, { ...meta, error });
    return { code: 'INTERNAL', message: 'Internal server error' };
  }
}

function pickAck(args: unknown[]): Ack | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Ack) : undefined;
}

/**
 * Makes a typed, validated server over socket.io for `contract`.
 * @example
 * const httpServer = http.createServer();
 * const server = createServer(contract, { httpServer, authenticate: ({ auth }) => ({ user: auth.user }) });
 * httpServer.listen(3000);
 */
export function createServer<C extends AnyContract>(
  contract: C,
  options: ChatwireServerOptions<C> = {},
): ChatwireServer<C> {
  return new ChatwireServer(contract, options);
}
