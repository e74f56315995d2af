import {
  type AckInput,
  type AnyContract,
  type AuthOutput,
  ChatwireError,
  type ClientEvent,
  type ClientEventName,
  type ClientEventSpec,
  ERROR_EVENT,
  type ErrorCode,
  type ErrorPayload,
  isChatwireError,
  type PayloadOutput,
  parsePayload,
  type Result,
  type ServerEventName,
  type SocketDataOf,
} from '@chatwire/protocol';
import { compileContract } from '@chatwire/protocol/compile';
// Classic zod: importing it loads zod's English messages, which the server's refusals carry.
import * as z from 'zod';
import {
  type Answered,
  type ChatwireMetrics,
  type EventProbe,
  eventProbe,
  guarded,
  type SpanTracer,
  UNKNOWN_EVENT,
} from './instrumentation.js';
import {
  ConnectionBudget,
  DEFAULT_ERROR_REPLY_RATE_LIMIT,
  DEFAULT_EVENT_RATE_LIMIT,
  DEFAULT_REFUSAL_LIMIT,
  type EventLimits,
  limitOption,
} from './limits/connection-budget.js';
import { echoedEventName } from './limits/echoed-event-name.js';
import { malformedAuth } from './limits/malformed-auth.js';
import type { RateLimit } from './limits/rate-limiter.js';
import { type Logger, toLogger } from './logger.js';
import { BroadcastOperatorView, type Operator, type Room } from './operator.js';
import { OutgoingEmitter, type RawEmitter, type ServerEmitArgs } from './outgoing.js';
import { type ChatwireSocket, ServerSocket } from './socket.js';
import type { Handshake, TypedIoNamespace, TypedIoSocket } from './types.js';

/**
 * What an event handler receives.
 *
 * @example
 * ```ts
 * server.on('say', ({ payload, socket }: HandlerContext<typeof contract, 'say'>) => {
 *   socket.broadcast.emit('said', { from: socket.data.user, text: payload.text });
 * });
 * ```
 */
export interface HandlerContext<C extends AnyContract, E extends ClientEventName<C>> {
  /** The payload, parsed by the contract's schema (zod output type). */
  payload: PayloadOutput<ClientEvent<C, E>>;
  /** The socket that sent the event. */
  socket: ChatwireSocket<C>;
}

/**
 * Handles one client event; what it returns (or resolves to) is the ack's data.
 *
 * @example
 * ```ts
 * const add: Handler<typeof contract, 'add'> = ({ payload }) => ({ sum: payload.a + payload.b });
 * server.on('add', add);
 * ```
 */
export type Handler<C extends AnyContract, E extends ClientEventName<C>> = (
  context: HandlerContext<C, E>,
) => AckInput<ClientEvent<C, E>> | Promise<AckInput<ClientEvent<C, E>>>;

/**
 * What `authenticate` receives.
 *
 * @example
 * ```ts
 * const authenticate = ({ auth, handshake }: AuthenticateContext<typeof contract>) => ({ user: auth.user, ip: handshake.address });
 * ```
 */
export interface AuthenticateContext<C extends AnyContract> {
  /** The handshake `auth`, parsed by the contract's `auth` schema. */
  auth: AuthOutput<C>;
  handshake: Handshake;
}

/**
 * Runs when a socket has disconnected, with socket.io's reason and the rooms the socket was in.
 *
 * @example
 * ```ts
 * const hook: DisconnectHook<typeof contract> = ({ socket, reason }) => console.log(socket.id, reason);
 * server.onDisconnect(hook);
 * ```
 */
export type DisconnectHook<C extends AnyContract> = (context: DisconnectContext<C>) => void | Promise<void>;

/**
 * What a {@link DisconnectHook} receives.
 *
 * @example
 * ```ts
 * server.onDisconnect(({ rooms }: DisconnectContext<typeof contract>) => {
 *   for (const room of rooms) server.to(room).emit('said', { from: 'server', text: 'Someone left' });
 * });
 * ```
 */
