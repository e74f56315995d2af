import { createServer as createHttpServer } from 'node:http';
import { loadavg } from 'node:os';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { type ChatwireClient, createClient } from '@chatwire/client';
import { type ChatContract, chatContract, type MessagePage } from '@chatwire/protocol';
import { compileContract } from '@chatwire/protocol/compile';
import { createChatServer, type Logger, type Store } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { Server as IoServer } from 'socket.io';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { sized } from '../bench-env.js';
import { closedLoopRound, isOkEnvelope, type Latency, latencySummary, roundMs, type Send } from '../closed-loop.js';
import { type SeededStore, seededPostgres, seededSqlite } from '../history-seed.js';
import { compareAlternating, log, median, type RoundResult } from '../measure.js';
import { listen, SENDER_EVENT_BUDGET, TARGET_ROUND_MS, withTimeout } from '../support.js';
import { clientConnected, clientOptions } from './fanout.js';

/** Messages in the room. */
const MESSAGES = sized(1_000_000, 20_000);
const PAGE = 50;
const WARMUP_REQUESTS = sized(500, 100);
const ACK_TIMEOUT_MS = 10_000;
const ROOM = 'history-room';
const READER = { userId: 'reader', name: 'Reader' };

/** Half the pages are the latest, half end at a random serial (deep `before` cursors). */
function randomQuery(): { roomId: string; limit: number; before?: number } {
  if (Math.random() < 0.5) return { roomId: ROOM, limit: PAGE };
  return { roomId: ROOM, limit: PAGE, before: PAGE + 1 + Math.floor(Math.random() * (MESSAGES - PAGE)) };
}

/** A full page must come back: 50 messages, ending just before the cursor. */
function checkPage(page: MessagePage, before: number | undefined): void {
  const last = page.messages.at(-1)?.serial;
  const expected = (before ?? MESSAGES + 1) - 1;
  if (page.messages.length !== PAGE || last !== expected) {
    throw new Error(
      `history: ${page.messages.length} messages ending at ${last}, expected ${PAGE} ending at ${expected}`,
    );
  }
}

interface HistorySide {
  round(requests: number): Promise<RoundResult>;
  readonly latencies: Latency[];
  /** Each round: when it ran (performance.now()) and its requests. */
  readonly rounds: RoundWindow[];
  close(): Promise<void>;
}

interface RoundWindow {
  began: number;
  ended: number;
  requests: number;
}

/** A closed loop of `send` (one request in flight), timing each request, and each round's span. */
function measuredLoop(send: Send): Pick<HistorySide, 'round' | 'latencies' | 'rounds'> {
  const latencies: Latency[] = [];
  const rounds: RoundWindow[] = [];
  const round = async (requests: number): Promise<RoundResult> => {
    const began = performance.now();
    const result = await closedLoopRound([send], requests, latencies);
    rounds.push({ began, ended: performance.now(), requests: result.deliveries });
    return result;
  };
  return { round, latencies, rounds };
}

/** A GC pause of the process: when it began (performance.now()) and how long it took, in ms. */
interface GcPause {
  start: number;
  duration: number;
}

/** Per side, the median over its measured rounds (the warm-up left out) of GC pause ms per 1000 requests. */
function gcMsPerKRequests(side: HistorySide, pauses: readonly GcPause[]): number {
  const gcMs = (round: RoundWindow) =>
    pauses.filter((p) => p.start >= round.began && p.start < round.ended).reduce((sum, p) => sum + p.duration, 0);
  return median(side.rounds.slice(1).map((round) => (gcMs(round) / round.requests) * 1000));
}

