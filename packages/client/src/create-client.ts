import {
  type AckInput,
  type AckOutput,
  type AnyContract,
  type AuthInput,
  ChatwireError,
  type ClientEvent,
  type EmitEventName,
  ERROR_EVENT,
  type ErrorEventPayload,
  errorEventSchema,
  errorPayloadSchema,
  isChatwireError,
  isRetryable,
  type PayloadArgs,
  type PayloadOutput,
  parsePayload,
  type RequestEventName,
  type Result,
  type ServerEmitEventName,
  type ServerEvent,
  type ServerEventSpec,
  type ServerRequestEventName,
} from '@chatwire/protocol';
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { backoffDelayMs } from './backoff.js';
import { callListeners, type ListenerErrorHandler, reportListenerError, rethrowLater } from './emitter.js';
import type { TypedClientSocket } from './types.js';

/**
 * Where the connection stands: `connecting` (first attempt), `connected`, `reconnecting` (lost;
 * refused for a passing reason, e.g. `RATE_LIMITED` past the connection cap or `UNAVAILABLE`; or
 * dropped by the server because the credentials expired or too many events were refused: the client
 * retries after a backoff, asking a function `auth` again), `disconnected` (given up or refused for
 * good, see the error), `closed` (by `close()`).
 *
 * @example
 * ```ts
 * client.onStatus((status: ConnectionStatus) => {
 *   banner.hidden = status === 'connected';
 * });
 * ```
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed';

/**
 * A server event or ack the client refused because it broke the contract.
 *
 * @example
 * ```ts
 * const client = createClient(contract, url, {
 *   onInvalid: ({ event, error }: InvalidMessage) => console.warn(`server sent a bad "${event}"`, error.issues),
 * });
 * ```
 */
export interface InvalidMessage {
  event: string;
  payload: unknown;
  error: ChatwireError;
}

/**
 * Options of `request`.
 *
 * @example
 * ```ts
 * const result = await client.request('add', { a: 1, b: 2 }, { timeoutMs: 2000 } satisfies RequestOptions);
 * ```
 */
export interface RequestOptions {
  /** How long to wait for the ack. @default the client's `requestTimeoutMs` */
  timeoutMs?: number;
}

/**
 * Options of {@link createClient}; any other socket.io-client option is passed through.
 *
 * @example
 * ```ts
 * const options: ChatwireClientOptions<typeof contract> = {
 *   auth: () => ({ user: currentUser() }),
 *   requestTimeoutMs: 5000,
 *   transports: ['websocket'],
 * };
 * const client = createClient(contract, 'https://api.example.com', options);
 * ```
 */
export interface ChatwireClientOptions<C extends AnyContract>
  extends Omit<Partial<ManagerOptions & SocketOptions>, 'auth'> {
  /**
   * The handshake `auth` (checked by the contract), or a function that makes it at each connect:
   * give a function when credentials expire (tokens), so that each reconnect gets fresh ones.
   */
  auth?: AuthInput<C> | (() => AuthInput<C> | Promise<AuthInput<C>>);
  /**
   * Connect at once. With false the status starts `disconnected` and nothing is sent until
   * `connect()`: emits and requests made meanwhile wait in socket.io's buffer (a request until its
   * timeout).
   * @default true
   */
  autoConnect?: boolean;
  /** socket.io's first wait before reconnecting; it doubles per failed attempt. @default 1000 */
  reconnectionDelay?: number;
  /**
   * The longest wait between reconnect attempts: long enough that a restarted server is not hit by
   * every client at once. socket.io's own default is 5000.
   * @default 10000
   */
  reconnectionDelayMax?: number;
  /** Each reconnect wait is randomized by ± this fraction, so that clients spread out. @default 0.5 */
  randomizationFactor?: number;
  /**
   * Random numbers in [0, 1) for the full jitter of the reconnects the client makes itself (after a
   * refusal at the handshake or the server's disconnect; for tests). @default Math.random
   */
  random?: () => number;
  /**
   * Called when one of your listeners (`on`, `onError`, `onStatus`; event `status` for the latter)
   * throws. The error never stops the other listeners nor the client's own work (reconnects).
   * @default rethrown asynchronously, as an uncaught error (the browser console, Node's `uncaughtException`)
   */
  onError?: ListenerErrorHandler;
  /** How long `request` waits for an ack before answering `TIMEOUT`. @default 10000 */
  requestTimeoutMs?: number;
  /** Called for each server event or ack that breaks the contract (it never reaches a listener). */
  onInvalid?: (message: InvalidMessage) => void;
}

