import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ChatwireClient, createClient } from '@chatwire/client';
import { type ChatContract, type ChatUser, chatContract, type Message } from '@chatwire/protocol';
import { compileContract } from '@chatwire/protocol/compile';
import { createChatServer, type Logger } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import Database from 'better-sqlite3';
import { Server as IoServer } from 'socket.io';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { sized } from '../bench-env.js';
import { closedLoopRound, isOkEnvelope, type Latency, latencySummary, roundMs, type Send } from '../closed-loop.js';
import { collectGarbage, compareSides, log, pairedRatio, type RoundResult, withCpuTime } from '../measure.js';
import { type BenchStore, type StoreKind, scratchStore } from '../stores.js';
import {
  DeliveryCounter,
  inBatches,
  listen,
  SAMPLE_TEXT,
  SENDER_EVENT_BUDGET,
  TARGET_ROUND_MS,
  withTimeout,
} from '../support.js';
import { clientConnected, clientOptions } from './fanout.js';

/** One configuration: one result line each. */
interface Setup {
  store: StoreKind;
  rooms: number;
  clientsPerRoom: number;
}

/** Today's one busy room, then many small rooms on each store. */
const SETUPS: readonly Setup[] = [
  { store: 'sqlite', rooms: 1, clientsPerRoom: sized(50, 10) },
  { store: 'sqlite', rooms: sized(200, 10), clientsPerRoom: 5 },
  { store: 'postgres', rooms: sized(200, 10), clientsPerRoom: 5 },
  { store: 'memory', rooms: sized(200, 10), clientsPerRoom: 5 },
];
/** Sends per client in each side's warm-up round (it also sizes the measured rounds). */
const WARMUP_MESSAGES = sized(2000, 200);
const ACK_TIMEOUT_MS = 60_000;
/** How long the broadcasts of a round's last sends may take to reach every member. */
const DRAIN_TIMEOUT_MS = 30_000;
const CONNECT_CONCURRENCY = 25;

/** What the Node clients use: the contract compiled once (`compileContract`), as docs/performance.md advises on Node. */
const clientContract = compileContract(chatContract);

const roomOf = (client: number, setup: Setup): string => `bench-room-${Math.floor(client / setup.clientsPerRoom)}`;

/** One side of the comparison: a server, `rooms × clientsPerRoom` senders. */
interface SendSide {
  round(messages: number): Promise<RoundResult>;
  /** p50/p99 of every round so far, in order (the first one is the warm-up). */
  readonly latencies: Latency[];
  close(): Promise<void>;
}

const userOf = (index: number): ChatUser => ({ userId: `user-${index}`, name: `User ${index}` });

/** Every member of every room gets each send of its room: the round drains those broadcasts. */
function drainBroadcasts(counter: DeliveryCounter, setup: Setup): (acked: number) => Promise<void> {
  let expected = 0;
  return (acked) => {
    expected += acked * setup.clientsPerRoom;
    return counter.until(expected, DRAIN_TIMEOUT_MS);
  };
}

interface SendPayload {
  roomId: string;
  clientMessageId: string;
  text: string;
}

/** A step of the baseline's handler that keeps the message before it is broadcast. */
type Persist = (message: Message) => void;

/**
 * What a hand-written socket.io app that keeps its messages in SQLite would do, and no more: one
 * table, one prepared `INSERT` per message (its own implicit transaction), WAL with
 * `synchronous = NORMAL` as SqliteStore. No idempotency, read markers, search or memberships.
 */
