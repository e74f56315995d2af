import { ERROR_CODES } from '@chatwire/protocol';
import { Counter, Gauge, Histogram, type Registry, register } from 'prom-client';
import type { ChatwireMetrics, EventRecord, RoomCounts, StoreCallRecord } from './instrumentation.js';

/**
 * Options of {@link prometheusMetrics}.
 *
 * @example
 * ```ts
 * const options: PrometheusMetricsOptions = { registry: new Registry(), prefix: 'chat_' };
 * createChatServer({ httpServer, store, authenticate, metrics: prometheusMetrics(options) });
 * ```
 */
export interface PrometheusMetricsOptions {
  /** Where the metrics are registered. @default prom-client's global `register` */
  registry?: Registry;
  /** Put before every metric name. @default 'chatwire_' */
  prefix?: string;
  /** Buckets of the event and store latency histograms, in seconds. @default prom-client's (5 ms … 10 s) */
  buckets?: number[];
}

const BUILTIN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Prometheus metrics of a chatwire server, through prom-client, for its `metrics` option:
 * - `chatwire_connections{namespace}` (gauge): sockets connected now;
 * - `chatwire_events_total{namespace, event, outcome}` (counter): client events answered, `outcome`
 *   being `ok` or the error code (an app's own codes count as `other`); events not in the contract
 *   count as event `unknown`;
 * - `chatwire_event_duration_seconds{namespace, event}` (histogram): from arrival to answer;
 * - `chatwire_store_duration_seconds{method, outcome}` (histogram): each store call, `ok` or `error`;
 * - `chatwire_rooms` and `chatwire_room_memberships` (gauges, chat server only): rooms with a
 *   connection of this node, and (connection, room) pairs, counted at each scrape (summed over
 *   the chat servers sharing these metrics).
 *
 * Labels take bounded values only: contract event names, built-in error codes, store methods.
 * Make one per registry (a second one in the same registry throws, as prom-client does).
 * @example
 * import { prometheusMetrics } from '@chatwire/server/prometheus';
 * import { register } from 'prom-client';
 * const chat = createChatServer({ httpServer, store, authenticate, metrics: prometheusMetrics() });
 * // in the HTTP handler: res.setHeader('content-type', register.contentType).end(await register.metrics());
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): ChatwireMetrics {
  const { registry = register, prefix = 'chatwire_', buckets } = options;
  const registers = [registry];
  const connections = new Gauge({
    name: `${prefix}connections`,
    help: 'Sockets connected now, by namespace.',
    labelNames: ['namespace'] as const,
    registers,
  });
  const events = new Counter({
    name: `${prefix}events_total`,
    help: 'Client events answered, by namespace, event and outcome (ok or error code).',
    labelNames: ['namespace', 'event', 'outcome'] as const,
    registers,
  });
  const eventSeconds = new Histogram({
    name: `${prefix}event_duration_seconds`,
    help: 'Time from a client event to its answer, by namespace and event.',
    labelNames: ['namespace', 'event'] as const,
    registers,
    ...(buckets === undefined ? {} : { buckets }),
  });
  const storeSeconds = new Histogram({
    name: `${prefix}store_duration_seconds`,
    help: 'Time of each call to the chat store, by method and outcome (ok or error).',
    labelNames: ['method', 'outcome'] as const,
    registers,
    ...(buckets === undefined ? {} : { buckets }),
  });
  const roomReaders: (() => RoomCounts)[] = [];
  const countRooms = (pick: (counts: RoomCounts) => number): number =>
    roomReaders.reduce((sum, read) => sum + pick(read()), 0);
  new Gauge({
    name: `${prefix}rooms`,
    help: 'Chat rooms with at least one connection of this node.',
    registers,
    collect() {
      this.set(countRooms((counts) => counts.rooms));
    },
  });
  new Gauge({
    name: `${prefix}room_memberships`,
    help: 'Connections of this node in chat rooms, each (connection, room) pair once.',
    registers,
    collect() {
      this.set(countRooms((counts) => counts.memberships));
    },
  });
  return {
    connectionOpened: (namespace) => connections.inc({ namespace }),
    connectionClosed: (namespace) => connections.dec({ namespace }),
    eventAnswered: ({ namespace, event, outcome, durationMs }: EventRecord) => {
      events.inc({ namespace, event, outcome: outcomeLabel(outcome) });
      eventSeconds.observe({ namespace, event }, durationMs / 1000);
    },
    storeCalled: ({ method, ok, durationMs }: StoreCallRecord) =>
      storeSeconds.observe({ method, outcome: ok ? 'ok' : 'error' }, durationMs / 1000),
    watchRooms: (read) => {
      roomReaders.push(read);
    },
  };
}

/** `ok`, a built-in error code, or `other`: what a label may be. */
function outcomeLabel(outcome: string): string {
  return outcome === 'ok' || BUILTIN_CODES.has(outcome) ? outcome : 'other';
}