/**
 * The arguments of `request`: the payload (if the event has one), then options.
 *
 * @example
 * ```ts
 * const args: RequestArgs<ClientEvent<typeof contract, 'add'>> = [{ a: 1, b: 2 }, { timeoutMs: 2000 }];
 * const result = await client.request('add', ...args);
 * ```
 */
export type RequestArgs<Spec> = [...PayloadArgs<Spec>, options?: RequestOptions];

/**
 * Answers a server request (`socket.request` on the server): returns the ack data, sync or async, or
 * throws a {@link ChatwireError} to answer with its code.
 *
 * @example
 * ```ts
 * const confirm: RequestHandler<ServerEvent<typeof contract, 'confirm'>> = async ({ text }) => ({ yes: window.confirm(text) });
 * client.handle('confirm', confirm);
 * ```
 */
export type RequestHandler<Spec> = (payload: PayloadOutput<Spec>) => AckInput<Spec> | Promise<AckInput<Spec>>;

type Listener = (payload: unknown) => void;
type AnyRequestHandler = (payload: unknown) => unknown;
type Ack = (result: Result<unknown>) => void;
/** Resolves a pending request (its promise's `resolve`). */
type Settle = (result: Result<never>) => void;
type StatusListener = (status: ConnectionStatus, error: ChatwireError | undefined) => void;
type ConnectError = Error & { data?: unknown };

