import { createServer as createHttpServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChatwireClient, createClient } from '@chatwire/client';
import { type ChatwireServer, createServer, type Logger } from '@chatwire/server';
import { type RedisCluster, redisCluster } from '@chatwire/server/redis';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { sized } from '../bench-env.js';
import { compareAlternating, log, type RoundResult } from '../measure.js';
import { type BenchRedis, startRedisServer } from '../redis-server.js';
import { DeliveryCounter, inBatches, listen, SAMPLE_TEXT, SENDER_EVENT_BUDGET, TARGET_ROUND_MS } from '../support.js';
import { clientConnected, clientOptions, fanoutContract, handleFanout, timedRound } from './fanout.js';

/** Receivers in the room (split evenly over the nodes), one result line each. */
const SIZES = sized([200, 1000], [50]);
/** Nodes of the cluster side. */
const NODES = 2;
/** Deliveries in flight per window: the sender waits for every receiver to get a window before the next. */
const DELIVERIES_PER_WINDOW = 10_000;
/** Deliveries in each side's warm-up round (it also sizes the measured rounds). */
const WARMUP_DELIVERIES = 100_000;
const CONNECT_CONCURRENCY = 100;
/** Before measuring, the sender sends one message this often until every receiver on every node got one. */
const PROBE_INTERVAL_MS = 20;
const READY_TIMEOUT_MS = 10_000;
/** Most anomalies (out-of-order or repeated ids) kept per receiver for the error message. */
const ANOMALIES_KEPT = 3;

const ROOM = 'cluster-fanout';
const NODE_NAMES = 'ABCDEFGH';

type Contract = typeof fanoutContract;

/**
 * What one receiver got, checked on every delivery: the sender's messages are numbered 1, 2, 3… by
 * node A's handler, so each receiver must see every id exactly once, in order.
 */
interface Receiver {
  node: number;
  /** Id of the last message received; 0 until the first one. */
  lastId: number;
  anomalies: number;
  firstAnomalies: string[];
}

interface Side {
  round(messages: number): Promise<RoundResult>;
  close(): Promise<void>;
}

interface SideOptions {
  /** e.g. `single` or `cluster`, for messages. */
  name: string;
  nodes: number;
  /** Set: every node gets its own `redisCluster({ redis })` and uses its adapter. */
  redisUrl?: string;
  receivers: number;
  window: number;
}

