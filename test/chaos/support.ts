import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatClient, ChatRoom } from '@chatwire/client';
import type { Message, Result } from '@chatwire/protocol';
import type { Store } from '@chatwire/server';
import { SqliteStore } from '@chatwire/server/sqlite';
import { onTestFinished } from 'vitest';
import { startChat } from '../chat/support.js';
import { chatClient, dropConnections, eventually, joinRoom } from '../chat-client/support.js';
import { sleep } from '../support/harness.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same choices. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from nothing');
    return item;
  }

  /** `count` distinct items. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) chosen.push(...pool.splice(this.int(0, pool.length - 1), 1));
    return chosen;
  }
}

/** The seed: `CHAOS_SEED` from the environment to replay a run, otherwise a fresh one. */
export function chaosSeed(): number {
  const fromEnv = process.env.CHAOS_SEED;
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

export interface ChaosOptions {
  seed: number;
  clients: number;
  rooms: readonly string[];
  /** Each room gets at least this many members. */
  minMembersPerRoom: number;
  /** How long clients send and connections drop. */
  durationMs: number;
  /** Each client sends once per this many ms (uniform in the range) to a random one of its rooms. */
  sendEveryMs: readonly [number, number];
  /** A drop happens once per this many ms (uniform in the range). */
  dropEveryMs: readonly [number, number];
  /** Share of drops that cut two clients at once. */
  pairDrops: number;
  /** Share of drops that make the client send and cut it at once (the send races the drop). */
  sendThenDrop: number;
  /** Share of drops that cut the client right after the server stored its next send (the ack is lost). */
  ackLost: number;
  /** Bound on settling after the chaos: sends acked, every client ready and caught up. */
  settleMs: number;
  /**
   * The server's `syncLimit`. Below the default (500), reconnects may get `discontinuity: true`: a
   * room's list then rightly starts at a later serial (its latest page), so the checks only require it
   * to be gapless from its first message up to the last stored one.
   */
  syncLimit?: number;
  /** Page size of the clients (the page a discontinuity reloads). @default 50 */
  pageSize?: number;
}

/** One `room.send` and every outcome it resolved with (there must be exactly one, ok). */
export interface Sent {
  roomId: string;
  text: string;
  outcomes: Result<Message>[];
}

export interface Tracked {
  user: string;
  chat: ChatClient;
  rooms: Map<string, ChatRoom>;
  sent: Sent[];
  /** Serials of each room's `message` events, in arrival order. */
  messageEvents: Map<string, number[]>;
  /** How many times a room's list was reloaded because history no longer covered a reconnect's gap. */
  discontinuities: number;
  /** The last `ready` came after the last status change away from connected. */
  isReady: boolean;
  readyCount: number;
}

export interface ChaosRun {
  store: Store;
  clients: Tracked[];
  drops: number;
  /** Reconnects the clients saw: `ready` events after each client's first. */
  reconnects: number;
  /** Sends (`author/clientMessageId`) stored whose connection was then cut before their ack left. */
  lostAcks: Set<string>;
  /** Sends (`author/clientMessageId`) that came again after the store had kept them: answered with the stored one. */
  repeated: Set<string>;
  /** Every problem found, one line each: empty when the run kept every delivery rule. */
  problems: string[];
  /** Stored messages per room. */
  stored: Map<string, Message[]>;
}

async function tempDatabase(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chatwire-chaos-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'chat.db');
}

/** Which rooms each client joins: 1–3 at random, then topped up so every room has enough members. */
function assignRooms(random: Random, options: ChaosOptions): string[][] {
  const { rooms, clients, minMembersPerRoom } = options;
  const membership = Array.from({ length: clients }, () =>
    random.sample(rooms, random.int(1, Math.min(3, rooms.length))),
  );
  for (const room of rooms) {
    const members = () => membership.filter((joined) => joined.includes(room)).length;
    while (members() < minMembersPerRoom) {
      const candidates = membership.filter((joined) => !joined.includes(room) && joined.length < 3);
      random.pick(candidates).push(room);
    }
  }
  return membership;
}