/** @default 10000 */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * A typed, validated client over socket.io-client for one contract. A subclass may add members of
 * any name not starting with `_` (those are the package's own).
 * @example
 * const client = createClient(contract, 'http://localhost:3000');
 * const result = await client.request('history', { limit: 20 });
 * if (result.ok) render(result.data);
 */
export class ChatwireClient<C extends AnyContract> {
  /** The socket.io-client socket underneath, typed by the contract (escape hatch). */
  readonly raw: TypedClientSocket<C>;
  private readonly contract_: C;
  private readonly requestTimeoutMs_: number;
  private readonly onInvalid_: ((message: InvalidMessage) => void) | undefined;
  private readonly onListenerError_: ListenerErrorHandler;
  private readonly random_: () => number;
  private readonly listeners_ = new Map<string, Set<Listener>>();
  private readonly handlers_ = new Map<string, AnyRequestHandler>();
  private readonly errorListeners_ = new Set<(error: ErrorEventPayload) => void>();
  private readonly statusListeners_ = new Set<StatusListener>();
  private readonly pending_ = new Set<Settle>();
  private currentStatus_: ConnectionStatus;
  private lastError_: ChatwireError | undefined;
  private everConnected_ = false;
  /** The server's last `chatwire:error` while no other event came after it: the reason of a disconnect that follows. */
  private lastNotice_: ErrorEventPayload | undefined;
  /** Reconnects the client made itself since the last connect: the next wait grows with them. */
  private retries_ = 0;
  /** Disconnects for too many refused events in the client's life: never forgotten, so a client kicked again waits longer. */
  private kicks_ = 0;
  private reconnectTimer_: ReturnType<typeof setTimeout> | undefined;

  constructor(contract: C, url: string, options: ChatwireClientOptions<C> = {}) {
    const { auth, requestTimeoutMs, onInvalid, random, onError, ...ioOptions } = options;
    this.contract_ = contract;
    this.requestTimeoutMs_ = requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.onInvalid_ = onInvalid;
    this.onListenerError_ = onError ?? rethrowLater;
    this.random_ = random ?? Math.random;
    const socketOptions: Partial<ManagerOptions & SocketOptions> = {
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
      ...ioOptions,
    };
    if (auth !== undefined) {
      socketOptions.auth = (send: (data: object) => void) => {
        Promise.resolve(typeof auth === 'function' ? (auth as () => unknown)() : auth).then(
          (value) => send(value as object),
          () => send({}),
        );
      };
    }
    this.raw = io(url, socketOptions) as TypedClientSocket<C>;
    this.currentStatus_ = ioOptions.autoConnect === false ? 'disconnected' : 'connecting';
    this.watchConnection_();
    this.answerServerRequests_();
  }

  /** The socket id while connected. */
  get id(): string | undefined {
    return this.raw.id;
  }

  /** Where the connection stands. */
  get status(): ConnectionStatus {
    return this.currentStatus_;
  }

  /** Why the connection was last refused or lost, if the server said so. */
  get error(): ChatwireError | undefined {
    return this.lastError_;
  }

  /**
   * Sends an event that has no ack, without waiting (an event with an ack goes through `request`).
   * Never throws: a call that breaks the contract sends nothing and answers `{ ok: false, error }`
   * (`VALIDATION_FAILED` for an invalid payload or an event with an ack, `NOT_FOUND` for an event the
   * contract lacks), also told to the
   * {@link ChatwireClient.onError} listeners, where the server's refusals of sent events arrive.
   */
  emit<E extends EmitEventName<C>>(event: E, ...args: PayloadArgs<ClientEvent<C, E>>): Result<void> {
    const error =
      this.contract_.clientToServer[event]?.ack === undefined
        ? this.checkOutgoing_(event, args)
        : new ChatwireError('VALIDATION_FAILED', `"${event}" is answered with an ack: send it with request`);
    if (error !== undefined) {
      const payload = error.toPayload();
      callListeners(this.errorListeners_, [{ event, ...payload }], ERROR_EVENT, this.onListenerError_);
      return { ok: false, error: payload };
    }
    (this.raw as unknown as { emit(event: string, ...args: unknown[]): void }).emit(event, ...args);
    return { ok: true, data: undefined };
  }

  /**
   * Sends an event and resolves with its result envelope. Never rejects and never hangs: an invalid
   * payload answers `VALIDATION_FAILED`, no ack in time `TIMEOUT`, a lost connection `DISCONNECTED`.
   * A request made while offline waits in socket.io's buffer for the reconnect (or the timeout).
   */
  request<E extends RequestEventName<C>>(
    event: E,
    ...args: RequestArgs<ClientEvent<C, E>>
  ): Promise<Result<AckOutput<ClientEvent<C, E>>>> {
    const spec = this.contract_.clientToServer[event];
    const hasPayload = spec?.payload !== undefined;
    const options = (hasPayload ? args[1] : args[0]) as RequestOptions | undefined;
    const error = this.checkOutgoing_(event, hasPayload ? args : NO_ARGS);
    if (error !== undefined) return Promise.resolve({ ok: false, error: error.toPayload() });
    if (this.currentStatus_ === 'closed') return Promise.resolve(failure('DISCONNECTED', 'The client is closed'));
    return new Promise((resolve) => {
      const settle = resolve as Settle;
      this.pending_.add(settle);
      const answered = this.onAnswer_(event, spec?.ack, settle);
      const timed = this.raw.timeout(options?.timeoutMs ?? this.requestTimeoutMs_) as unknown as {
        emit(event: string, ...args: unknown[]): void;
      };
      if (hasPayload && args.length > 0) timed.emit(event, args[0], answered);
      else timed.emit(event, answered);
    });
  }

  /** The ack callback of a request: its result, read off the answer (or the timeout), settles it once. */
  private onAnswer_(
    event: string,
    ackSchema: ZodLike | undefined,
    settle: Settle,
  ): (error: Error | null, response: unknown) => void {
    return (error, response) => {
      const result = error
        ? this.raw.connected
          ? failure('TIMEOUT', `No answer to "${event}" in time`)
          : failure('DISCONNECTED', `The connection was lost before "${event}" was answered`)
        : this.parseResult_(event, ackSchema, response);
      if (this.pending_.delete(settle)) settle(result);
    };
  }

  /** Calls `listener` with each valid `event` from the server; returns a function that removes it. */
  on<E extends ServerEmitEventName<C>>(
    event: E,
    listener: (payload: PayloadOutput<ServerEvent<C, E>>) => void,
  ): () => void {
    let set = this.listeners_.get(event);
    if (set === undefined) {
      const listeners = new Set<Listener>();
      set = listeners;
      this.listeners_.set(event, listeners);
      const spec = this.contract_.serverToClient[event];
      (this.raw as unknown as { on(event: string, fn: (...args: unknown[]) => void): void }).on(
        event,
        (...args: unknown[]) => {
          const payload = this.parseIncoming_(event, spec?.payload, args);
          if (payload === invalid) return;
          callListeners(listeners, [payload], event, this.onListenerError_);
        },
      );
    }
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
    };
  }

  /**
   * Answers the server's requests for `event` (an event with an ack) with `handler`'s return value,
   * checked by the ack schema before it leaves. The payload is checked first (invalid: the server gets
   * `VALIDATION_FAILED` and `onInvalid` is told); a thrown {@link ChatwireError} answers its code, any
   * other throw `INTERNAL`; an invalid answer is refused with `VALIDATION_FAILED` (both go to `onError`
   * too). A request with no handler is answered `NOT_FOUND`. One handler per event; returns a function
   * that removes it.
   * @example
   * client.handle('confirm', async ({ text }) => ({ yes: window.confirm(text) }));
   */
  handle<E extends ServerRequestEventName<C>>(event: E, handler: RequestHandler<ServerEvent<C, E>>): () => void {
    if (this.contract_.serverToClient[event]?.ack === undefined) {
      throw new TypeError(`"${event}" is not a server → client event with an ack in this contract`);
    }
    if (this.handlers_.has(event)) throw new Error(`"${event}" already has a handler`);
    const anyHandler = handler as AnyRequestHandler;
    this.handlers_.set(event, anyHandler);
    return () => {
      if (this.handlers_.get(event) === anyHandler) this.handlers_.delete(event);
    };
  }

  /** Listens to every server event with an ack, so that none is left unanswered. */
  private answerServerRequests_(): void {
    for (const [event, spec] of Object.entries(this.contract_.serverToClient as Record<string, ServerEventSpec>)) {
      if (spec.ack === undefined) continue;
      (this.raw as unknown as { on(event: string, fn: (...args: unknown[]) => void): void }).on(
        event,
        (...args: unknown[]) => {
          const ack = args.at(-1);
          if (typeof ack !== 'function') {
            this.invalid_(
              event,
              args,
              new ChatwireError('VALIDATION_FAILED', `Server request "${event}" came without an ack`),
            );
            return;
          }
          void this.answerServerRequest_(event, spec, args.slice(0, -1), ack as Ack);
        },
      );
    }
  }

  private async answerServerRequest_(event: string, spec: ServerEventSpec, args: unknown[], ack: Ack): Promise<void> {
    const handler = this.handlers_.get(event);
    if (handler === undefined) {
      ack({ ok: false, error: { code: 'NOT_FOUND', message: `No handler for "${event}" on this client` } });
      return;
    }
    const payload = this.parseRequestPayload_(event, spec, args);
    if (!payload.ok) {
      this.invalid_(event, args, payload.error);
      ack({ ok: false, error: payload.error.toPayload() });
      return;
    }
    let data: unknown;
    try {
      data = await handler(payload.data);
    } catch (error) {
      if (isChatwireError(error)) {
        ack({ ok: false, error: error.toPayload() });
        return;
      }
      reportListenerError(this.onListenerError_, error, event);
      ack({ ok: false, error: { code: 'INTERNAL', message: `The handler of "${event}" failed` } });
      return;
    }
    const parsed = parsePayload(spec.ack as ZodLike, data, `answer to "${event}"`);
    if (!parsed.ok) {
      reportListenerError(this.onListenerError_, parsed.error, event);
      ack({ ok: false, error: parsed.error.toPayload() });
      return;
    }
    ack({ ok: true, data });
  }

  private parseRequestPayload_(event: string, spec: ServerEventSpec, args: unknown[]) {
    if (spec.payload === undefined) {
      return args.length === 0
        ? { ok: true as const, data: undefined }
        : {
            ok: false as const,
            error: new ChatwireError('VALIDATION_FAILED', `Server request "${event}" takes no payload`),
          };
    }
    if (args.length !== 1) {
      return {
        ok: false as const,
        error: new ChatwireError('VALIDATION_FAILED', `Server request "${event}" takes one payload`),
      };
    }
    return parsePayload(spec.payload, args[0], `payload of server request "${event}"`);
  }

  /**
   * Calls `listener` when an event without an ack is refused: by the server (`chatwire:error`), or
   * by `emit` itself before sending.
   */
  onError(listener: (error: ErrorEventPayload) => void): () => void {
    this.errorListeners_.add(listener);
    return () => {
      this.errorListeners_.delete(listener);
    };
  }

  /** Calls `listener` at each status change, with the server's reason when it refused or dropped us. */
  onStatus(listener: StatusListener): () => void {
    this.statusListeners_.add(listener);
    return () => {
      this.statusListeners_.delete(listener);
    };
  }

  /** Connects (when made with `autoConnect: false`, or after `disconnect()` by the server). */
  connect(): void {
    if (this.currentStatus_ === 'connected') return;
    clearTimeout(this.reconnectTimer_);
    this.setStatus_(this.everConnected_ ? 'reconnecting' : 'connecting', undefined);
    this.raw.connect();
  }

  /** Closes the connection for good; pending requests answer `DISCONNECTED`. */
  close(): void {
    clearTimeout(this.reconnectTimer_);
    this.setStatus_('closed', undefined);
    this.raw.disconnect();
    const pending = [...this.pending_];
    this.pending_.clear();
    for (const settle of pending) settle(failure('DISCONNECTED', 'The client was closed'));
  }

  private watchConnection_(): void {
    this.raw.on('connect', () => {
      this.everConnected_ = true;
      this.lastNotice_ = undefined;
      this.retries_ = 0;
      this.setStatus_('connected', undefined);
    });
    this.raw.on('disconnect', (reason) => {
      const notice = this.lastNotice_;
      this.lastNotice_ = undefined;
      if (this.currentStatus_ === 'closed') return;
      const byServer = reason === 'io server disconnect';
      if (byServer && notice !== undefined) {
        const error = ChatwireError.fromPayload(notice);
        // Sent just before the server drops us because our credentials expired: reconnect with fresh ones.
        if (notice.event === 'connect' && notice.code === 'UNAUTHORIZED')
          return this.reconnectLater_(error, this.retries_++);
        // Too many refused events (`RATE_LIMITED`): come back, but later each time.
        if (isRetryable(notice)) return this.reconnectLater_(error, this.kicks_++, notice.retryAfterMs);
      }
      const error = byServer ? new ChatwireError('DISCONNECTED', 'The server closed the connection') : undefined;
      this.setStatus_(byServer || !this.willRetry_() ? 'disconnected' : 'reconnecting', error);
    });
    this.raw.on('connect_error', (raw: ConnectError) => {
      if (this.currentStatus_ === 'closed') return;
      const parsed = errorPayloadSchema.safeParse(raw.data);
      // socket.io's answer to a namespace the server does not serve; final, as the socket is destroyed.
      if (!parsed.success && raw.message === 'Invalid namespace') {
        const error = new ChatwireError('NOT_FOUND', 'The server has no such namespace', { cause: raw });
        this.setStatus_('disconnected', error);
        return;
      }
      if (!parsed.success) {
        const error = new ChatwireError('DISCONNECTED', raw.message, { cause: raw });
        this.setStatus_(this.willRetry_() ? 'reconnecting' : 'disconnected', error);
        return;
      }
      const error = ChatwireError.fromPayload(parsed.data, raw);
      // Refused by the server for a passing reason (connection cap, a dependency down): socket.io
      // itself would not try again.
      if (!this.raw.active && isRetryable(parsed.data)) {
        this.reconnectLater_(error, this.retries_++, parsed.data.retryAfterMs);
        return;
      }
      this.setStatus_(this.willRetry_() ? 'reconnecting' : 'disconnected', error);
    });
    // Any other event means the last notice was not about a disconnect to come.
    this.raw.onAny(() => {
      this.lastNotice_ = undefined;
    });
    this.raw.io.on('reconnect_failed', () => {
      if (this.currentStatus_ === 'closed') return;
      this.setStatus_('disconnected', new ChatwireError('DISCONNECTED', 'Gave up reconnecting'));
    });
    (this.raw as unknown as { on(event: string, fn: (...args: unknown[]) => void): void }).on(
      ERROR_EVENT,
      (...args: unknown[]) => {
        const payload = this.parseIncoming_(ERROR_EVENT, errorEventSchema, args) as ErrorEventPayload | typeof invalid;
        if (payload === invalid) return;
        this.lastNotice_ = payload;
        callListeners(this.errorListeners_, [payload], ERROR_EVENT, this.onListenerError_);
      },
    );
  }

  /**
   * socket.io does not reconnect after a refusal at the handshake nor after the server's disconnect:
   * reconnect ourselves (asking a function `auth` again) after retry number `attempt`'s backoff with
   * full jitter on socket.io's reconnection delays, never sooner than the server's `retryAfterMs`.
   * A final refusal then ends it (`connect_error` UNAUTHORIZED): no loop with an expired static token.
   */
  private reconnectLater_(error: ChatwireError, attempt: number, retryAfterMs?: number): void {
    const { io } = this.raw;
    if (!io.reconnection() || attempt >= io.reconnectionAttempts()) {
      this.setStatus_('disconnected', error);
      return;
    }
    const backoff = { baseMs: io.reconnectionDelay(), maxMs: io.reconnectionDelayMax(), random: this.random_ };
    clearTimeout(this.reconnectTimer_);
    this.reconnectTimer_ = setTimeout(
      () => {
        if (this.currentStatus_ === 'reconnecting') this.raw.connect();
      },
      backoffDelayMs(attempt, backoff, retryAfterMs),
    );
    this.setStatus_('reconnecting', error);
  }

  /** socket.io retries unless the server refused us (the socket is no longer active) or retries are off. */
  private willRetry_(): boolean {
    return this.raw.active && this.raw.io.reconnection();
  }

  private setStatus_(status: ConnectionStatus, error: ChatwireError | undefined): void {
    if (error !== undefined) this.lastError_ = error;
    if (status === 'connected') this.lastError_ = undefined;
    if (status === this.currentStatus_ && error === undefined) return;
    this.currentStatus_ = status;
    callListeners(this.statusListeners_, [status, error], 'status', this.onListenerError_);
  }

  /** The reason an outgoing event breaks the contract, or undefined when it is fine. */
  private checkOutgoing_(event: string, args: readonly unknown[]): ChatwireError | undefined {
    if (!Object.hasOwn(this.contract_.clientToServer, event)) {
      return new ChatwireError('NOT_FOUND', `"${event}" is not a client → server event of this contract`);
    }
    const schema = this.contract_.clientToServer[event]?.payload;
    if (schema === undefined) {
      return args.length === 0 || args[0] === undefined
        ? undefined
        : new ChatwireError('VALIDATION_FAILED', `Event "${event}" takes no payload`);
    }
    const parsed = parsePayload(schema, args[0], `payload of "${event}"`);
    return parsed.ok ? undefined : parsed.error;
  }

  private parseIncoming_(event: string, schema: ZodLike | undefined, args: unknown[]): unknown {
    if (schema === undefined) {
      if (args.length === 0) return undefined;
      this.invalid_(event, args, new ChatwireError('VALIDATION_FAILED', `Server event "${event}" takes no payload`));
      return invalid;
    }
    if (args.length !== 1) {
      this.invalid_(event, args, new ChatwireError('VALIDATION_FAILED', `Server event "${event}" takes one payload`));
      return invalid;
    }
    const parsed = parsePayload(schema, args[0], `payload of server event "${event}"`);
    if (parsed.ok) return parsed.data;
    this.invalid_(event, args[0], parsed.error);
    return invalid;
  }

  private parseResult_(event: string, ackSchema: ZodLike | undefined, response: unknown): Result<never> {
    const envelope = response as { ok?: unknown; data?: unknown; error?: unknown } | null;
    if (envelope?.ok === false) {
      const error = errorPayloadSchema.safeParse(envelope.error);
      if (error.success) return { ok: false, error: error.data };
    } else if (envelope?.ok === true) {
      if (ackSchema === undefined) return { ok: true, data: undefined as never };
      const parsed = parsePayload(ackSchema, envelope.data, `ack data of "${event}"`);
      if (parsed.ok) return { ok: true, data: parsed.data as never };
      this.invalid_(event, envelope.data, parsed.error);
      return { ok: false, error: parsed.error.toPayload() };
    }
    const error = new ChatwireError('VALIDATION_FAILED', `The ack of "${event}" is not a result envelope`);
    this.invalid_(event, response, error);
    return { ok: false, error: error.toPayload() };
  }

  private invalid_(event: string, payload: unknown, error: ChatwireError): void {
    this.onInvalid_?.({ event, payload, error });
  }
}

type ZodLike = Parameters<typeof parsePayload>[0];

const invalid: unique symbol = Symbol('invalid');

/** The payload arguments of an event without a payload. */
const NO_ARGS: readonly unknown[] = [];

function failure(code: 'TIMEOUT' | 'DISCONNECTED', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/**
 * Makes a typed, validated client for `contract`, connected to `url`.
 * @example
 * const client = createClient(contract, 'http://localhost:3000', { auth: { token } });
 * const off = client.on('chat', (message) => console.log(message.from, message.msg));
 */
export function createClient<C extends AnyContract>(
  contract: C,
  url: string,
  options: ChatwireClientOptions<C> = {},
): ChatwireClient<C> {
  return new ChatwireClient(contract, url, options);
}
