import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { ChatUser } from '@chatwire/protocol';
import { createChatServer, type Logger, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { Server as IoServer } from 'socket.io';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { sized } from '../bench-env.js';
import { isOkEnvelope } from '../closed-loop.js';
import { log } from '../measure.js';
import { DeliveryCounter, inBatches, listen } from '../support.js';
import { clientOptions } from './fanout.js';

/** Room sizes, one entry each in the result line. */
const SIZES = sized([10, 100, 500], [10, 50]);
/** Join/leave pairs measured per size (each is two changes). */
const CYCLES = sized(20, 5);
const CONNECT_CONCURRENCY = 50;
const ACK_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 10_000;
const ROOM = 'presence-room';

/** Bytes the server writes, all its connections together: each engine.io packet's payload and type. */
class ByteMeter {
  bytes = 0;

  attach(engine: IoServer['engine']): void {
    engine.on('connection', (socket: IoServer['engine']['clients'][string]) => {
      socket.on('packetCreate', (packet: { data?: unknown }) => {
        const { data } = packet;
        this.bytes +=
          1 + (typeof data === 'string' ? Buffer.byteLength(data) : data instanceof Buffer ? data.length : 0);
      });
    });
  }
}

interface PresenceSide {
  url: string;
  meter: ByteMeter;
  close(): Promise<void>;
}

/**
 * Plain socket.io doing the least a presence feature must: the join acks the member list and tells
 * the room who came; the leave tells the room who went; each notice carries the change only.
 */
async function startBaseline(httpServer: HttpServer): Promise<PresenceSide> {
  const io = new IoServer(httpServer);
  const meter = new ByteMeter();
  meter.attach(io.engine);
  const members = new Map<string, ChatUser>();
  let version = 0;
  io.on('connection', (socket) => {
    const user = socket.handshake.auth as ChatUser;
    socket.on('room:join', async (payload: { roomId: string }, ack: (result: unknown) => void) => {
      await socket.join(payload.roomId);
      members.set(user.userId, { userId: user.userId, name: user.name });
      io.to(payload.roomId).emit('presence:diff', { roomId: payload.roomId, version: ++version, joined: [user] });
      ack({ ok: true, data: { roomId: payload.roomId, members: [...members.values()], presenceVersion: version } });
    });
    socket.on('room:leave', async (payload: { roomId: string }, ack: (result: unknown) => void) => {
      await socket.leave(payload.roomId);
      members.delete(user.userId);
      io.to(payload.roomId).emit('presence:diff', { roomId: payload.roomId, version: ++version, left: [user.userId] });
      ack({ ok: true, data: {} });
    });
  });
  const url = await listen(httpServer);
  return { url, meter, close: () => new Promise<void>((resolve) => io.close(() => resolve())) };
}

/** A ChatServer (MemoryStore, defaults); its `presence:diff` is what is measured. */
async function startChatwire(httpServer: HttpServer): Promise<PresenceSide> {
  const fail = (message: string, meta?: Record<string, unknown>): void => {
    throw new Error(`chatwire: ${message} ${JSON.stringify(meta ?? {})}`);
  };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: fail, error: fail };
  const chat = createChatServer({
    httpServer,
    store: new MemoryStore(),
    authenticate: devAuthenticator(),
    actionRateLimit: false,
    logger,
  });
  const meter = new ByteMeter();
  meter.attach(chat.raw.server.engine);
  const url = await listen(httpServer);
  return { url, meter, close: () => chat.close() };
}

function connect(url: string, user: ChatUser, sockets: RawClientSocket[]): Promise<RawClientSocket> {
  const socket = rawIo(url, { ...clientOptions(), auth: user });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function request(socket: RawClientSocket, event: string, payload: unknown): Promise<void> {
  const answer: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
  if (!isOkEnvelope(answer)) throw new Error(`${event} refused: ${JSON.stringify(answer)}`);
}

/**
 * `members` clients in the room, then a probe user joins and leaves CYCLES times, each change waited
 * for until every member got its `presence:diff`: the bytes the server wrote in all, per change.
 */
async function bytesPerChange(
  start: (httpServer: HttpServer) => Promise<PresenceSide>,
  members: number,
): Promise<number> {
  const side = await start(createHttpServer());
  const sockets: RawClientSocket[] = [];
  try {
    const counter = new DeliveryCounter();
    await inBatches(members, CONNECT_CONCURRENCY, async (index) => {
      const socket = await connect(side.url, { userId: `member-${index}`, name: `Member ${index}` }, sockets);
      await request(socket, 'room:join', { roomId: ROOM });
      socket.on('presence:diff', counter.hit);
    });
    // The joins of the members themselves are still arriving: wait until each member got the later ones.
    await counter.until((members * (members - 1)) / 2, DELIVERY_TIMEOUT_MS);
    const probe = await connect(side.url, { userId: 'probe', name: 'Probe' }, sockets);
    let expected = counter.total;
    const before = side.meter.bytes;
    for (let i = 0; i < CYCLES; i++) {
      for (const event of ['room:join', 'room:leave']) {
        expected += members;
        const delivered = counter.until(expected, DELIVERY_TIMEOUT_MS);
        await request(probe, event, { roomId: ROOM });
        await delivered;
      }
    }
    return (side.meter.bytes - before) / (2 * CYCLES);
  } finally {
    for (const socket of sockets) socket.disconnect();
    await side.close();
  }
}

async function run(context: CaseContext): Promise<void> {
  const baseline: number[] = [];
  const chatwire: number[] = [];
  for (const members of SIZES) {
    baseline.push(await bytesPerChange(startBaseline, members));
    chatwire.push(await bytesPerChange(startChatwire, members));
    log(
      `[presence] ${members} members: ${Math.round(chatwire.at(-1)!)} bytes per change (baseline ${Math.round(baseline.at(-1)!)})`,
    );
  }
  const ratios = SIZES.map((_, i) => roundRatio(baseline[i]! / chatwire[i]!));
  context.report({
    scenario: 'presence',
    members: SIZES,
    bytesPerChange: chatwire.map(roundRate),
    bytesPerMemberPerChange: chatwire.map((bytes, i) => roundRatio(bytes / SIZES[i]!)),
    baselineBytesPerChange: baseline.map(roundRate),
    ratio: ratios,
    // Bytes are counted, not timed: one measurement per size, so the paired ratio is the ratio.
    pairedRatio: ratios,
    changes: 2 * CYCLES,
  });
}

export const presence: BenchCase = {
  name: 'presence',
  description: `bytes the server writes per join/leave in rooms of ${SIZES.join(', ')} members`,
  run,
};