function describeMessage(message: { serial?: number; clientMessageId: string; text: string }): string {
  return `#${message.serial ?? '?'} ${JSON.stringify(message.text)} (${message.clientMessageId})`;
}

/**
 * Runs `options.clients` ChatClients against a ChatServer on a SqliteStore file: they send at random
 * while their connections are cut at random, then everything settles and every client's every room
 * is checked against the store. Returns what went wrong, if anything.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosRun> {
  const started = performance.now();
  const random = new Random(options.seed);
  const store = new SqliteStore({ path: await tempDatabase() });
  // Users whose connection is cut right after their next send is stored, before its ack leaves.
  const cutAfterStore = new Set<string>();
  const lostAcks = new Set<string>();
  // Sends the store had already kept: retries whose first ack was lost with its connection.
  const repeated = new Set<string>();
  const append = store.append.bind(store);
  store.append = async (message) => {
    const result = await append(message);
    const key = `${message.author.userId}/${message.clientMessageId}`;
    if (!result.created) repeated.add(key);
    if (cutAfterStore.delete(message.author.userId)) {
      lostAcks.add(key);
      await dropConnections(server.server, message.author.userId);
    }
    return result;
  };
  // A retry of a stored send is answered from this check, before it could reach append again.
  const sendCheck = store.sendCheck.bind(store);
  store.sendCheck = async (roomId, authorId, clientMessageId, now) => {
    const checked = await sendCheck(roomId, authorId, clientMessageId, now);
    if (checked.stored !== undefined) repeated.add(`${authorId}/${clientMessageId}`);
    return checked;
  };
  const { url, chat: server } = await startChat({
    store,
    ...(options.syncLimit === undefined ? {} : { syncLimit: options.syncLimit }),
  });

  const membership = assignRooms(random, options);
  const clients: Tracked[] = membership.map((_, index) => {
    const user = `u${String(index).padStart(2, '0')}`;
    let counter = 0;
    const chat = chatClient(url, user, { newId: () => `${user}-${++counter}`, pageSize: options.pageSize ?? 50 });
    const tracked: Tracked = {
      user,
      chat,
      rooms: new Map(),
      sent: [],
      messageEvents: new Map(),
      discontinuities: 0,
      isReady: false,
      readyCount: 0,
    };
    chat.on('ready', () => {
      tracked.isReady = true;
      tracked.readyCount += 1;
    });
    chat.on('status', (status) => {
      if (status !== 'connected') tracked.isReady = false;
    });
    return tracked;
  });
  await Promise.all(
    clients.map(async (client, index) => {
      for (const roomId of membership[index] ?? []) {
        const room = await joinRoom(client.chat, roomId);
        const events: number[] = [];
        room.on('message', (message) => events.push(message.serial));
        room.on('discontinuity', () => client.discontinuities++);
        client.rooms.set(roomId, room);
        client.messageEvents.set(roomId, events);
      }
    }),
  );

  const send = (client: Tracked, roomId: string): void => {
    const room = client.rooms.get(roomId);
    if (room === undefined) throw new Error(`${client.user} is not in ${roomId}`);
    const text = `${client.user} #${client.sent.length + 1} in ${roomId}`;
    const outcomes: Result<Message>[] = [];
    void room.send(text).then((outcome) => {
      outcomes.push(outcome);
    });
    client.sent.push({ roomId, text, outcomes });
  };

  let stopped = false;
  const senders = clients.map(async (client, index) => {
    // One stream of choices per client, so that one client's timing does not shift another's choices.
    const own = new Random(options.seed + 1000 + index);
    const roomIds = [...client.rooms.keys()];
    while (!stopped) {
      await sleep(own.int(options.sendEveryMs[0], options.sendEveryMs[1]));
      if (stopped) break;
      send(client, own.pick(roomIds));
    }
  });

  let drops = 0;
  const chaos = (async () => {
    const own = new Random(options.seed + 999);
    while (!stopped) {
      await sleep(own.int(options.dropEveryMs[0], options.dropEveryMs[1]));
      if (stopped) break;
      const roll = own.next();
      // The first drop always loses an ack, so that every run retries at least one stored send.
      if (drops === 0 || roll < options.ackLost) {
        const client = own.pick(clients);
        cutAfterStore.add(client.user);
        drops += 1;
      } else if (roll < options.ackLost + options.sendThenDrop) {
        const client = own.pick(clients);
        send(client, own.pick([...client.rooms.keys()]));
        drops += 1;
        await dropConnections(server.server, client.user);
      } else {
        const victims = own.sample(clients, roll < options.ackLost + options.sendThenDrop + options.pairDrops ? 2 : 1);
        drops += victims.length;
        await Promise.all(victims.map((victim) => dropConnections(server.server, victim.user)));
      }
    }
  })();

  await sleep(options.durationMs);
  stopped = true;
  await Promise.all([...senders, chaos]);
  cutAfterStore.clear();
  const sendingStopped = performance.now();

  // Settle: every send answered, then every client connected, ready and caught up with the store.
  const allSent = clients.flatMap((client) => client.sent);
  await eventually(() => {
    const open = allSent.filter((sent) => sent.outcomes.length === 0).length;
    if (open > 0) throw new Error(`${open} sends still unanswered`);
  }, options.settleMs);
  const lastSerials = new Map<string, number>();
  for (const roomId of options.rooms) lastSerials.set(roomId, await store.lastSerial(roomId));
  await eventually(() => {
    const behind: string[] = [];
    for (const client of clients) {
      if (client.chat.status !== 'connected' || !client.isReady) behind.push(`${client.user}: ${client.chat.status}`);
      for (const [roomId, room] of client.rooms) {
        const last = lastSerials.get(roomId) ?? 0;
        if (room.lastSerial !== last) behind.push(`${client.user}/${roomId}: at ${room.lastSerial} of ${last}`);
      }
    }
    if (behind.length > 0) throw new Error(`not settled: ${behind.join(', ')}`);
  }, options.settleMs);
  const settled = performance.now();

  const stored = new Map<string, Message[]>();
  for (const roomId of options.rooms) {
    const page = await store.history(roomId, { after: 0, limit: 100_000 });
    stored.set(roomId, page.messages);
  }
  const problems = check(clients, stored, options.syncLimit !== undefined);
  const total = [...stored.values()].reduce((sum, messages) => sum + messages.length, 0);
  const reconnects = clients.reduce((sum, client) => sum + client.readyCount - 1, 0);
  const discontinuities = clients.reduce((sum, client) => sum + client.discontinuities, 0);
  console.info(
    `[chaos] seed=${options.seed} clients=${clients.length} sends=${allSent.length} stored=${total} drops=${drops} ` +
      `reconnects=${reconnects} lostAcks=${lostAcks.size} repeated=${repeated.size} discontinuities=${discontinuities} settled in ${(settled - sendingStopped).toFixed(0)} ms, ` +
      `total ${(settled - started).toFixed(0)} ms, problems=${problems.length}`,
  );
  return { store, clients, drops, reconnects, lostAcks, repeated, problems, stored };
}

/**
 * Every way the clients' rooms differ from the store or from the delivery rules. With `partial`, a
 * list may start after serial 1 (reloaded after a discontinuity) but must still run gapless to the end.
 */