export interface DisconnectContext<C extends AnyContract> {
  socket: ChatwireSocket<C>;
  /** socket.io's reason, e.g. `transport close`, `client namespace disconnect`, `server namespace disconnect`. */
  reason: string;
  /** The rooms the socket was in (by then `socket.rooms` is empty). */
  rooms: ReadonlySet<Room>;
}

/**
 * Runs for each connecting socket after authentication; throw a {@link ChatwireError} to refuse it.
 *
 * @example
 * ```ts
 * const banIps: Middleware<typeof contract> = (socket) => {
 *   if (blocked.has(socket.handshake.address)) throw new ChatwireError('FORBIDDEN', 'Blocked');
 * };
 * server.use(banIps);
 * ```
 */
export type Middleware<C extends AnyContract> = (socket: ChatwireSocket<C>) => void | Promise<void>;

/**
 * What a per-event middleware sees: the event's name, its sender and its parsed payload.
 *
 * @example
 * ```ts
 * server.useEvent(async ({ event, socket }: EventContext<typeof contract>, next) => {
 *   console.log(socket.id, event);
 *   await next();
 * });
 * ```
 */
export type EventContext<C extends AnyContract> = {
  [E in ClientEventName<C>]: {
    /** The event's name. */
    event: E;
    /** The payload, parsed by the contract's schema (zod output type). */
    payload: PayloadOutput<ClientEvent<C, E>>;
    /** The socket that sent the event. */
    socket: ChatwireSocket<C>;
  };
}[ClientEventName<C>];

/**
 * How an event ended, as `next()` resolves it: handled, or answered with an error code; `durationMs` by the namespace's clock.
 *
 * @example
 * ```ts
 * server.useEvent(async ({ event }, next) => {
 *   const outcome: EventOutcome = await next();
 *   histogram.observe({ event, ok: String(outcome.ok) }, outcome.durationMs);
 * });
 * ```
 */
export type EventOutcome = { ok: true; durationMs: number } | { ok: false; code: ErrorCode; durationMs: number };

/**
 * Wraps every valid event: `await next()` runs the later middlewares and the handler and resolves to
 * the outcome (it never rejects); throw a {@link ChatwireError} to refuse the event with that error.
 *
 * @example
 * ```ts
 * const onlyAdminsSecret: EventMiddleware<typeof contract> = async ({ event, socket }, next) => {
 *   if (event === 'secret' && !socket.data.admin) throw new ChatwireError('FORBIDDEN', 'Admins only');
 *   await next();
 * };
 * server.useEvent(onlyAdminsSecret);
 * ```
 */
export type EventMiddleware<C extends AnyContract> = (
  context: EventContext<C>,
  next: () => Promise<EventOutcome>,
) => void | Promise<void>;

/**
 * Options of a namespace ({@link ChatwireServer.of}); limits, clock and logger default to the server's.
 *
 * @example
 * ```ts
 * const options: ChatwireNamespaceOptions<typeof adminContract> = { authenticate: ({ auth }) => checkAdmin(auth.token) };
 * const admin = server.of('/admin', adminContract, options);
 * ```
 */
export interface ChatwireNamespaceOptions<C extends AnyContract> {
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
  /**
   * An event that is not in the contract: `'refuse'` answers it `NOT_FOUND` (and counts it against
   * `refusalLimit`); `'ignore'` leaves it to listeners added on the raw socket.io socket, unanswered.
   * Either way it is charged to `eventRateLimit`.
   * @default 'refuse'
   */
  unknownEvents?: 'refuse' | 'ignore';
  /** Clock of the per-connection budgets and of the `durationMs` of {@link EventOutcome}. @default Date.now */
  now?: () => number;
  /**
   * Where connections, events (by name and outcome) and their latency are reported, e.g.
   * `prometheusMetrics()` from `@chatwire/server/prometheus`. @default undefined (nothing is measured)
   */
  metrics?: ChatwireMetrics;
  /**
   * Makes one span per client event (name `chatwire <event>`, kind server; attributes
   * `chatwire.namespace`, `chatwire.event`, `chatwire.socket_id`, `chatwire.outcome`; status error
   * when the server failed: `INTERNAL`, `UNAVAILABLE`, `TIMEOUT`), active while the handler runs.
   * An OpenTelemetry `Tracer` fits. @default undefined (no spans)
   */
  tracer?: SpanTracer;
}

