import type { ErrorCode } from '@chatwire/protocol';
import type { Logger } from './logger.js';

/**
 * The `event` label of every event that is not in the contract: client-chosen names never become labels.
 *
 * @example
 * ```ts
 * const isStray = (record: EventRecord) => record.event === UNKNOWN_EVENT; // a name not in the contract
 * ```
 */
export const UNKNOWN_EVENT = 'unknown';

/**
 * One client event, answered: with its data (`ok`) or with an error code.
 *
 * @example
 * ```ts
 * const record: EventRecord = { namespace: '/', event: 'message:send', outcome: 'ok', durationMs: 4 };
 * metrics.eventAnswered(record);
 * ```
 */
export interface EventRecord {
  /** The namespace's path, e.g. `/`. */
  namespace: string;
  /** The event's name from the contract, or {@link UNKNOWN_EVENT}. */
  event: string;
  /** `ok`, or the error code the sender got (an app's own codes included). */
  outcome: 'ok' | ErrorCode;
  /** From arrival to answer, by the namespace's clock (`now`). */
  durationMs: number;
}

/**
 * One call to the chat's store.
 *
 * @example
 * ```ts
 * const record: StoreCallRecord = { method: 'append', ok: true, durationMs: 2 };
 * metrics.storeCalled(record);
 * ```
 */
export interface StoreCallRecord {
  /** The {@link Store} method, e.g. `append`, `history`. */
  method: string;
  /** False when the call threw or rejected. */
  ok: boolean;
  /** By the chat's clock (`now`). */
  durationMs: number;
}

/**
 * The chat rooms of this node's connections, counted when read.
 *
 * @example
 * ```ts
 * metrics.watchRooms?.(() => ({ rooms: 12, memberships: 340 } satisfies RoomCounts));
 * ```
 */
export interface RoomCounts {
  /** Rooms with at least one connection of this node. */
  rooms: number;
  /** Connections in rooms, each (connection, room) pair once. */
  memberships: number;
}

/**
 * What the server reports to a metrics system (the `metrics` option); `prometheusMetrics()` from
 * `@chatwire/server/prometheus` is one. Each method is called synchronously on the hot path: keep it
 * cheap, and do not throw (a throw is logged and ignored).
 *
 * @example
 * ```ts
 * const metrics: ChatwireMetrics = {
 *   connectionOpened: (namespace) => statsd.increment('connections', { namespace }),
 *   connectionClosed: (namespace) => statsd.decrement('connections', { namespace }),
 *   eventAnswered: ({ event, outcome, durationMs }) => statsd.timing('event', durationMs, { event, outcome }),
 *   storeCalled: ({ method, durationMs }) => statsd.timing('store', durationMs, { method }),
 * };
 * createChatServer({ httpServer, store, authenticate, metrics });
 * ```
 */
export interface ChatwireMetrics {
  /** A socket connected to `namespace` (authenticated and admitted). */
  connectionOpened(namespace: string): void;
  /** A socket of `namespace` disconnected. */
  connectionClosed(namespace: string): void;
  /** A client event was answered, or refused (rate-limited, unknown, invalid). */
  eventAnswered(record: EventRecord): void;
  /** The chat server called its store. */
  storeCalled(record: StoreCallRecord): void;
  /** The chat server hands over a reader of its room counts, once; read it when metrics are collected. */
  watchRooms?(read: () => RoomCounts): void;
}

/**
 * A span attribute value.
 *
 * @example
 * ```ts
 * const value: SpanAttributeValue = 'message:send';
 * span.setAttribute('chatwire.event', value);
 * ```
 */
export type SpanAttributeValue = string | number | boolean;

/**
 * The part of an OpenTelemetry `Span` chatwire uses. An `@opentelemetry/api` span fits; chatwire
 * does not depend on that package.
 *
 * @example
 * ```ts
 * tracer.startActiveSpan('work', {}, (span: TracerSpan) => {
 *   span.setAttribute('chatwire.room', 'lobby');
 *   span.end();
 * });
 * ```
 */