function check(clients: Tracked[], stored: Map<string, Message[]>, partial: boolean): string[] {
  const problems: string[] = [];
  // The store: serials 1..N gapless, each (author, clientMessageId) once.
  for (const [roomId, messages] of stored) {
    const seen = new Set<string>();
    messages.forEach((message, index) => {
      if (message.serial !== index + 1) problems.push(`store ${roomId}: serial ${message.serial} at position ${index}`);
      const key = `${message.author.userId}/${message.clientMessageId}`;
      if (seen.has(key)) problems.push(`store ${roomId}: ${key} stored twice`);
      seen.add(key);
    });
  }
  /** Where each client's list of each room starts: 1, or later after a discontinuity. */
  const firstListed = new Map<string, number>();
  for (const client of clients) {
    for (const [roomId, room] of client.rooms) {
      const where = `${client.user}/${roomId}`;
      const list = room.messages;
      for (const message of list) {
        if (message.status !== 'sent') problems.push(`${where}: ${message.status} ${describeMessage(message)}`);
      }
      const sentList = list.flatMap((message) => (message.status === 'sent' ? [message] : []));
      const first = partial ? (sentList[0]?.serial ?? 1) : 1;
      firstListed.set(where, first);
      const expected = (stored.get(roomId) ?? []).filter((message) => message.serial >= first);
      const serials = sentList.map((message) => message.serial);
      const wanted = expected.map((message) => message.serial);
      if (JSON.stringify(serials) !== JSON.stringify(wanted)) {
        problems.push(`${where}: serials [${compress(serials)}], store has [${compress(wanted)}]`);
      }
      const byId = new Map(expected.map((message) => [message.serial, message]));
      for (const message of sentList) {
        const truth = byId.get(message.serial);
        if (
          truth === undefined ||
          message.id !== truth.id ||
          message.text !== truth.text ||
          message.clientMessageId !== truth.clientMessageId ||
          message.author.userId !== truth.author.userId
        ) {
          const store = truth === undefined ? 'nothing' : describeMessage(truth);
          problems.push(`${where}: lists ${describeMessage(message)} by ${message.author.userId}, store has ${store}`);
        }
      }
      const events = client.messageEvents.get(roomId) ?? [];
      const eventSet = new Set(events);
      if (eventSet.size !== events.length) problems.push(`${where}: a 'message' event came twice for one serial`);
      // After a discontinuity the reloaded page arrives without 'message' events: count only without one.
      if (client.discontinuities === 0 && eventSet.size !== expected.length) {
        problems.push(`${where}: ${eventSet.size} 'message' events for ${expected.length} messages`);
      }
    }
    for (const sent of client.sent) {
      const where = `${client.user}/${sent.roomId}`;
      const [outcome, ...more] = sent.outcomes;
      if (outcome === undefined || more.length > 0) {
        problems.push(`${where}: ${JSON.stringify(sent.text)} answered ${sent.outcomes.length} times`);
        continue;
      }
      if (!outcome.ok) {
        problems.push(`${where}: ${JSON.stringify(sent.text)} failed: ${outcome.error.code} ${outcome.error.message}`);
        continue;
      }
      const inStore = (stored.get(sent.roomId) ?? []).filter(
        (message) => message.author.userId === client.user && message.text === sent.text,
      );
      if (inStore.length !== 1 || inStore[0]?.id !== outcome.data.id) {
        problems.push(
          `${where}: ${JSON.stringify(sent.text)} is stored ${inStore.length} times (ack ${outcome.data.id})`,
        );
      }
      const inList = (client.rooms.get(sent.roomId)?.messages ?? []).filter(
        (message) => message.clientMessageId === outcome.data.clientMessageId,
      ).length;
      const listed = outcome.data.serial >= (firstListed.get(where) ?? 1) ? 1 : 0;
      if (inList !== listed) {
        problems.push(`${where}: ${JSON.stringify(sent.text)} is listed ${inList} times, not ${listed}`);
      }
    }
    const storedByClient = [...stored.values()].flat().filter((message) => message.author.userId === client.user);
    if (storedByClient.length !== client.sent.length) {
      problems.push(`${client.user}: sent ${client.sent.length}, store has ${storedByClient.length} from them`);
    }
  }
  return problems;
}

/** `[1,2,3,5,6]` → `1-3,5-6`, so that a long list of serials reads at a glance. */
function compress(values: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  for (const value of [...values, Number.NaN]) {
    if (start !== undefined && previous !== undefined && value === previous + 1) {
      previous = value;
      continue;
    }
    if (start !== undefined && previous !== undefined)
      parts.push(start === previous ? `${start}` : `${start}-${previous}`);
    start = value;
    previous = value;
  }
  return parts.join(',');
}