async function handWrittenSqlite(): Promise<{ persist: Persist; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'chatwire-bench-'));
  const db = new Database(join(dir, 'chat.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE messages (
    room_id TEXT NOT NULL, serial INTEGER NOT NULL, id TEXT NOT NULL, client_message_id TEXT NOT NULL,
    author_id TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, serial)) WITHOUT ROWID`);
  const insert = db.prepare<[string, number, string, string, string, string, string, number]>(
    'INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  return {
    persist: (m) => {
      insert.run(m.roomId, m.serial, m.id, m.clientMessageId, m.author.userId, m.author.name, m.text, m.createdAt);
    },
    dispose: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Plain socket.io, no checks: the handler makes the same message (a counter for the serial), keeps it
 * if given `persist` (no storage otherwise), broadcasts it to the room as `message:new` and acks
 * `{ ok: true, data: message }`.
 */
async function startBaseline(setup: Setup, persist?: Persist): Promise<SendSide> {
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
      persist?.(message);
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
    const clientCount = setup.rooms * setup.clientsPerRoom;
    const senders = await inBatches(clientCount, CONNECT_CONCURRENCY, async (index): Promise<Send> => {
      const socket = rawIo(url, { ...clientOptions(), auth: userOf(index) });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const roomId = roomOf(index, setup);
      const joined: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { roomId });
      if (!isOkEnvelope(joined)) throw new Error(`baseline join refused: ${JSON.stringify(joined)}`);
      socket.on('message:new', counter.hit);
      return async () => {
        const payload: SendPayload = { roomId, clientMessageId: randomUUID(), text: SAMPLE_TEXT };
        const result: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', payload);
        if (!isOkEnvelope(result)) throw new Error(`baseline send refused: ${JSON.stringify(result)}`);
      };
    });
    const latencies: Latency[] = [];
    const drain = drainBroadcasts(counter, setup);
    return {
      round: (messages) => closedLoopRound(senders, messages, latencies, drain),
      latencies,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * chatwire: createChatServer on the setup's store, rate limit off, outgoing validation on;
 * typed clients of the chat contract sending with `request('message:send')`, which validates the
 * payload and the ack; their `on('message:new')` validates every broadcast.
 */
async function startChatwire(setup: Setup): Promise<SendSide> {
  const counter = new DeliveryCounter();
  const fail = (message: string, meta?: Record<string, unknown>): void => {
    counter.fail(new Error(`${message} ${JSON.stringify(meta ?? {})}`));
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: fail, error: fail };
  const { store, dispose }: BenchStore = await scratchStore(setup.store);
  const httpServer = createHttpServer();
  const chat = createChatServer({
    httpServer,
    store,
    authenticate: devAuthenticator(),
    rateLimit: false,
    // The per-connection event budget stays on, far above what a sender sends (a fast machine went past the default).
    eventRateLimit: SENDER_EVENT_BUDGET,
    validateOutgoing: true,
    logger,
  });
  const url = await listen(httpServer);
  const clients: ChatwireClient<ChatContract>[] = [];
  const close = async (): Promise<void> => {
    for (const client of clients) client.close();
    await chat.close();
    await dispose();
  };
  try {
    const clientCount = setup.rooms * setup.clientsPerRoom;
    const senders = await inBatches(clientCount, CONNECT_CONCURRENCY, async (index): Promise<Send> => {
      const client = createClient(clientContract, url, {
        ...clientOptions(),
        auth: userOf(index),
        onInvalid: ({ event, error }) => fail(`invalid "${event}" from the server: ${error.message}`),
      });
      clients.push(client);
      await clientConnected(client);
      const roomId = roomOf(index, setup);
      const joined = await client.request('room:join', { roomId });
      if (!joined.ok) throw new Error(`chatwire join refused: ${joined.error.message}`);
      client.on('message:new', counter.hit);
      return async () => {
        const sent = await client.request(
          'message:send',
          { roomId, clientMessageId: randomUUID(), text: SAMPLE_TEXT },
          { timeoutMs: ACK_TIMEOUT_MS },
        );
        if (!sent.ok) throw new Error(`chatwire send refused: ${sent.error.code} ${sent.error.message}`);
      };
    });
    const latencies: Latency[] = [];
    const drain = drainBroadcasts(counter, setup);
    return {
      round: (messages) => closedLoopRound(senders, messages, latencies, drain),
      latencies,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** ChatServer's default `activityMaxMembers`: a send reads up to one more member than that. */
const ACTIVITY_MEMBERS_READ = 101;

/**
 * The store's part of a send, alone: the calls ChatServer makes to the store for each send (the retry
 * lookup and the sender's restrictions in one `sendCheck`, the append, the members the `room:activity`
 * notice goes to), made by every sender of the setup at once, as the bench's closed loop makes them,
 * on a fresh store of the setup's kind whose rooms have the bench's members. The CPU time of this
 * process per send, in µs (for PostgreSQL, the client's side only: the database's own work runs in
 * its server).
 */
async function storeCpuUs(setup: Setup, messages: number): Promise<number> {
  const { store, dispose }: BenchStore = await scratchStore(setup.store);
  try {
    const clients = setup.rooms * setup.clientsPerRoom;
    const users = Array.from({ length: clients }, (_, index) => userOf(index));
    for (const [index, user] of users.entries()) await store.addMember(roomOf(index, setup), user.userId, 1000);
    const wave = () =>
      Promise.all(
        users.map(async (author, index) => {
          const roomId = roomOf(index, setup);
          const clientMessageId = randomUUID();
          const now = Date.now();
          await store.sendCheck(roomId, author.userId, clientMessageId, now);
          await store.append({ roomId, clientMessageId, author, text: SAMPLE_TEXT, createdAt: now, system: false });
          await store.roomMembers(roomId, ACTIVITY_MEMBERS_READ);
        }),
      );
    const waves = Math.max(1, Math.round(messages / clients));
    for (let i = 0; i < waves; i++) await wave();
    collectGarbage();
    const { cpuUs } = await withCpuTime(async () => {
      for (let i = 0; i < waves; i++) await wave();
    });
    return cpuUs / (waves * clients);
  } finally {
    await dispose();
  }
}

async function runSetup(setup: Setup, context: CaseContext): Promise<void> {
  const clients = setup.rooms * setup.clientsPerRoom;
  const label = `chat-send ${setup.store} ${setup.rooms}×${setup.clientsPerRoom}`;
  const began = performance.now();
  const sides: SendSide[] = [];
  // On SQLite, a third side: the baseline keeping each message in SQLite as a hand-written app would.
  const handWritten = setup.store === 'sqlite' ? await handWrittenSqlite() : undefined;
  try {
    const baseline = await startBaseline(setup);
    sides.push(baseline);
    const chatwire = await startChatwire(setup);
    sides.push(chatwire);
    const stored = handWritten && (await startBaseline(setup, handWritten.persist));
    if (stored !== undefined) sides.push(stored);
    log(`[${label}] ${clients} senders per side connected and joined in ${(performance.now() - began).toFixed(0)} ms`);
    const result = await withTimeout(
      compareSides({
        label,
        sides: [
          { name: 'baseline', round: baseline.round },
          { name: 'chatwire', round: chatwire.round },
          ...(stored === undefined ? [] : [{ name: 'hand-written SQLite', round: stored.round }]),
        ],
        rounds: context.rounds,
        warmupMessages: Math.max(clients, Math.round(WARMUP_MESSAGES / clients) * clients),
        targetRoundMs: TARGET_ROUND_MS,
        messageStep: clients,
      }),
      10 * 60_000,
      `${label} took more than 10 minutes`,
    );
    const [baselinePerSec, chatwirePerSec, storedPerSec] = result.perSec as [number, number, number?];
    const [baselineRates, chatwireRates, storedRates] = result.rates as [number[], number[], number[]?];
    const [baselineCpuUs, chatwireCpuUs, storedCpuUs] = result.cpuUs as [number, number, number?];
    const baselineLatency = latencySummary(baseline.latencies);
    const chatwireLatency = latencySummary(chatwire.latencies);
    const storeAlone = await storeCpuUs(setup, result.messages);
    context.report({
      scenario: 'chat-send',
      store: setup.store,
      rooms: setup.rooms,
      clientsPerRoom: setup.clientsPerRoom,
      baselinePerSec: roundRate(baselinePerSec),
      chatwirePerSec: roundRate(chatwirePerSec),
      ratio: roundRatio(chatwirePerSec / baselinePerSec),
      baselineP50Ms: roundMs(baselineLatency.p50),
      baselineP99Ms: roundMs(baselineLatency.p99),
      chatwireP50Ms: roundMs(chatwireLatency.p50),
      chatwireP99Ms: roundMs(chatwireLatency.p99),
      pairedRatio: roundRatio(pairedRatio(chatwireRates, baselineRates)),
      baselineCpuUsPerMessage: Math.round(baselineCpuUs),
      chatwireCpuUsPerMessage: Math.round(chatwireCpuUs),
      storeCpuUsPerMessage: Math.round(storeAlone),
      ...(storedPerSec === undefined || storedRates === undefined || storedCpuUs === undefined
        ? {}
        : {
            handWrittenSqlitePerSec: roundRate(storedPerSec),
            handWrittenSqliteRatio: roundRatio(chatwirePerSec / storedPerSec),
            handWrittenSqlitePairedRatio: roundRatio(pairedRatio(chatwireRates, storedRates)),
            handWrittenSqliteCpuUsPerMessage: Math.round(storedCpuUs),
          }),
      rounds: result.rounds,
      messages: result.messages,
    });
  } finally {
    for (const side of sides) await side.close();
    await handWritten?.dispose();
  }
}

export const chatSend: BenchCase = {
  name: 'chat-send',
  description:
    'clients send with ack in closed loops (1 room × 50, 200 rooms × 5; SQLite, PostgreSQL, memory): acked messages/s, ack p50/p99',
  async run(context) {
    for (const setup of SETUPS) {
      if (context.store === undefined || context.store === setup.store) await runSetup(setup, context);
    }
  },
};
