import {
  type AckOutput,
  type AnyContract,
  ChatwireError,
  type HasAck,
  type PayloadArgs,
  parsePayload,
  parseResultEnvelope,
  type Result,
  type ServerEvent,
  type ServerEventName,
  type ServerEventSpec,
  type ServerRequestEventName,
} from '@chatwire/protocol';

/** The untyped emit every socket.io emitter has; chatwire checks the types before calling it. */
export interface RawEmitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/** A socket.io emitter that can wait for acks: a socket (one answer) or a broadcast operator (an array). */
export interface RawRequester {
  timeout(timeoutMs: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
}

/** One socket.io socket, as far as a request to it needs. */
export interface RawSocketRequester extends RawRequester {
  readonly connected: boolean;
  once(event: 'disconnect', listener: () => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

/**
 * Arguments of a server → client event sent with `emit`, typed by the contract; `never` for an event
 * with an ack, which is sent with `request`.
 *
 * @example
 * ```ts
 * const args: ServerEmitArgs<typeof contract, 'said'> = [{ from: 'server', text: 'hi' }];
 * server.emit('said', ...args);
 * ```
 */
export type ServerEmitArgs<C extends AnyContract, E extends ServerEventName<C>> =
  HasAck<ServerEvent<C, E>> extends true ? never : PayloadArgs<ServerEvent<C, E>>;

/**
 * Options of a server's `request`.
 *
 * @example
 * ```ts
 * const result = await socket.request('confirm', { text: 'Sure?' }, { timeoutMs: 5000 } satisfies ServerRequestOptions);
 * ```
 */
export interface ServerRequestOptions {
  /** How long to wait for the answer(s) before `TIMEOUT`. @default 10000 */
  timeoutMs?: number;
}

/**
 * The arguments of a server's `request`: the payload (if the event has one), then options.
 *
 * @example
 * ```ts
 * const args: ServerRequestArgs<typeof contract, 'confirm'> = [{ text: 'Sure?' }, { timeoutMs: 5000 }];
 * const result = await socket.request('confirm', ...args);
 * ```
 */
export type ServerRequestArgs<C extends AnyContract, E extends ServerRequestEventName<C>> = [
  ...PayloadArgs<ServerEvent<C, E>>,
  options?: ServerRequestOptions,
];

/**
 * The client's answer to a server request, parsed by the event's ack schema.
 *
 * @example
 * ```ts
 * const yes = (answer: ServerAnswer<typeof contract, 'confirm'>) => answer.yes;
 * ```
 */
export type ServerAnswer<C extends AnyContract, E extends ServerRequestEventName<C>> = AckOutput<ServerEvent<C, E>>;

/**
 * What a broadcast request resolves to: one result per socket that answered, in the order the
 * answers came (socket.io does not say which socket sent which). `timedOut` is true when some
 * targeted sockets did not answer within `timeoutMs` (or left meanwhile); `answers` then holds the
 * ones that did.
 *
 * @example
 * ```ts
 * const result = await server.to('lobby').request('confirm', { text: 'Ready?' });
 * if (result.ok) {
 *   const { answers, timedOut }: BroadcastAnswers<{ yes: boolean }> = result.data;
 *   console.log(answers.filter((answer) => answer.ok && answer.data.yes).length, timedOut);
 * }
 * ```
 */
export interface BroadcastAnswers<T> {
  answers: Result<T>[];
  timedOut: boolean;
}

/** @default 10000 */
const DEFAULT_SERVER_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Checks an outgoing server event against the contract (name always; payload when validation is
 * on) and emits it once through `target`, so a broadcast stays one encode and one adapter call.
 * A broken outgoing event is a server bug: it throws a TypeError (a handler's sender sees `INTERNAL`).
 * Requests (events with an ack) never throw: every failure is an error envelope.
 */
export class OutgoingEmitter<C extends AnyContract> {
  constructor(
    private readonly contract: C,
    private readonly validate: boolean,
  ) {}

  emit(target: RawEmitter, event: string, args: readonly unknown[]): void {
    const spec = this.spec(event);
    if (spec === undefined) {
      throw new TypeError(`"${event}" is not a server → client event of this contract`);
    }
    if (spec.ack !== undefined) {
      throw new TypeError(`Server event "${event}" has an ack: send it with request()`);
    }
    const error = this.checkPayload(event, spec, args);
    if (error !== undefined) throw new TypeError(error.message, { cause: error });
    target.emit(event, ...args);
  }

  /** Sends a request to one socket and resolves with its parsed answer; never rejects. */
  request(socket: RawSocketRequester, event: string, args: readonly unknown[]): Promise<Result<unknown>> {
    const prepared = this.prepareRequest(event, args);
    if (!prepared.ok) return Promise.resolve(prepared);
    const { spec, payloadArgs, timeoutMs } = prepared.data;
    if (!socket.connected) return Promise.resolve(disconnected(event));
    return new Promise((resolve) => {
      // socket.io keeps a socket's acks after a disconnect until they time out: answer at once instead.
      const onDisconnect = () => resolve(disconnected(event));
      socket.once('disconnect', onDisconnect);
      socket
        .timeout(timeoutMs)
        .emitWithAck(event, ...payloadArgs)
        .then(
          (response) => this.parseAnswer(event, spec, response),
          (): Result<never> =>
            socket.connected ? failure('TIMEOUT', `No answer to "${event}" in time`) : disconnected(event),
        )
        .catch(
          (error: unknown): Result<never> => failure('INTERNAL', `Reading the answer to "${event}" failed: ${error}`),
        )
        .then((result) => {
          socket.off('disconnect', onDisconnect);
          resolve(result);
        });
    });
  }

  /** Sends a request to every targeted socket and collects their parsed answers; never rejects. */
  async broadcastRequest(
    target: RawRequester,
    event: string,
    args: readonly unknown[],
  ): Promise<Result<BroadcastAnswers<unknown>>> {
    const prepared = this.prepareRequest(event, args);
    if (!prepared.ok) return prepared;
    const { spec, payloadArgs, timeoutMs } = prepared.data;
    let responses: unknown[];
    let timedOut = false;
    try {
      responses = (await target.timeout(timeoutMs).emitWithAck(event, ...payloadArgs)) as unknown[];
    } catch (error) {
      // socket.io ≥ 4.8 keeps the answers that came before the timeout on the error.
      responses = ((error as { responses?: unknown[] }).responses ?? []) as unknown[];
      timedOut = true;
    }
    return {
      ok: true,
      data: { answers: responses.map((response) => this.parseAnswer(event, spec, response)), timedOut },
    };
  }

  private spec(event: string): ServerEventSpec | undefined {
    return Object.hasOwn(this.contract.serverToClient, event) ? this.contract.serverToClient[event] : undefined;
  }

  private prepareRequest(
    event: string,
    args: readonly unknown[],
  ): Result<{ spec: ServerEventSpec; payloadArgs: readonly unknown[]; timeoutMs: number }> {
    const spec = this.spec(event);
    if (spec?.ack === undefined) {
      return failure('NOT_FOUND', `"${event}" is not a server → client event with an ack in this contract`);
    }
    const payloadArgs = spec.payload === undefined ? [] : args.slice(0, 1);
    const options = (spec.payload === undefined ? args[0] : args[1]) as ServerRequestOptions | undefined;
    const error = this.checkPayload(event, spec, payloadArgs);
    if (error !== undefined) return { ok: false, error: error.toPayload() };
    return {
      ok: true,
      data: { spec, payloadArgs, timeoutMs: options?.timeoutMs ?? DEFAULT_SERVER_REQUEST_TIMEOUT_MS },
    };
  }

  private checkPayload(event: string, spec: ServerEventSpec, args: readonly unknown[]): ChatwireError | undefined {
    if (!this.validate) return undefined;
    if (spec.payload === undefined) {
      return args.length === 0
        ? undefined
        : new ChatwireError('VALIDATION_FAILED', `Server event "${event}" takes no payload`);
    }
    if (args.length !== 1) {
      return new ChatwireError('VALIDATION_FAILED', `Server event "${event}" takes exactly one payload`);
    }
    const parsed = parsePayload(spec.payload, args[0], `outgoing payload of "${event}"`);
    return parsed.ok ? undefined : parsed.error;
  }

  private parseAnswer(event: string, spec: ServerEventSpec, response: unknown): Result<unknown> {
    const parsed = parseResultEnvelope(spec.ack, response, `answer to "${event}"`);
    return parsed.ok ? parsed.data : { ok: false, error: parsed.error.toPayload() };
  }
}

function failure(code: 'TIMEOUT' | 'DISCONNECTED' | 'NOT_FOUND' | 'INTERNAL', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function disconnected(event: string): Result<never> {
  return failure('DISCONNECTED', `The socket disconnected before "${event}" was answered`);
}
