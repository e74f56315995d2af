import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatClient, type ChatRoom, createChatClient } from '@chatwire/client';
import { signToken } from '@chatwire/server';
import { log } from './measure.js';
import { inBatches, withTimeout } from './support.js';

/**
 * `pnpm soak`: many ChatClients send, join, leave, type, react, edit and read history for minutes while
 * their transports are cut at random, against a ChatServer on a SqliteStore file in a child process.
 * Checks that the server's heap after GC stays within 10 % of its level after warm-up, and that every
 * client received every message of its home room exactly once, without gaps. JSON lines on stdout;
 * exits 1 on a violation.
 */

interface Settings {
  clients: number;
  durationS: number;
  /** Part of the duration before the heap baseline is taken. */
  warmupS: number;
  rooms: number;
  /** Each client acts once per this many ms on average. */
  actEveryMs: number;
  /** One transport somewhere is cut once per this many ms. */
  dropEveryMs: number;
  /** The heap is sampled once per this many ms. */
  sampleEveryMs: number;
  /** Allowed heap growth over the warm-up level. */
  heapTolerance: number;
}

function settings(argv: readonly string[]): Settings {
  const flag = (name: string, env: string, fallback: number) => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    const value = Number(arg?.slice(name.length + 3) ?? process.env[env] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name} must be a positive number`);
    return value;
  };
  const clients = flag('clients', 'SOAK_CLIENTS', 500);
  const durationS = flag('duration-s', 'SOAK_DURATION_S', 300);
  return {
    clients,
    durationS,
    warmupS: flag('warmup-s', 'SOAK_WARMUP_S', Math.max(10, Math.round(durationS / 5))),
    rooms: flag('rooms', 'SOAK_ROOMS', Math.max(1, Math.round(clients / 20))),
    actEveryMs: flag('act-every-ms', 'SOAK_ACT_EVERY_MS', 3000),
    dropEveryMs: flag('drop-every-ms', 'SOAK_DROP_EVERY_MS', 500),
    sampleEveryMs: flag('sample-every-ms', 'SOAK_SAMPLE_EVERY_MS', 10_000),
    heapTolerance: 0.1,
  };
}

const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** The server process and a request/answer channel to it. */
class SoakServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(path: string, secret: string): Promise<SoakServer> {
    const child = fork(new URL('./soak-server.ts', import.meta.url).pathname, [path], {
      execArgv: ['--conditions=@chatwire/source', '--expose-gc', '--import', 'tsx'],
      env: { ...process.env, SOAK_SECRET: secret },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const first = await withTimeout(SoakServer.next(child), 60_000, 'the soak server did not start');
    return new SoakServer(child, String(first.url));
  }

  private static next(child: ChildProcess): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the soak server exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (message: Record<string, unknown>) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  }

  /** One request at a time: answers come back in order. */
  private queue: Promise<unknown> = Promise.resolve();

  ask(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = this.queue.then(() => {
      const next = SoakServer.next(this.child);
      this.child.send(request);
      return withTimeout(next, 60_000, `no answer to ${String(request.type)}`);
    });
    this.queue = answer.catch(() => {});
    return answer;
  }

  async heap(): Promise<{ heapUsed: number; rss: number; sockets: number }> {
    const answer = await this.ask({ type: 'heap' });
    return { heapUsed: Number(answer.heapUsed), rss: Number(answer.rss), sockets: Number(answer.sockets) };
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' });
    await withTimeout(exited, 30_000, 'the soak server did not exit').catch(() => this.child.kill('SIGKILL'));
  }
}

/** One simulated user: a home room it never leaves, now and then a visit to another room. */
interface SoakClient {
  userId: string;
  chat: ChatClient;
  home: ChatRoom;
  /** Serials of the home room's `message` events, in arrival order. */
  seen: number[];
  discontinuities: number;
  visit: ChatRoom | undefined;
  /** Serials of this client's acked sends in its home room (for edits). */
  ownSerials: number[];
  reconnects: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function main(): Promise<number> {
  const config = settings(process.argv.slice(2));
  emit({ kind: 'settings', ...config });
  const dir = await mkdtemp(join(tmpdir(), 'chatwire-soak-'));
  const secret = randomBytes(32).toString('hex');
  const server = await SoakServer.start(join(dir, 'chat.db'), secret);
  const rooms = Array.from({ length: config.rooms }, (_, i) => `room-${i}`);
  const counts = { acked: 0, failedSends: 0, delivered: 0, drops: 0, actions: 0, refused: 0 };
  const refusals = new Map<string, number>();
  const violations: string[] = [];

  const clients = await inBatches(config.clients, 25, async (index): Promise<SoakClient> => {
    const userId = `soak-${index}`;
    const token = await signToken(
      { userId, name: `Soak ${index}` },
      { secret, expiresInSeconds: config.durationS + 3600 },
    );
    const chat = createChatClient(server.url, {
      auth: { token },
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
      syncIntervalMs: 10_000,
    });
    const joined = await chat.join(rooms[index % rooms.length] as string);
    if (!joined.ok) throw new Error(`${userId} could not join: ${joined.error.message}`);
    const client: SoakClient = {
      userId,
      chat,
      home: joined.data,
      seen: [],
      discontinuities: 0,
      visit: undefined,
      ownSerials: [],
      reconnects: 0,
    };
    joined.data.on('message', (message) => {
      client.seen.push(message.serial);
      counts.delivered += 1;
    });
    joined.data.on('discontinuity', () => client.discontinuities++);
    let wasConnected = true;
    chat.on('status', (status) => {
      if (status === 'connected' && !wasConnected) client.reconnects += 1;
      wasConnected = status === 'connected';
    });
    return client;
  });
  emit({ kind: 'connected', clients: clients.length, rooms: rooms.length });

  const refused = (what: string, code: string) => {
    counts.refused += 1;
    refusals.set(`${what} ${code}`, (refusals.get(`${what} ${code}`) ?? 0) + 1);
  };

  /** One random action of `client`; sends are the most common. */
  const act = async (client: SoakClient): Promise<void> => {
    counts.actions += 1;
    const { home } = client;
    const roll = Math.random();
    if (roll < 0.45) {
      const sent = await home.send(`soak message from ${client.userId} at ${Date.now()}`);
      if (sent.ok) {
        counts.acked += 1;
        client.ownSerials.push(sent.data.serial);
        if (client.ownSerials.length > 20) client.ownSerials.shift();
      } else {
        counts.failedSends += 1;
        refused('send', sent.error.code);
      }
    } else if (roll < 0.6) {
      home.setTyping(Math.random() < 0.7);
    } else if (roll < 0.7) {
      if (home.lastSerial === 0) return;
      const serial = Math.max(1, home.lastSerial - Math.floor(Math.random() * 10));
      const reacted = await home.react(serial, pick(['👍', '🎉', '😂', '❤️']));
      if (!reacted.ok) refused('react', reacted.error.code);
    } else if (roll < 0.76) {
      const serial = client.ownSerials.length > 0 ? pick(client.ownSerials) : undefined;
      if (serial === undefined) return;
      const edited = await home.edit(serial, `edited by ${client.userId} at ${Date.now()}`);
      if (!edited.ok) refused('edit', edited.error.code);
    } else if (roll < 0.86) {
      const before = home.lastSerial > 1 ? { before: home.lastSerial } : {};
      const page = await client.chat.client.request('history:fetch', { roomId: home.id, limit: 20, ...before });
      if (!page.ok) refused('history', page.error.code);
    } else if (client.visit === undefined) {
      const others = rooms.filter((roomId) => roomId !== home.id);
      if (others.length === 0) return;
      const joined = await client.chat.join(pick(others));
      if (joined.ok) client.visit = joined.data;
      else refused('join', joined.error.code);
    } else {
      const room = client.visit;
      client.visit = undefined;
      const left = await room.leave();
      if (!left.ok) refused('leave', left.error.code);
    }
  };

  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  let running = true;
  const actors = clients.map(async (client) => {
    await sleep(Math.random() * config.actEveryMs);
    while (running) {
      await act(client).catch((error: unknown) => violations.push(`${client.userId}: action threw ${String(error)}`));
      await sleep(config.actEveryMs * (0.5 + Math.random()));
    }
  });
  const dropper = (async () => {
    while (running) {
      await sleep(config.dropEveryMs * (0.5 + Math.random()));
      if (!running) break;
      const victim = pick(clients);
      // Cuts the transport under the client: socket.io-client reconnects, ChatClient resumes.
      victim.chat.client.raw.io.engine?.close();
      counts.drops += 1;
    }
  })();

  let warmupHeap: number | undefined;
  let maxHeap = 0;
  const sample = async (phase: string) => {
    const { heapUsed, rss, sockets } = await server.heap();
    if (phase === 'run' && warmupHeap !== undefined) maxHeap = Math.max(maxHeap, heapUsed);
    emit({
      kind: 'sample',
      phase,
      t: Math.round(elapsedS()),
      heapMB: mb(heapUsed),
      rssMB: mb(rss),
      sockets,
      ...counts,
      reconnects: clients.reduce((sum, client) => sum + client.reconnects, 0),
    });
    return heapUsed;
  };
  while (elapsedS() < config.durationS) {
    await sleep(Math.min(config.sampleEveryMs, Math.max(0, (config.durationS - elapsedS()) * 1000)));
    const heapUsed = await sample(warmupHeap === undefined && elapsedS() < config.warmupS ? 'warmup' : 'run');
    if (warmupHeap === undefined && elapsedS() >= config.warmupS) {
      warmupHeap = heapUsed;
      maxHeap = heapUsed;
    }
  }
  running = false;
  await Promise.all([...actors, dropper]);

  // Settle: everyone connected and caught up with what the server stored.
  const lastSerials = (await server.ask({ type: 'lastSerials', rooms })).serials as Record<string, number>;
  const caughtUp = (client: SoakClient) =>
    client.chat.status === 'connected' && client.home.lastSerial >= (lastSerials[client.home.id] ?? 0);
  const settleBy = performance.now() + 120_000;
  while (!clients.every(caughtUp) && performance.now() < settleBy) await sleep(250);
  const finalHeap = await sample('settled');

  for (const client of clients) {
    const last = lastSerials[client.home.id] ?? 0;
    const sorted = [...client.seen].sort((a, b) => a - b);
    const unique = new Set(sorted);
    const missing: number[] = [];
    for (let serial = 1; serial <= last && missing.length < 5; serial++) if (!unique.has(serial)) missing.push(serial);
    if (unique.size !== sorted.length)
      violations.push(`${client.userId}: a message arrived twice in ${client.home.id}`);
    if (missing.length > 0)
      violations.push(`${client.userId}: missing ${missing.join(',')}… of ${last} in ${client.home.id}`);
    if (sorted.some((serial) => serial > last))
      violations.push(`${client.userId}: a serial past ${last} in ${client.home.id}`);
    if (client.discontinuities > 0) violations.push(`${client.userId}: ${client.discontinuities} discontinuities`);
  }
  const growth = warmupHeap === undefined ? 0 : finalHeap / warmupHeap - 1;
  if (growth > config.heapTolerance) {
    violations.push(
      `heap grew ${(growth * 100).toFixed(1)} % over its warm-up level (limit ${config.heapTolerance * 100} %)`,
    );
  }

  emit({
    kind: 'result',
    clients: clients.length,
    durationS: config.durationS,
    warmupHeapMB: mb(warmupHeap ?? 0),
    finalHeapMB: mb(finalHeap),
    maxHeapMB: mb(maxHeap),
    heapGrowthPct: Math.round(growth * 1000) / 10,
    storedMessages: Object.values(lastSerials).reduce((sum, last) => sum + last, 0),
    ...counts,
    reconnects: clients.reduce((sum, client) => sum + client.reconnects, 0),
    refusals: Object.fromEntries(refusals),
    violations: violations.length,
  });
  for (const violation of violations.slice(0, 50)) log(`violation: ${violation}`);

  for (const client of clients) client.chat.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(String(error instanceof Error ? error.stack : error));
    process.exit(1);
  },
);