/** Every namespace option, checked complete by the compiler: what is not passed on to socket.io. */
const NAMESPACE_OPTIONS: Record<keyof ChatwireNamespaceOptions<AnyContract>, true> = {
  authenticate: true,
  logger: true,
  validateOutgoing: true,
  eventRateLimit: true,
  errorReplyRateLimit: true,
  refusalLimit: true,
  unknownEvents: true,
  now: true,
  metrics: true,
  tracer: true,
};

/** `options` without the namespace options: what is left for socket.io. */
export function withoutNamespaceOptions<O extends object>(
  options: O,
): Omit<O, keyof ChatwireNamespaceOptions<AnyContract>> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !Object.hasOwn(NAMESPACE_OPTIONS, key))) as Omit<
    O,
    keyof ChatwireNamespaceOptions<AnyContract>
  >;
}

type AnyHandler = (context: { payload: unknown; socket: ChatwireSocket<AnyContract> }) => unknown;
type Ack = (result: Result<unknown>) => void;

/** One client event of the contract, with what answering it needs, looked up once per event. */
interface Route {
  readonly event: string;
  readonly payload: ClientEventSpec['payload'];
  readonly ack: ClientEventSpec['ack'];
  /** How a refused payload and ack data are named in messages, made once rather than per event. */
  readonly payloadWhat: string;
  readonly ackWhat: string;
  handler: AnyHandler | undefined;
}

type AnyEventMiddleware = (
  context: { event: string; payload: unknown; socket: ChatwireSocket<AnyContract> },
  next: () => Promise<EventOutcome>,
) => void | Promise<void>;

/**
 * One namespace of a server, typed and validated by its own contract: handlers, authentication,
 * middleware, per-connection budgets and addressing (socket.io's `Namespace`).
 * @example
 * const admin = server.of('/admin', adminContract, { authenticate: ({ auth }) => ({ role: check(auth.token) }) });
 * admin.on('kick', ({ payload }) => chat.disconnectUser(payload.userId));
 */
export class ChatwireNamespace<C extends AnyContract> {
  /** The socket.io namespace underneath, typed by the contract (escape hatch). */
  readonly raw: TypedIoNamespace<C>;
  /** The namespace's path, e.g. `/` or `/admin`. */
  readonly name: string;
  protected readonly contract: C;
  protected readonly logger: Logger;
  private readonly outgoing: OutgoingEmitter<C>;
  private readonly validateOutgoing: boolean;
  /** The contract's client events, by name. */
  private readonly routes = new Map<string, Route>();
  private readonly eventMiddlewares: AnyEventMiddleware[] = [];
  private readonly sockets = new WeakMap<TypedIoSocket<C>, ServerSocket<C>>();
  private readonly connectionHooks = new Set<(socket: ChatwireSocket<C>) => void | Promise<void>>();
  private readonly disconnectHooks = new Set<DisconnectHook<C>>();
  private readonly eventLimits: EventLimits;
  private readonly unknownEvents: 'refuse' | 'ignore';
  private readonly now: () => number;
  private readonly metrics: ChatwireMetrics | undefined;
  private readonly probe: EventProbe | undefined;

