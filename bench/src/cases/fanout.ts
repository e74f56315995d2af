import { createServer as createHttpServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type ChatwireClient, createClient } from '@chatwire/client';
import { type AnyContract, defineContract } from '@chatwire/protocol';
import { compileContract } from '@chatwire/protocol/compile';
import { type ChatwireServer, createServer, type Logger } from '@chatwire/server';
import { Server as IoServer } from 'socket.io';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { z } from 'zod';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { sized } from '../bench-env.js';
import { compareAlternating, log, type RoundResult } from '../measure.js';
import { type ReceiverHost, startReceiverHost } from '../receiver-host.js';
import { DeliveryCounter, inBatches, listen, SAMPLE_TEXT, SENDER_EVENT_BUDGET, TARGET_ROUND_MS } from '../support.js';

/** Receivers per room, one result line each. */
const SIZES = sized([200, 1000, 5000], [50, 200]);
/**
 * From this size on, the receivers run in a child process (receiver-host.ts): both sides' 2 × 5000
 * connections in one process would need two file descriptors each, past a `ulimit -n` of 20,000.
 */
const HOSTED_FROM = sized(5000, 200);
/** Deliveries in flight per window: the sender waits for every receiver to get a window before the next. */
const DELIVERIES_PER_WINDOW = 10_000;
/** Deliveries in each side's warm-up round (it also sizes the measured rounds). */
const WARMUP_DELIVERIES = 100_000;
const WINDOW_TIMEOUT_MS = 30_000;
const CONNECT_CONCURRENCY = 100;

const ROOM = 'fanout';

/** The chat contract both chatwire ends use; the baseline sends the same shapes unchecked. */
export const fanoutContract = defineContract({
  clientToServer: {
    join: {
      payload: z.object({ roomId: z.string().min(1).max(64) }),
      ack: z.object({ roomId: z.string() }),
    },
    chat: {
      payload: z.object({ roomId: z.string().min(1).max(64), text: z.string().min(1).max(2000) }),
    },
  },
  serverToClient: {
    message: {
      payload: z.object({
        id: z.number().int().positive(),
        roomId: z.string(),
        from: z.string(),
        text: z.string(),
        sentAt: z.number(),
      }),
    },
  },
});

/** What a round waits on: deliveries counted here (DeliveryCounter) or in a receiver host process. */
export interface Counter {
  readonly total: number;
  until(total: number, timeoutMs: number): Promise<void>;
}

/** One side of the comparison: a server, N receivers in ROOM, and one sender. */
interface FanoutSide {
  round(messages: number): Promise<RoundResult>;
  close(): Promise<void>;
}

interface ChatMessage {
  id: number;
  roomId: string;
  from: string;
  text: string;
  sentAt: number;
}

/** Both sides' clients: real connections (no multiplexing), websocket only, no reconnection. */
export function clientOptions(): { transports: string[]; reconnection: boolean; forceNew: boolean } {
  return { transports: ['websocket'], reconnection: false, forceNew: true };
}

/**
 * Sends `messages` chat messages in windows and resolves when every receiver got every one of them.
 * In flight stays bounded by the window, so this measures delivery, not buffering.
 */
export async function timedRound(
  counter: Counter,
  receivers: number,
  messages: number,
  window: number,
  send: () => void,
): Promise<RoundResult> {
  const start = counter.total;
  const began = performance.now();
  for (let sent = 0; sent < messages; ) {
    const count = Math.min(window, messages - sent);
    sent += count;
    const reached = counter.until(start + sent * receivers, WINDOW_TIMEOUT_MS);
    for (let i = 0; i < count; i++) send();
    await reached;
  }
  return { deliveries: messages * receivers, elapsedMs: performance.now() - began };
}

function rawConnected(socket: RawClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

/** Plain socket.io: no contract, no validation; the handler broadcasts what it got. */
async function startBaseline(receivers: number, window: number): Promise<FanoutSide> {
  const httpServer = createHttpServer();
  const io = new IoServer(httpServer);
  let nextId = 0;
  io.on('connection', (socket) => {
    socket.on('join', async (payload: { roomId: string }, ack: (result: unknown) => void) => {
      await socket.join(payload.roomId);
      ack({ ok: true, data: { roomId: payload.roomId } });
    });
    socket.on('chat', (payload: { roomId: string; text: string }) => {
      const message: ChatMessage = {
        id: ++nextId,
        roomId: payload.roomId,
        from: socket.id,
        text: payload.text,
        sentAt: Date.now(),
      };
      socket.to(payload.roomId).emit('message', message);
    });
  });
  const url = await listen(httpServer);
  const sockets: RawClientSocket[] = [];
  let host: ReceiverHost | undefined;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.disconnect();
    await host?.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  };
  try {
    let counter: Counter;
    if (receivers >= HOSTED_FROM) {
      host = await startReceiverHost('baseline', url, receivers);
      counter = host;
    } else {
      const local = new DeliveryCounter();
      await joinRawReceivers(url, receivers, local, sockets);
      counter = local;
    }
    const sender = await connectRaw(url, sockets);
    const send = (): void => {
      sender.emit('chat', { roomId: ROOM, text: SAMPLE_TEXT });
    };
    return { round: (messages) => timedRound(counter, receivers, messages, window, send), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function connectRaw(url: string, sockets: RawClientSocket[]): Promise<RawClientSocket> {
  const socket = rawIo(url, clientOptions());
  sockets.push(socket);
  await rawConnected(socket);
  return socket;
}

/** Connects `count` plain socket.io receivers to `url`, each joined to ROOM, counting every `message`. */
export async function joinRawReceivers(
  url: string,
  count: number,
  counter: DeliveryCounter,
  sockets: RawClientSocket[],
): Promise<void> {
  await inBatches(count, CONNECT_CONCURRENCY, async () => {
    const socket = await connectRaw(url, sockets);
    await socket.timeout(10_000).emitWithAck('join', { roomId: ROOM });
    socket.on('message', counter.hit);
  });
}

/** Resolves once `client` is connected; rejects when it gives up first. */
export function clientConnected<C extends AnyContract>(client: ChatwireClient<C>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.status === 'connected') return resolve();
    const off = client.onStatus((status, error) => {
      if (status === 'connected') {
        off();
        resolve();
      } else if (status === 'disconnected' || status === 'closed') {
        off();
        reject(error ?? new Error(`client ${status}`));
      }
    });
  });
}