export interface TracerSpan {
  setAttribute(key: string, value: SpanAttributeValue): unknown;
  /** `code` as OpenTelemetry's `SpanStatusCode`: 0 unset, 1 ok, 2 error. */
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/**
 * The part of an OpenTelemetry `Tracer` chatwire uses (the `tracer` option): `trace.getTracer('chat')`
 * from `@opentelemetry/api` fits as it is.
 *
 * @example
 * ```ts
 * const tracer: SpanTracer = trace.getTracer('chat'); // from @opentelemetry/api
 * createChatServer({ httpServer, store, authenticate, tracer });
 * ```
 */
export interface SpanTracer {
  startActiveSpan<F extends (span: TracerSpan) => unknown>(
    name: string,
    options: { kind?: number; attributes?: Record<string, SpanAttributeValue> },
    fn: F,
  ): ReturnType<F>;
}

/** OpenTelemetry's `SpanKind.SERVER`. */
const SPAN_KIND_SERVER = 1;
/** OpenTelemetry's `SpanStatusCode.ERROR`. */
const SPAN_STATUS_ERROR = 2;
/**
 * Codes that are the server's failure, not the client's: as gRPC's server spans do, only these mark
 * a span as an error; a refusal (invalid, forbidden, rate-limited) leaves its status unset.
 */
const SERVER_FAULTS: ReadonlySet<string> = new Set(['INTERNAL', 'UNAVAILABLE', 'TIMEOUT']);

/** What an event's answer resolves to: the error code it answered, or undefined when it answered data. */
export type Answered = ErrorCode | undefined;

/** Runs `answer` inside an event's metrics and span. */
export type EventProbe = <R extends Answered | Promise<Answered>>(
  socketId: string,
  event: string,
  answer: () => R,
) => R;

/** The probe of one namespace, or undefined when it has neither metrics nor tracer (then nothing is measured). */
export function eventProbe(
  namespace: string,
  metrics: ChatwireMetrics | undefined,
  tracer: SpanTracer | undefined,
  now: () => number,
  logger: Logger,
): EventProbe | undefined {
  if (metrics === undefined && tracer === undefined) return undefined;
  const record = (event: string, outcome: string, start: number): void => {
    if (metrics === undefined) return;
    guarded(logger, 'eventAnswered', () =>
      metrics.eventAnswered({ namespace, event, outcome, durationMs: now() - start }),
    );
  };
  return (socketId, event, answer) => {
    const start = now();
    if (tracer === undefined) return settle(answer(), (outcome) => record(event, outcome, start));
    const attributes = { 'chatwire.namespace': namespace, 'chatwire.event': event, 'chatwire.socket_id': socketId };
    return tracer.startActiveSpan(`chatwire ${event}`, { kind: SPAN_KIND_SERVER, attributes }, (span) =>
      settle(answer(), (outcome) => {
        record(event, outcome, start);
        guarded(logger, 'span', () => {
          span.setAttribute('chatwire.outcome', outcome);
          if (SERVER_FAULTS.has(outcome)) span.setStatus({ code: SPAN_STATUS_ERROR, message: outcome });
          span.end();
        });
      }),
    ) as ReturnType<typeof answer>;
  };
}

/** Calls `done` with the outcome once `result` is known; a rejection is `INTERNAL` (and still rejects). */
function settle<R extends Answered | Promise<Answered>>(result: R, done: (outcome: string) => void): R {
  if (!(result instanceof Promise)) {
    done(result ?? 'ok');
    return result;
  }
  return result.then(
    (code) => {
      done(code ?? 'ok');
      return code;
    },
    (error: unknown) => {
      done('INTERNAL');
      throw error;
    },
  ) as R;
}

/** Calls a hook of the app's metrics or tracer; what it throws is logged, never the sender's problem. */
export function guarded(logger: Logger, what: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    logger.error(`chatwire: metrics ${what} threw`, { error });
  }
}