  constructor(raw: TypedIoNamespace<C>, contract: C, options: ChatwireNamespaceOptions<C> = {}) {
    const {
      authenticate,
      logger,
      validateOutgoing,
      eventRateLimit,
      errorReplyRateLimit,
      refusalLimit,
      unknownEvents,
      now,
      metrics,
      tracer,
    } = options;
    this.raw = raw;
    this.name = raw.name;
    this.contract = compileContract(contract);
    this.logger = toLogger(logger);
    this.validateOutgoing = validateOutgoing ?? process.env.NODE_ENV !== 'production';
    this.outgoing = new OutgoingEmitter(this.contract, this.validateOutgoing);
    this.now = now ?? Date.now;
    this.unknownEvents = unknownEvents ?? 'refuse';
    this.metrics = metrics;
    this.probe = eventProbe(raw.name, metrics, tracer, this.now, this.logger);
    this.eventLimits = {
      events: limitOption(eventRateLimit, DEFAULT_EVENT_RATE_LIMIT),
      errorReplies: limitOption(errorReplyRateLimit, DEFAULT_ERROR_REPLY_RATE_LIMIT),
      refusals: limitOption(refusalLimit, DEFAULT_REFUSAL_LIMIT),
    };
    for (const [event, spec] of Object.entries(this.contract.clientToServer as Record<string, ClientEventSpec>)) {
      this.routes.set(event, {
        event,
        payload: spec.payload,
        ack: spec.ack,
        payloadWhat: `payload of "${event}"`,
        ackWhat: `ack data of "${event}"`,
        handler: undefined,
      });
    }
    if (
      authenticate === undefined &&
      contract.socketData !== undefined &&
      !z.safeParse(contract.socketData, {}).success
    ) {
      // Without authenticate, socket.data starts as {}: the contract's type would be a lie.
      throw new TypeError(
        `namespace "${raw.name}": the contract declares socketData that {} does not satisfy; give authenticate`,
      );
    }
    raw.use((socket, next) => {
      this.admit(socket, authenticate).then(
        () => next(),
        (error: unknown) => next(this.connectError(error, 'authenticate')),
      );
    });
    raw.on('connection', (socket) => this.connected(socket));
  }

  /**
   * Handles client event `event`. The payload is validated before the handler runs; the handler's
   * return value is the ack; a thrown {@link ChatwireError} reaches the sender as that error, any
   * other throw as `INTERNAL` (and is logged).
   */
  on<E extends ClientEventName<C>>(event: E, handler: Handler<C, E>): this {
    const route = this.routes.get(event);
    if (route === undefined) throw new TypeError(`"${event}" is not a client → server event of this contract`);
    if (route.handler !== undefined) throw new TypeError(`"${event}" already has a handler`);
    route.handler = handler as unknown as AnyHandler;
    return this;
  }

  /** Runs `middleware` for every connecting socket, after authentication. */
  use(middleware: Middleware<C>): this {
    this.raw.use((raw, next) => {
      Promise.resolve()
        .then(() => middleware(this.wrap(raw)))
        .then(
          () => next(),
          (error: unknown) => next(this.connectError(error, 'middleware')),
        );
    });
    return this;
  }

  /**
   * Wraps every event that passed validation, in registration order (the first registered is the
   * outermost): for request logs, metrics, tracing or per-event checks.
   * @example
   * server.useEvent(async ({ event, socket }, next) => {
   *   const outcome = await next();
   *   logger.info(event, { socketId: socket.id, ...outcome });
   * });
   */
  useEvent(middleware: EventMiddleware<C>): this {
    this.eventMiddlewares.push(middleware as unknown as AnyEventMiddleware);
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
    this.outgoing.emit(this.raw as unknown as RawEmitter, event, args);
  }

  /** Targets the sockets in these rooms (or with these ids). */
  to(room: Room | Room[]): Operator<C> {
    return this.operator().to(room);
  }