interface Node {
  server: ChatwireServer<Contract>;
  cluster: RedisCluster | undefined;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Per node: how many receivers, how far each got (min/max last id), and any anomalies. */
function describeReceivers(receivers: readonly Receiver[], nodes: number, expectedId: number): string {
  const parts: string[] = [];
  for (let node = 0; node < nodes; node++) {
    const mine = receivers.filter((r) => r.node === node);
    if (mine.length === 0) continue;
    const last = mine.map((r) => r.lastId);
    const behind = mine.filter((r) => r.lastId !== expectedId).length;
    const anomalies = mine.reduce((sum, r) => sum + r.anomalies, 0);
    const examples = mine.flatMap((r) => r.firstAnomalies).slice(0, ANOMALIES_KEPT);
    parts.push(
      `node ${NODE_NAMES[node]}: ${mine.length} receivers, last id ${Math.min(...last)}–${Math.max(...last)} ` +
        `(expected ${expectedId}, ${behind} not there), ${anomalies} out-of-order/repeated deliveries` +
        (examples.length > 0 ? ` (${examples.join('; ')})` : ''),
    );
  }
  return parts.join('; ');
}

/**
 * One side: `nodes` chatwire servers (validation on), `receivers` typed clients in ROOM spread evenly
 * over them, one sender on the first node. With `redisUrl`, each node has its own Redis connection
 * and Streams adapter, so a message sent on node A reaches node B's members through Redis.
 */
async function startSide(options: SideOptions): Promise<Side> {
  const { name, nodes: nodeCount, redisUrl, window } = options;
  const counter = new DeliveryCounter();
  const fail = (message: string, meta?: Record<string, unknown>): void => {
    counter.fail(new Error(`${name}: ${message} ${JSON.stringify(meta ?? {})}`));
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: fail, error: fail };
  const nodes: Node[] = [];
  const clients: ChatwireClient<Contract>[] = [];
  const close = async (): Promise<void> => {
    for (const client of clients) client.close();
    for (const node of nodes) {
      await node.server.close();
      await node.cluster?.close();
    }
  };
  try {
    const urls: string[] = [];
    for (let i = 0; i < nodeCount; i++) {
      const cluster = redisUrl === undefined ? undefined : redisCluster({ redis: redisUrl, logger });
      const httpServer = createHttpServer();
      const server = createServer(fanoutContract, {
        httpServer,
        validateOutgoing: true,
        logger,
        eventRateLimit: SENDER_EVENT_BUDGET,
        ...(cluster === undefined ? {} : { adapter: cluster.adapter }),
      });
      nodes.push({ server, cluster });
      handleFanout(server);
      urls.push(await listen(httpServer));
    }

    const connect = async (node: number): Promise<ChatwireClient<Contract>> => {
      const client = createClient(fanoutContract, urls[node]!, {
        ...clientOptions(),
        onInvalid: ({ event, error }) => fail(`invalid "${event}" from the server: ${error.message}`),
      });
      client.onError((error) => fail(`the server refused "${error.event}": ${error.message}`));
      clients.push(client);
      await clientConnected(client);
      return client;
    };
    const receivers = await inBatches(options.receivers, CONNECT_CONCURRENCY, async (index): Promise<Receiver> => {
      const receiver: Receiver = { node: index % nodeCount, lastId: 0, anomalies: 0, firstAnomalies: [] };
      const client = await connect(receiver.node);
      const joined = await client.request('join', { roomId: ROOM });
      if (!joined.ok) throw new Error(`${name}: join refused: ${joined.error.message}`);
      client.on('message', ({ id }) => {
        if (receiver.lastId !== 0 && id !== receiver.lastId + 1) {
          const what = `expected ${receiver.lastId + 1}, got ${id}`;
          receiver.anomalies++;
          if (receiver.firstAnomalies.length < ANOMALIES_KEPT) receiver.firstAnomalies.push(what);
          // Fails the round at once (rather than when the window times out), with what each node got.
          counter.fail(new Error(`a receiver on node ${NODE_NAMES[receiver.node]} ${what}`));
        }
        receiver.lastId = id;
        counter.hit();
      });
      return receiver;
    });
    const sender = await connect(0);
    const send = (): void => {
      sender.emit('chat', { roomId: ROOM, text: SAMPLE_TEXT });
    };

    // The Streams adapter starts reading at the end of the stream ("$") once its reading connection is
    // up, so what node A publishes before that never reaches node B. Send one message at a time until
    // every receiver on every node got one, then wait for the last one everywhere.
    let lastId = 0;
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (receivers.some((r) => r.lastId === 0)) {
      if (performance.now() > deadline) {
        throw new Error(
          `${name}: not every node got a message within ${READY_TIMEOUT_MS} ms: ${describeReceivers(receivers, nodeCount, lastId)}`,
        );
      }
      send();
      lastId++;
      await sleep(PROBE_INTERVAL_MS);
    }
    while (receivers.some((r) => r.lastId !== lastId)) {
      if (performance.now() > deadline) {
        throw new Error(`${name}: the probes did not all arrive: ${describeReceivers(receivers, nodeCount, lastId)}`);
      }
      await sleep(PROBE_INTERVAL_MS);
    }
    log(`[${name}] ${lastId} probe message(s) sent before every receiver had one`);

    const round = async (messages: number): Promise<RoundResult> => {
      let result: RoundResult;
      try {
        result = await timedRound(counter, receivers.length, messages, window, send);
      } catch (error) {
        throw new Error(
          `${name}: ${errorText(error)}; the round was to end at id ${lastId + messages}: ${describeReceivers(receivers, nodeCount, lastId + messages)}`,
        );
      }
      lastId += messages;
      if (receivers.some((r) => r.lastId !== lastId || r.anomalies > 0)) {
        throw new Error(
          `${name}: deliveries lost, repeated or reordered: ${describeReceivers(receivers, nodeCount, lastId)}`,
        );
      }
      return result;
    };
    return { round, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function runSize(receivers: number, redis: BenchRedis, context: CaseContext): Promise<void> {
  const label = `cluster-fanout n=${receivers}`;
  const window = Math.max(1, Math.round(DELIVERIES_PER_WINDOW / receivers));
  const began = performance.now();
  const sides: Side[] = [];
  try {
    const single = await startSide({ name: `${label} single`, nodes: 1, receivers, window });
    sides.push(single);
    const cluster = await startSide({
      name: `${label} cluster`,
      nodes: NODES,
      redisUrl: redis.url,
      receivers,
      window,
    });
    sides.push(cluster);
    log(
      `[${label}] ${receivers} receivers per side connected and joined in ${(performance.now() - began).toFixed(0)} ms`,
    );
    const warmupMessages = Math.max(window, Math.round(WARMUP_DELIVERIES / receivers / window) * window);
    await redis.resetStats();
    const result = await compareAlternating({
      label,
      baseline: single.round,
      chatwire: cluster.round,
      rounds: context.rounds,
      warmupMessages,
      targetRoundMs: TARGET_ROUND_MS,
      messageStep: window,
      sideNames: ['single', 'cluster'],
    });
    const calls = await redis.commandCalls();
    const xadds = calls.get('xadd') ?? 0;
    const xreads = calls.get('xread') ?? 0;
    const clusterMessages = warmupMessages + result.rounds * result.messages;
    log(
      `[${label}] Redis: ${xadds} XADD for ${clusterMessages} messages sent on the cluster side, ${xreads} XREAD ` +
        `(both nodes read every entry: ${((NODES * xadds) / Math.max(1, xreads)).toFixed(1)} entries per XREAD)`,
    );
    context.report({
      scenario: 'cluster-fanout',
      n: receivers,
      nodes: NODES,
      singleNodePerSec: roundRate(result.baselinePerSec),
      clusterPerSec: roundRate(result.chatwirePerSec),
      ratio: roundRatio(result.ratio),
      pairedRatio: roundRatio(result.pairedRatio),
      rounds: result.rounds,
      messages: result.messages,
      window,
      xadds,
      xreads,
    });
  } finally {
    for (const side of sides) await side.close();
  }
  const open = await redis.settle();
  if (open.length > 0) throw new Error(`${label}: Redis connections left open: ${JSON.stringify(open)}`);
}

export const clusterFanout: BenchCase = {
  name: 'cluster-fanout',
  description: `fanout over ${NODES} nodes on a Redis Streams adapter vs 1 node (N = ${SIZES.join(', ')}): deliveries/s`,
  async run(context) {
    const redis = await startRedisServer();
    try {
      for (const receivers of SIZES) await runSize(receivers, redis, context);
    } finally {
      await redis.stop();
    }
  },
};
