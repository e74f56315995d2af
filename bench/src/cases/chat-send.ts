import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ChatwireClient, createClient } from '@chatwire/client';
import { type ChatContract, type ChatUser, chatContract, type Message } from '@chatwire/protocol';
import { createChatServer, type Logger } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { SqliteStore } from '@chatwire/server/sqlite';
import { Server as IoServer } from 'socket.io';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { compareAlternating, log, median, type RoundResult } from '../measure.js';
import { DeliveryCounter, inBatches, listen, SAMPLE_TEXT, TARGET_ROUND_MS, withTimeout } from '../support.js';

/** Senders, all in one room: each send is also delivered to all of them as `message:new`. */
const CLIENTS = 50;
/** Sends per client in each side's warm-up round (it also sizes the measured rounds). */
const WARMUP_PER_CLIENT = 40;
const ACK_TIMEOUT_MS = 10_000;
/** How long the broadcasts of a round's last sends may take to reach every member. */
const DRAIN_TIMEOUT_MS = 30_000;
const CONNECT_CONCURRENCY = 25;

const ROOM = 'bench-room';

/** Ack latencies of one round, in ms. */
interface Latency {
  p50: number;
  p99: number;
}

/** One side of the comparison: a server, CLIENTS senders in ROOM. */
interface SendSide {
  round(messages: number): Promise<RoundResult>;
  /** p50/p99 of every round so far, in order (the first one is the warm-up). */
  readonly latencies: Latency[];
  close(): Promise<void>;
}

/** Sends one message and resolves when its ack came back ok; rejects otherwise. */
type Send = () => Promise<void>;

/** Both sides' clients: real connections (no multiplexing), websocket only, no reconnection. */
function clientOptions(): { transports: string[]; reconnection: boolean; forceNew: boolean } {
  return { transports: ['websocket'], reconnection: false, forceNew: true };
}

const userOf = (index: number): ChatUser => ({ userId: `user-${index}`, name: `User ${index}` });

/** The `q` quantile (nearest rank) of ascending `sorted`. */
function quantile(sorted: Float64Array, q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/**
 * Every sender sends in a closed loop (send, wait for the ack, send again) until the round's
 * `messages` are acked; each ack's latency is recorded. The clock stops at the last ack; then the
 * round waits (untimed) until every member got every broadcast, so that the next round starts clean.
 */
async function closedLoopRound(
  senders: readonly Send[],
  counter: DeliveryCounter,
  messages: number,
  latencies: Latency[],
): Promise<RoundResult> {
  const perSender = Math.max(1, Math.round(messages / senders.length));
  const total = perSender * senders.length;
  const samples = new Float64Array(total);
  let taken = 0;
  const deliveriesBefore = counter.total;
  const began = performance.now();
  await Promise.all(
    senders.map(async (send) => {
      for (let i = 0; i < perSender; i++) {
        const sentAt = performance.now();
        await send();
        samples[taken++] = performance.now() - sentAt;
      }
    }),
  );
  const elapsedMs = performance.now() - began;
  await counter.until(deliveriesBefore + total * senders.length, DRAIN_TIMEOUT_MS);
  samples.sort();
  latencies.push({ p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) });
  return { deliveries: total, elapsedMs };
}

interface SendPayload {
  roomId: string;
  clientMessageId: string;
  text: string;
}

function isOkEnvelope(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === true;
}

/**
 * Plain socket.io, no storage and no checks: the handler makes the same message (a counter for the
 * serial), broadcasts it to the room as `message:new` and acks `{ ok: true, data: message }`.
 */