  /** Same as {@link ChatwireNamespace.to}. */
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
    const raw = this.raw.sockets.get(id);
    return raw === undefined ? undefined : this.wrap(raw);
  }

  private operator(): Operator<C> {
    return new BroadcastOperatorView(this.raw as never, this.outgoing);
  }

  private wrap(raw: TypedIoSocket<C>): ServerSocket<C> {
    let socket = this.sockets.get(raw);
    if (socket === undefined) {
      socket = new ServerSocket(raw, this.outgoing);
      this.sockets.set(raw, socket);
    }
    return socket;
  }

  private async admit(raw: TypedIoSocket<C>, authenticate: ChatwireNamespaceOptions<C>['authenticate']): Promise<void> {
    const malformed = malformedAuth(raw.handshake.auth);
    if (malformed !== undefined) {
      throw new ChatwireError('UNAUTHORIZED', `The handshake auth must be a JSON object, not ${malformed}`);
    }
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
    // It answers the contract's events itself: a listener per event would cost every socket a
    // closure and a slot in its listener table, and none may hear them but this namespace.
    raw.use((packet, next) => {
      if (!raw.connected) return;
      const event = packet[0];
      const waitMs = budget.chargeEvent();
      if (waitMs > 0) {
        const error = new ChatwireError('RATE_LIMITED', 'Too many events', { retryAfterMs: waitMs });
        return this.observed(socket, this.eventLabel(event), () =>
          this.reject(socket, budget, event, pickAck(packet), error),
        );
      }
      const route = typeof event === 'string' ? this.routes.get(event) : undefined;
      if (route === undefined) {
        if (this.unknownEvents === 'ignore') return next();
        const error = new ChatwireError('NOT_FOUND', `Unknown event "${echoedEventName(event)}"`);
        return this.observed(socket, UNKNOWN_EVENT, () => this.reject(socket, budget, event, pickAck(packet), error));
      }
      this.answer(socket, budget, route, packet.slice(1));
    });
    // One listener, not two: socket.io emits `disconnect` in this same tick, after the socket has left
    // its rooms, so the hooks (queued) run once it has. The rooms are the ones it was in.
    raw.on('disconnecting', (reason) => {
      const rooms: ReadonlySet<Room> = new Set(raw.rooms);
      this.logger.debug('chatwire: disconnected', {
        socketId: raw.id,
        reason,
        refused: budget.refused,
        droppedReplies: budget.droppedReplies,
      });
      for (const hook of this.disconnectHooks) this.runHook(() => hook({ socket, reason, rooms }), 'onDisconnect');
      this.countConnection(false);
    });
    this.logger.debug('chatwire: connected', { socketId: raw.id });
    this.countConnection(true);
    for (const hook of this.connectionHooks) this.runHook(() => hook(socket), 'onConnection');
  }

  /** Runs `answer` within the event's metrics and span, if any; it resolves to the error code answered. */
  private observed<R extends Answered | Promise<Answered>>(socket: ServerSocket<C>, event: string, answer: () => R): R {
    return this.probe === undefined ? answer() : this.probe(socket.id, event, answer);
  }

  /** The event's name as a metrics label: a name of the contract, or `unknown`. */
  private eventLabel(event: unknown): string {
    return typeof event === 'string' && this.routes.has(event) ? event : UNKNOWN_EVENT;
  }

  private countConnection(opened: boolean): void {
    const metrics = this.metrics;
    if (metrics === undefined) return;
    guarded(this.logger, 'connection', () =>
      opened ? metrics.connectionOpened(this.name) : metrics.connectionClosed(this.name),
    );
  }

  private runHook(hook: () => void | Promise<void>, name: string): void {
    Promise.resolve()
      .then(hook)
      .catch((error: unknown) => this.logger.error(`chatwire: ${name} hook threw`, { error }));
  }

  /** Answers one contract event: within its metrics and span, if any, and never an unhandled rejection. */
  private answer(socket: ServerSocket<C>, budget: ConnectionBudget, route: Route, args: unknown[]): void {
    const answered =
      this.probe === undefined
        ? this.dispatch(socket, budget, route, args)
        : this.probe(socket.id, route.event, () => this.dispatch(socket, budget, route, args));
    // Last line of defence: nothing a client sends may end in an unhandled rejection.
    if (answered instanceof Promise) {
      answered.catch((error: unknown) =>
        this.logger.error(`chatwire: answering "${route.event}" failed`, { socketId: socket.id, error }),
      );
    }
  }

  /**
   * Validates, handles and answers one event: synchronously while the handler is (and no event
   * middleware wraps it), so a sync handler's ack leaves at once. What throws unexpectedly rejects.
   */
  private dispatch(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    route: Route,
    args: unknown[],
  ): Answered | Promise<Answered> {
    try {
      const ack = pickAck(args);
      const count = ack === undefined ? args.length : args.length - 1;
      const { event } = route;
      let payload: unknown;
      if (route.payload === undefined) {
        if (count !== 0) return this.refuse(socket, budget, event, ack, `Event "${event}" takes no payload`);
      } else {
        if (count !== 1) {
          return this.refuse(socket, budget, event, ack, `Event "${event}" takes exactly one payload argument`);
        }
        const parsed = parsePayload(route.payload, args[0], route.payloadWhat);
        if (!parsed.ok) return this.reject(socket, budget, event, ack, parsed.error);
        payload = parsed.data;
      }
      if (this.eventMiddlewares.length > 0) return this.dispatchWrapped(socket, budget, route, ack, payload);
      let data: unknown;
      try {
        data = this.callHandler(route, payload, socket);
      } catch (error) {
        return this.handlerFailed(socket, budget, route, ack, error);
      }
      if (!isThenable(data)) return this.answerData(socket, budget, route, ack, data);
      return Promise.resolve(data).then(
        (resolved) => this.answerData(socket, budget, route, ack, resolved),
        (error: unknown) => this.handlerFailed(socket, budget, route, ack, error),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** {@link dispatch} past validation, with event middleware around the handler. */
  private async dispatchWrapped(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    route: Route,
    ack: Ack | undefined,
    payload: unknown,
  ): Promise<Answered> {
    let data: unknown;
    const handle = async (): Promise<void> => {
      data = await this.callHandler(route, payload, socket);
      if (!this.ackValid(route, ack, data)) throw internalError();
    };
    const context = { event: route.event, payload, socket: socket as unknown as ChatwireSocket<AnyContract> };
    try {
      await this.wrapEvent(0, context, handle);
    } catch (error) {
      return this.handlerFailed(socket, budget, route, ack, error);
    }
    return this.sendData(socket, route, ack, data);
  }

  private callHandler(route: Route, payload: unknown, socket: ServerSocket<C>): unknown {
    const { handler } = route;
    // The server's gap, not the client's fault: answered, not counted as a refusal.
    if (handler === undefined) throw new ChatwireError('NOT_FOUND', `Event "${route.event}" has no handler`);
    return handler({ payload, socket: socket as unknown as ChatwireSocket<AnyContract> });
  }

  /** The handler's data checked as the ack (`validateOutgoing`), then sent. */
  private answerData(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    route: Route,
    ack: Ack | undefined,
    data: unknown,
  ): Answered {
    if (this.ackValid(route, ack, data)) return this.sendData(socket, route, ack, data);
    return this.reply(socket, budget, route.event, ack, internalError().toPayload());
  }

  /** False (and logged) when outgoing validation is on and `data` breaks the ack schema. */
  private ackValid(route: Route, ack: Ack | undefined, data: unknown): boolean {
    if (ack === undefined || !this.validateOutgoing || route.ack === undefined) return true;
    const parsed = parsePayload(route.ack, data, route.ackWhat);
    if (parsed.ok) return true;
    this.logger.error('chatwire: handler returned invalid ack data', {
      event: route.event,
      issues: parsed.error.issues,
    });
    return false;
  }

  private handlerFailed(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    route: Route,
    ack: Ack | undefined,
    error: unknown,
  ): Answered {
    const payload = this.toErrorPayload(error, `handler of "${route.event}" threw`, { socketId: socket.id });
    return this.reply(socket, budget, route.event, ack, payload);
  }

  private sendData(socket: ServerSocket<C>, route: Route, ack: Ack | undefined, data: unknown): Answered {
    if (ack === undefined) return undefined;
    try {
      ack({ ok: true, data });
      return undefined;
    } catch (error) {
      // socket.io could not encode the data (a BigInt, a cycle): the handler's bug, the sender's INTERNAL.
      const payload = this.toErrorPayload(error, `ack data of "${route.event}" cannot be sent`, {
        socketId: socket.id,
      });
      ack({ ok: false, error: payload });
      return payload.code;
    }
  }

  /** Runs event middleware `index` around the rest of the chain; rejects with what refused the event. */
  private async wrapEvent(
    index: number,
    context: Parameters<AnyEventMiddleware>[0],
    handle: () => Promise<void>,
  ): Promise<void> {
    const middleware = this.eventMiddlewares[index];
    if (middleware === undefined) return handle();
    let inner: Promise<EventOutcome> | undefined;
    let failure: unknown;
    const next = (): Promise<EventOutcome> => {
      inner ??= (async () => {
        const start = this.now();
        try {
          await this.wrapEvent(index + 1, context, handle);
          return { ok: true, durationMs: this.now() - start };
        } catch (error) {
          failure = error;
          const code = isChatwireError(error) ? error.code : 'INTERNAL';
          return { ok: false, code, durationMs: this.now() - start };
        }
      })();
      return inner;
    };
    await middleware(context, next);
    if (inner === undefined) throw new Error(`an event middleware returned without calling next()`);
    if (!(await inner).ok) throw failure;
  }

  private refuse(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    event: string,
    ack: Ack | undefined,
    message: string,
  ): Answered {
    return this.reject(socket, budget, event, ack, new ChatwireError('VALIDATION_FAILED', message));
  }

  /** Refuses the client's event (returns its code); a connection refused past `refusalLimit` is disconnected. */
  private reject(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    event: unknown,
    ack: Ack | undefined,
    error: ChatwireError,
  ): Answered {
    const name = echoedEventName(event);
    if (budget.refuse()) {
      if (!socket.connected) return error.code;
      this.logger.warn('chatwire: too many refused events, disconnecting', {
        socketId: socket.id,
        refused: budget.refused,
        droppedReplies: budget.droppedReplies,
      });
      const last: ErrorPayload = { code: 'RATE_LIMITED', message: 'Too many refused events: disconnected' };
      (socket.raw as unknown as RawEmitter).emit(ERROR_EVENT, { event: name, ...last });
      socket.raw.disconnect(true);
      return last.code;
    }
    this.logger.debug('chatwire: event refused', {
      event: name,
      socketId: socket.id,
      code: error.code,
      message: error.message,
    });
    return this.reply(socket, budget, name, ack, error.toPayload());
  }

  /** Sends an error reply (returns its code), unless the connection's reply budget is spent (then it is dropped and counted). */
  private reply(
    socket: ServerSocket<C>,
    budget: ConnectionBudget,
    event: string,
    ack: Ack | undefined,
    error: ErrorPayload,
  ): Answered {
    if (!budget.allowReply()) return error.code;
    if (ack !== undefined) {
      ack({ ok: false, error });
    } else if (socket.connected) {
      (socket.raw as unknown as RawEmitter).emit(ERROR_EVENT, { event, ...error });
    }
    return error.code;
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

/** What `await` would wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** What the sender gets for the server's own failure; the details stay in the log. */
function internalError(): ChatwireError {
  return new ChatwireError('INTERNAL', 'Internal server error');
}
