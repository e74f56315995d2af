import { createServer as createHttpServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { attachZodSocketsOrders } from '@chatwire/bench-zod-sockets';
import { defineContract } from '@chatwire/protocol';
import { createServer, type Logger } from '@chatwire/server';
import { Server as IoServer } from 'socket.io';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { z } from 'zod';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { sized } from '../bench-env.js';
import { closedLoopRound, isOkEnvelope, type Latency, latencySummary, roundMs, type Send } from '../closed-loop.js';
import { compareSides, log, pairedRatio, type Round } from '../measure.js';
import { inBatches, listen, SENDER_EVENT_BUDGET, TARGET_ROUND_MS, withTimeout } from '../support.js';
import { clientOptions } from './fanout.js';

/** Clients, each in a closed loop of requests. */
const CLIENTS = sized(100, 20);
const WARMUP_MESSAGES = sized(20_000, 2000);
const ACK_TIMEOUT_MS = 10_000;
const CONNECT_CONCURRENCY = 50;
const UNIT_PRICE = 3;

/** A small contract: one request with an object payload of a few fields, acked with an object. */
export const ordersContract = defineContract({
  clientToServer: {
    'order:place': {
      payload: z.object({
        itemId: z.string().min(1).max(64),
        quantity: z.number().int().min(1).max(100),
        note: z.string().max(200),
        express: z.boolean(),
      }),
      ack: z.object({ orderId: z.number().int().positive(), total: z.number(), accepted: z.boolean() }),
    },
  },
  serverToClient: {},
});

type Order = z.infer<(typeof ordersContract)['clientToServer']['order:place']['payload']>;

const ORDER: Order = { itemId: 'sku-20431', quantity: 3, note: 'leave at the front desk', express: false };

/** One server under test, `CLIENTS` plain socket.io clients sending to it. */
interface InboundSide {
  name: string;
  round: Round;
  readonly latencies: Latency[];
  close(): Promise<void>;
}

/** How each side's ack looks to a plain client: true when it is the success answer. */
type AckCheck = (ack: unknown) => boolean;

/**
 * Connects CLIENTS plain socket.io clients to `url`; each `Send` emits `order:place` with one order and
 * waits for the ack. All three sides use the same client, so only the servers differ.
 */
async function connectSenders(
  name: string,
  url: string,
  ackOk: AckCheck,
  close: () => Promise<void>,
): Promise<InboundSide> {
  const sockets: RawClientSocket[] = [];
  const closeAll = async (): Promise<void> => {
    for (const socket of sockets) socket.disconnect();
    await close();
  };
  try {
    const senders = await inBatches(CLIENTS, CONNECT_CONCURRENCY, async (): Promise<Send> => {
      const socket = rawIo(url, clientOptions());
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return async () => {
        const ack: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('order:place', ORDER);
        if (!ackOk(ack)) throw new Error(`${name}: order refused: ${JSON.stringify(ack)}`);
      };
    });
    const latencies: Latency[] = [];
    return { name, round: (messages) => closedLoopRound(senders, messages, latencies), latencies, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

const closeIo = (io: IoServer) => () => new Promise<void>((resolve) => io.close(() => resolve()));

/** Plain socket.io, no checks: the handler acks the receipt. */
async function startBaseline(): Promise<InboundSide> {
  const httpServer = createHttpServer();
  const io = new IoServer(httpServer);
  let orderId = 0;
  io.on('connection', (socket) => {
    socket.on('order:place', (order: Order, ack: (receipt: unknown) => void) => {
      ack({ orderId: ++orderId, total: order.quantity * UNIT_PRICE, accepted: true });
    });
  });
  const url = await listen(httpServer);
  return connectSenders('baseline', url, (ack) => typeof ack === 'object' && ack !== null, closeIo(io));
}

/**
 * chatwire's `createServer`: the payload validated, the handler's return validated as the ack
 * (`validateOutgoing`) and sent as `{ ok: true, data }`; the per-connection event budget on, far above
 * what a client sends.
 */
async function startChatwire(): Promise<InboundSide> {
  const fail = (message: string, meta?: Record<string, unknown>): void => {
    throw new Error(`chatwire: ${message} ${JSON.stringify(meta ?? {})}`);
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: fail, error: fail };
  const httpServer = createHttpServer();
  const server = createServer(ordersContract, {
    httpServer,
    validateOutgoing: true,
    logger,
    eventRateLimit: SENDER_EVENT_BUDGET,
  });
  let orderId = 0;
  server.on('order:place', ({ payload }) => ({
    orderId: ++orderId,
    total: payload.quantity * UNIT_PRICE,
    accepted: true,
  }));
  const url = await listen(httpServer);
  return connectSenders('chatwire', url, isOkEnvelope, () => server.close());
}

/** zod-sockets 2.3 (zod 3): the action validates the input tuple and the output tuple it acks. */
async function startZodSockets(): Promise<InboundSide> {
  const httpServer = createHttpServer();
  const io = new IoServer();
  await attachZodSocketsOrders(io, httpServer, UNIT_PRICE);
  const url = await listen(httpServer);
  return connectSenders('zod-sockets', url, (ack) => typeof ack === 'object' && ack !== null, closeIo(io));
}

const latencyMs = (latencies: readonly Latency[]) => {
  const { p50, p99 } = latencySummary(latencies);
  return { p50: roundMs(p50), p99: roundMs(p99) };
};

async function run(context: CaseContext): Promise<void> {
  const label = `inbound clients=${CLIENTS}`;
  const began = performance.now();
  const sides: InboundSide[] = [];
  try {
    sides.push(await startBaseline(), await startChatwire(), await startZodSockets());
    log(`[${label}] ${CLIENTS} clients per side connected in ${(performance.now() - began).toFixed(0)} ms`);
    const result = await withTimeout(
      compareSides({
        label,
        sides,
        rounds: context.rounds,
        warmupMessages: Math.round(WARMUP_MESSAGES / CLIENTS) * CLIENTS,
        targetRoundMs: TARGET_ROUND_MS,
        messageStep: CLIENTS,
      }),
      10 * 60_000,
      `${label} took more than 10 minutes`,
    );
    const [baseline, chatwire, zodSockets] = result.perSec as [number, number, number];
    const [baselineRates, chatwireRates, zodSocketsRates] = result.rates as [number[], number[], number[]];
    const [baselineSide, chatwireSide, zodSocketsSide] = sides as [InboundSide, InboundSide, InboundSide];
    context.report({
      scenario: 'inbound',
      clients: CLIENTS,
      baselinePerSec: roundRate(baseline),
      chatwirePerSec: roundRate(chatwire),
      ratio: roundRatio(chatwire / baseline),
      pairedRatio: roundRatio(pairedRatio(chatwireRates, baselineRates)),
      zodSocketsPerSec: roundRate(zodSockets),
      zodSocketsRatio: roundRatio(chatwire / zodSockets),
      zodSocketsPairedRatio: roundRatio(pairedRatio(chatwireRates, zodSocketsRates)),
      p99Ms: {
        baseline: latencyMs(baselineSide.latencies).p99,
        chatwire: latencyMs(chatwireSide.latencies).p99,
        zodSockets: latencyMs(zodSocketsSide.latencies).p99,
      },
      p50Ms: {
        baseline: latencyMs(baselineSide.latencies).p50,
        chatwire: latencyMs(chatwireSide.latencies).p50,
        zodSockets: latencyMs(zodSocketsSide.latencies).p50,
      },
      rounds: result.rounds,
      messages: result.messages,
    });
  } finally {
    for (const side of sides) await side.close();
  }
}

export const inbound: BenchCase = {
  name: 'inbound',
  description: `${CLIENTS} clients send validated requests with ack in closed loops: raw socket.io, chatwire, zod-sockets`,
  run,
};