/** Plain socket.io on the same store: the handler asks the store for the page and acks it, nothing else. */
async function startBaseline(store: Store): Promise<HistorySide> {
  const httpServer = createHttpServer();
  const io = new IoServer(httpServer);
  io.on('connection', (socket) => {
    socket.on('history:fetch', async (query: { roomId: string; before?: number; limit: number }, ack) => {
      const page = await store.history(query.roomId, { before: query.before, limit: query.limit });
      ack({ ok: true, data: page });
    });
  });
  const url = await listen(httpServer);
  const socket: RawClientSocket = rawIo(url, clientOptions());
  const close = async (): Promise<void> => {
    socket.disconnect();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const send = async (): Promise<void> => {
    const query = randomQuery();
    const answer: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('history:fetch', query);
    if (!isOkEnvelope(answer)) throw new Error(`baseline history refused: ${JSON.stringify(answer)}`);
    checkPage((answer as { data: MessagePage }).data, query.before);
  };
  return { ...measuredLoop(send), close };
}

/** A ChatServer on the store (its request budgets far above what one client asks); a typed client (validating each page) that joined the room fetches. */
async function startChatwire(store: Store): Promise<HistorySide> {
  const fail = (message: string, meta?: Record<string, unknown>): void => {
    throw new Error(`chatwire: ${message} ${JSON.stringify(meta ?? {})}`);
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: fail, error: fail };
  const httpServer = createHttpServer();
  const chat = createChatServer({
    httpServer,
    store,
    authenticate: devAuthenticator(),
    rateLimit: false,
    actionRateLimit: false,
    eventRateLimit: SENDER_EVENT_BUDGET,
    logger,
  });
  const url = await listen(httpServer);
  const client: ChatwireClient<ChatContract> = createClient(compileContract(chatContract), url, {
    ...clientOptions(),
    auth: READER,
  });
  const close = async (): Promise<void> => {
    client.close();
    await chat.close();
  };
  try {
    await clientConnected(client);
    const joined = await client.request('room:join', { roomId: ROOM });
    if (!joined.ok) throw new Error(`chatwire join refused: ${joined.error.message}`);
    const send = async (): Promise<void> => {
      const query = randomQuery();
      const answer = await client.request('history:fetch', query, { timeoutMs: ACK_TIMEOUT_MS });
      if (!answer.ok) throw new Error(`chatwire history refused: ${answer.error.code} ${answer.error.message}`);
      checkPage(answer.data, query.before);
    };
    return { ...measuredLoop(send), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function runStore(kind: 'sqlite' | 'postgres', context: CaseContext): Promise<void> {
  const label = `history ${kind}`;
  const seeded: SeededStore = await (kind === 'sqlite' ? seededSqlite(ROOM, MESSAGES) : seededPostgres(ROOM, MESSAGES));
  if (seeded.cached) log(`[${label}] ${MESSAGES} messages, seeded by an earlier run`);
  const sides: HistorySide[] = [];
  const pauses: GcPause[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push({ start: entry.startTime, duration: entry.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  try {
    const baseline = await startBaseline(seeded.store);
    sides.push(baseline);
    const chatwire = await startChatwire(seeded.store);
    sides.push(chatwire);
    const result = await withTimeout(
      compareAlternating({
        label,
        baseline: baseline.round,
        chatwire: chatwire.round,
        rounds: context.rounds,
        warmupMessages: WARMUP_REQUESTS,
        targetRoundMs: TARGET_ROUND_MS,
        messageStep: 10,
        // The young generation only: the sweeping that follows a full collection would run on V8's
        // helper threads during the round, beside PostgreSQL's backend, and lengthen the tail of both sides.
        collectBeforeRound: 'young',
      }),
      10 * 60_000,
      `${label} took more than 10 minutes`,
    );
    // The observer hears of the last pauses in a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const baselineLatency = latencySummary(baseline.latencies);
    const chatwireLatency = latencySummary(chatwire.latencies);
    context.report({
      scenario: 'history',
      store: kind,
      messages: MESSAGES,
      pageSize: PAGE,
      p50Ms: roundMs(chatwireLatency.p50),
      p99Ms: roundMs(chatwireLatency.p99),
      baselineP50Ms: roundMs(baselineLatency.p50),
      baselineP99Ms: roundMs(baselineLatency.p99),
      cpuUsPerRequest: Math.round(result.chatwireCpuUs),
      baselineCpuUsPerRequest: Math.round(result.baselineCpuUs),
      gcMsPerKRequests: roundMs(gcMsPerKRequests(chatwire, pauses)),
      baselineGcMsPerKRequests: roundMs(gcMsPerKRequests(baseline, pauses)),
      baselinePerSec: roundRate(result.baselinePerSec),
      chatwirePerSec: roundRate(result.chatwirePerSec),
      ratio: roundRatio(result.ratio),
      pairedRatio: roundRatio(result.pairedRatio),
      rounds: result.rounds,
      requests: result.messages,
      loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    });
  } finally {
    gc.disconnect();
    // The chatwire side closes the store (ChatServer.close closes its store); the baseline first.
    for (const side of sides) await side.close();
    await seeded.store.close();
  }
}

export const history: BenchCase = {
  name: 'history',
  description: `random history:fetch pages of ${PAGE} (latest and deep cursors) in a room of ${MESSAGES} messages, SQLite and PostgreSQL: latency p50/p99`,
  async run(context) {
    for (const kind of ['sqlite', 'postgres'] as const) {
      if (context.store === undefined || context.store === kind) await runStore(kind, context);
    }
  },
};