async function startBaseline(): Promise<SendSide> {
  const httpServer = createHttpServer();
  const io = new IoServer(httpServer);
  let serial = 0;
  io.on('connection', (socket) => {
    const auth = socket.handshake.auth as Partial<ChatUser>;
    const author: ChatUser = { userId: String(auth.userId), name: String(auth.name) };
    socket.on('room:join', async (payload: { roomId: string }, ack: (result: unknown) => void) => {
      await socket.join(payload.roomId);
      ack({ ok: true, data: { roomId: payload.roomId, lastSerial: serial, members: [] } });
    });
    socket.on('message:send', (payload: SendPayload, ack: (result: unknown) => void) => {
      const message: Message = {
        id: randomUUID(),
        roomId: payload.roomId,
        serial: ++serial,
        clientMessageId: payload.clientMessageId,
        author,
        text: payload.text,
        createdAt: Date.now(),
        reactions: {},
      };
      io.to(payload.roomId).emit('message:new', message);
      ack({ ok: true, data: message });
    });
  });
  const url = await listen(httpServer);
  const counter = new DeliveryCounter();
  const sockets: RawClientSocket[] = [];
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.disconnect();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  };
  try {
    const senders = await inBatches(CLIENTS, CONNECT_CONCURRENCY, async (index): Promise<Send> => {
      const socket = rawIo(url, { ...clientOptions(), auth: userOf(index) });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const joined: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { roomId: ROOM });
      if (!isOkEnvelope(joined)) throw new Error(`baseline join refused: ${JSON.stringify(joined)}`);
      socket.on('message:new', counter.hit);
      return async () => {
        const payload: SendPayload = { roomId: ROOM, clientMessageId: randomUUID(), text: SAMPLE_TEXT };
        const result: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', payload);
        if (!isOkEnvelope(result)) throw new Error(`baseline send refused: ${JSON.stringify(result)}`);
      };
    });
    const latencies: Latency[] = [];
    return {
      round: (messages) => closedLoopRound(senders, counter, messages, latencies),
      latencies,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function clientConnected(client: ChatwireClient<ChatContract>): Promise<void> {
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

/**
 * chatwire: createChatServer on a SqliteStore file (WAL), rate limit off, outgoing validation on;
 * typed clients of the chat contract sending with `request('message:send')`, which validates the
 * payload and the ack; their `on('message:new')` validates every broadcast.
 */
async function startChatwire(): Promise<SendSide> {
  const counter = new DeliveryCounter();
  const fail = (message: string, meta?: Record<string, unknown>): void => {
    counter.fail(new Error(`${message} ${JSON.stringify(meta ?? {})}`));
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: fail, error: fail };
  const dir = await mkdtemp(join(tmpdir(), 'chatwire-bench-'));
  const store = new SqliteStore({ path: join(dir, 'chat.db') });
  const httpServer = createHttpServer();
  const chat = createChatServer({
    httpServer,
    store,
    authenticate: devAuthenticator(),
    rateLimit: false,
    validateOutgoing: true,
    logger,
  });
  const url = await listen(httpServer);
  const clients: ChatwireClient<ChatContract>[] = [];
  const close = async (): Promise<void> => {
    for (const client of clients) client.close();
    await chat.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const senders = await inBatches(CLIENTS, CONNECT_CONCURRENCY, async (index): Promise<Send> => {
      const client = createClient(chatContract, url, {
        ...clientOptions(),
        auth: userOf(index),
        onInvalid: ({ event, error }) => fail(`invalid "${event}" from the server: ${error.message}`),
      });
      clients.push(client);
      await clientConnected(client);
      const joined = await client.request('room:join', { roomId: ROOM });
      if (!joined.ok) throw new Error(`chatwire join refused: ${joined.error.message}`);
      client.on('message:new', counter.hit);
      return async () => {
        const sent = await client.request(
          'message:send',
          { roomId: ROOM, clientMessageId: randomUUID(), text: SAMPLE_TEXT },
          { timeoutMs: ACK_TIMEOUT_MS },
        );
        if (!sent.ok) throw new Error(`chatwire send refused: ${sent.error.code} ${sent.error.message}`);
      };
    });
    const latencies: Latency[] = [];
    return {
      round: (messages) => closedLoopRound(senders, counter, messages, latencies),
      latencies,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Median p50 and p99 of the measured rounds (the first entry, the warm-up, left out). */
function latencySummary(latencies: readonly Latency[]): Latency {
  const measured = latencies.slice(1);
  return { p50: median(measured.map((l) => l.p50)), p99: median(measured.map((l) => l.p99)) };
}

const roundMs = (value: number): number => Math.round(value * 100) / 100;

async function run(context: CaseContext): Promise<void> {
  const label = `chat-send clients=${CLIENTS}`;
  const began = performance.now();
  const sides: SendSide[] = [];
  try {
    const baseline = await startBaseline();
    sides.push(baseline);
    const chatwire = await startChatwire();
    sides.push(chatwire);
    log(`[${label}] ${CLIENTS} senders per side connected and joined in ${(performance.now() - began).toFixed(0)} ms`);
    const result = await withTimeout(
      compareAlternating({
        label,
        baseline: baseline.round,
        chatwire: chatwire.round,
        rounds: context.rounds,
        warmupMessages: CLIENTS * WARMUP_PER_CLIENT,
        targetRoundMs: TARGET_ROUND_MS,
        messageStep: CLIENTS,
      }),
      10 * 60_000,
      `${label} took more than 10 minutes`,
    );
    const baselineLatency = latencySummary(baseline.latencies);
    const chatwireLatency = latencySummary(chatwire.latencies);
    context.report({
      scenario: 'chat-send',
      clients: CLIENTS,
      baselinePerSec: roundRate(result.baselinePerSec),
      chatwirePerSec: roundRate(result.chatwirePerSec),
      ratio: roundRatio(result.ratio),
      baselineP50Ms: roundMs(baselineLatency.p50),
      baselineP99Ms: roundMs(baselineLatency.p99),
      chatwireP50Ms: roundMs(chatwireLatency.p50),
      chatwireP99Ms: roundMs(chatwireLatency.p99),
      pairedRatio: roundRatio(result.pairedRatio),
      rounds: result.rounds,
      messages: result.messages,
    });
  } finally {
    for (const side of sides) await side.close();
  }
}

export const chatSend: BenchCase = {
  name: 'chat-send',
  description: `${CLIENTS} clients in one room send with ack in closed loops: acked messages/s, ack latency p50/p99`,
  run,
};
