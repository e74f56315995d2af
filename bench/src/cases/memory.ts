import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { type BenchCase, type CaseContext, roundRate, roundRatio } from '../bench-case.js';
import { sized } from '../bench-env.js';
import { isOkEnvelope } from '../closed-loop.js';
import { log, median, pairedRatio } from '../measure.js';
import { inBatches, withTimeout } from '../support.js';
import { clientOptions } from './fanout.js';

/** Idle connections per side, each in one room. */
const CONNECTIONS = sized(5000, 200);
/** Members per room (so CONNECTIONS / ROOM_SIZE rooms). */
const ROOM_SIZE = 50;
/** Each side runs this many times at most (ABAB…): connecting 5000 sockets takes a while. */
const MAX_ROUNDS = 2;
const CONNECT_CONCURRENCY = 100;
const ACK_TIMEOUT_MS = 20_000;
/** Left after the last join before measuring, for presence notices and timers to settle. */
const SETTLE_MS = 1000;

type Kind = 'baseline' | 'chatwire';

interface ServerProcess {
  url: string;
  /** Heap used plus external of the server process after full GCs, and the sockets it holds. */
  memory(): Promise<{ bytes: number; sockets: number }>;
  child: ChildProcess;
}

/** Forks memory-server.ts with the same loader and conditions as this process. */
async function startServer(kind: Kind): Promise<ServerProcess> {
  const main = new URL('../memory-server.ts', import.meta.url).pathname;
  const child = fork(main, [kind], {
    execArgv: ['--expose-gc', '--conditions=@chatwire/source', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.once('message', (message) => resolve((message as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`memory server exited (${code})`)));
    }),
    60_000,
    'the memory server did not start',
  );
  const memory = () =>
    withTimeout(
      new Promise<{ bytes: number; sockets: number }>((resolve) => {
        child.once('message', (message) => resolve(message as { bytes: number; sockets: number }));
        child.send('measure');
      }),
      60_000,
      'the memory server did not answer',
    );
  return { url, memory, child };
}

/**
 * One round of one side: a fresh server process, its memory before, CONNECTIONS plain socket.io
 * clients (in this process) each joined to one room, its memory after; the bytes per connection.
 */
async function measureSide(kind: Kind): Promise<number> {
  const server = await startServer(kind);
  const sockets: RawClientSocket[] = [];
  try {
    await sleep(SETTLE_MS);
    const before = await server.memory();
    await inBatches(CONNECTIONS, CONNECT_CONCURRENCY, async (index) => {
      const socket = rawIo(server.url, {
        ...clientOptions(),
        auth: { userId: `user-${index}`, name: `User ${index}` },
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const roomId = `room-${Math.floor(index / ROOM_SIZE)}`;
      const joined: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { roomId });
      if (!isOkEnvelope(joined)) throw new Error(`${kind}: join refused: ${JSON.stringify(joined)}`);
    });
    await sleep(SETTLE_MS);
    const after = await server.memory();
    if (after.sockets !== CONNECTIONS) throw new Error(`${kind}: ${after.sockets} of ${CONNECTIONS} sockets held`);
    const perConnection = (after.bytes - before.bytes) / CONNECTIONS;
    log(`[memory] ${kind}: ${Math.round(perConnection)} bytes per connection (${CONNECTIONS} connections)`);
    return perConnection;
  } finally {
    for (const socket of sockets) socket.disconnect();
    server.child.kill('SIGKILL');
  }
}

async function run(context: CaseContext): Promise<void> {
  const rounds = Math.min(context.rounds, MAX_ROUNDS);
  const baseline: number[] = [];
  const chatwire: number[] = [];
  for (let i = 0; i < rounds; i++) {
    baseline.push(await measureSide('baseline'));
    chatwire.push(await measureSide('chatwire'));
  }
  const baselineBytes = median(baseline);
  const chatwireBytes = median(chatwire);
  context.report({
    scenario: 'memory',
    connections: CONNECTIONS,
    roomSize: ROOM_SIZE,
    baselineBytesPerConnection: roundRate(baselineBytes),
    chatwireBytesPerConnection: roundRate(chatwireBytes),
    extraBytesPerConnection: roundRate(chatwireBytes - baselineBytes),
    ratio: roundRatio(baselineBytes / chatwireBytes),
    pairedRatio: roundRatio(pairedRatio(baseline, chatwire)),
    rounds,
  });
}

export const memory: BenchCase = {
  name: 'memory',
  description: `${CONNECTIONS} idle sockets in rooms of ${ROOM_SIZE}: server heap + external per connection after GC`,
  run,
};