/** The chatwire side's handlers: join a room; relay each chat line to the rest of the room. */
export function handleFanout(server: ChatwireServer<typeof fanoutContract>): void {
  let nextId = 0;
  server.on('join', async ({ payload, socket }) => {
    await socket.join(payload.roomId);
    return { roomId: payload.roomId };
  });
  server.on('chat', ({ payload, socket }) => {
    socket.to(payload.roomId).emit('message', {
      id: ++nextId,
      roomId: payload.roomId,
      from: socket.id,
      text: payload.text,
      sentAt: Date.now(),
    });
  });
}

/** chatwire: typed server with validation both ways, typed clients whose `on` validates each delivery. */
async function startChatwire(receivers: number, window: number): Promise<FanoutSide> {
  const local = new DeliveryCounter();
  const fail = (message: string, meta?: Record<string, unknown>): void => {
    local.fail(new Error(`${message} ${JSON.stringify(meta ?? {})}`));
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: fail, error: fail };
  const httpServer = createHttpServer();
  const server = createServer(fanoutContract, {
    httpServer,
    validateOutgoing: true,
    logger,
    eventRateLimit: SENDER_EVENT_BUDGET,
  });
  handleFanout(server);
  const url = await listen(httpServer);
  const clients: ChatwireClient<typeof fanoutContract>[] = [];
  let host: ReceiverHost | undefined;
  const close = async (): Promise<void> => {
    for (const client of clients) client.close();
    await host?.close();
    await server.close();
  };
  try {
    let counter: Counter = local;
    if (receivers >= HOSTED_FROM) {
      host = await startReceiverHost('chatwire', url, receivers);
      counter = host;
    } else {
      await joinTypedReceivers(url, receivers, local, clients);
    }
    const sender = await connectTyped(url, clients, fail);
    const send = (): void => {
      sender.emit('chat', { roomId: ROOM, text: SAMPLE_TEXT });
    };
    return { round: (messages) => timedRound(counter, receivers, messages, window, send), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What the Node clients use: the contract compiled once (`compileContract`), as docs/performance.md advises on Node. */
const clientContract = compileContract(fanoutContract);

async function connectTyped(
  url: string,
  clients: ChatwireClient<typeof fanoutContract>[],
  fail: (message: string) => void,
): Promise<ChatwireClient<typeof fanoutContract>> {
  const client = createClient(clientContract, url, {
    ...clientOptions(),
    onInvalid: ({ event, error }) => fail(`invalid "${event}" from the server: ${error.message}`),
  });
  client.onError((error) => fail(`the server refused "${error.event}": ${error.message}`));
  clients.push(client);
  await clientConnected(client);
  return client;
}

/**
 * Connects `count` typed receivers to `url`, each joined to ROOM, counting every `message` (which
 * `on` validates); an invalid delivery or a refusal fails `counter`.
 */
export async function joinTypedReceivers(
  url: string,
  count: number,
  counter: DeliveryCounter,
  clients: ChatwireClient<typeof fanoutContract>[],
): Promise<void> {
  const fail = (message: string): void => counter.fail(new Error(message));
  await inBatches(count, CONNECT_CONCURRENCY, async () => {
    const client = await connectTyped(url, clients, fail);
    const joined = await client.request('join', { roomId: ROOM });
    if (!joined.ok) throw new Error(`join refused: ${joined.error.message}`);
    client.on('message', counter.hit);
  });
}

async function runSize(receivers: number, context: CaseContext): Promise<void> {
  const label = `fanout n=${receivers}`;
  const window = Math.max(1, Math.round(DELIVERIES_PER_WINDOW / receivers));
  const began = performance.now();
  const sides: FanoutSide[] = [];
  try {
    const baseline = await startBaseline(receivers, window);
    sides.push(baseline);
    const chatwire = await startChatwire(receivers, window);
    sides.push(chatwire);
    log(
      `[${label}] ${receivers} receivers per side connected and joined in ${(performance.now() - began).toFixed(0)} ms`,
    );
    const result = await compareAlternating({
      label,
      baseline: baseline.round,
      chatwire: chatwire.round,
      rounds: context.rounds,
      warmupMessages: Math.max(window, Math.round(WARMUP_DELIVERIES / receivers / window) * window),
      targetRoundMs: TARGET_ROUND_MS,
      messageStep: window,
    });
    context.report({
      scenario: 'fanout',
      n: receivers,
      baselinePerSec: roundRate(result.baselinePerSec),
      chatwirePerSec: roundRate(result.chatwirePerSec),
      ratio: roundRatio(result.ratio),
      pairedRatio: roundRatio(result.pairedRatio),
      rounds: result.rounds,
      messages: result.messages,
      window,
      ...(receivers >= HOSTED_FROM ? { receiversInChildProcess: true } : {}),
    });
  } finally {
    for (const side of sides) await side.close();
  }
}

export const fanout: BenchCase = {
  name: 'fanout',
  description: `one sender → N receivers in one room (N = ${SIZES.join(', ')}): deliveries per second`,
  async run(context) {
    for (const receivers of SIZES) await runSize(receivers, context);
  },
};
