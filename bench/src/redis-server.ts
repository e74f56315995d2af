import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { log } from './measure.js';

const START_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 5_000;

/** One line of `CLIENT LIST`: the fields the bench looks at. */
export interface RedisClientInfo {
  id: string;
  addr: string;
  flags: string;
  cmd: string;
}

/** A redis-server of the bench's own, on a free port of 127.0.0.1, with persistence off. */
export interface BenchRedis {
  url: string;
  /**
   * Waits until every connection but its own has gone: socket.io's Redis Streams adapter disconnects
   * its reading client only when the blocking XREAD it is in returns (up to 5 s), so this unblocks
   * those (`CLIENT UNBLOCK`). Resolves with the connections still open after 10 s (none if clean).
   */
  settle(): Promise<RedisClientInfo[]>;
  /** Calls per command (`xadd`, `xread`…) since the start or the last {@link BenchRedis.resetStats}. */
  commandCalls(): Promise<Map<string, number>>;
  /** `CONFIG RESETSTAT`. */
  resetStats(): Promise<void>;
  /** Settles, then kills the server and waits for it to exit. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function parseClientList(list: string): RedisClientInfo[] {
  return list
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = new Map<string, string>();
      for (const pair of line.trim().split(' ')) {
        const at = pair.indexOf('=');
        if (at > 0) fields.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return {
        id: fields.get('id') ?? '',
        addr: fields.get('addr') ?? '',
        flags: fields.get('flags') ?? '',
        cmd: fields.get('cmd') ?? '',
      };
    });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** User + system CPU time of a process so far, from /proc (Linux); undefined elsewhere. */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined; // USER_HZ: 100 on Linux;
  } catch {
    return undefined;
  }
}

/** Spawns `redis-server --save "" --appendonly no` on a free port and waits until it answers. */
export async function startRedisServer(): Promise<BenchRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (spawnError !== undefined) throw new Error(`cannot run redis-server: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`redis-server on port ${port} did not come up within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await sleep(20);
  }

  log(`redis-server ${child.pid ?? '?'} listening on port ${port}`);

  // The bench's own connection: it lists and unblocks the others. No retries: Redis is local.
  const control = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  control.on('error', () => {});
  let ownId: string;
  try {
    await control.connect();
    ownId = String(await control.call('CLIENT', 'ID'));
  } catch (error) {
    control.disconnect();
    await kill();
    throw error;
  }

  const others = async (): Promise<RedisClientInfo[]> => {
    const list = await control.call('CLIENT', 'LIST');
    return parseClientList(String(list)).filter((client) => client.id !== ownId);
  };

  const settle = async (): Promise<RedisClientInfo[]> => {
    const until = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const open = await others();
      if (open.length === 0 || Date.now() > until) return open;
      for (const client of open) {
        if (client.cmd === 'xread' && client.flags.includes('b')) await control.call('CLIENT', 'UNBLOCK', client.id);
      }
      await sleep(20);
    }
  };

  return {
    url,
    settle,
    async commandCalls() {
      const info = String(await control.call('INFO', 'commandstats'));
      const calls = new Map<string, number>();
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        calls.set(match[1]!.toLowerCase(), Number(match[2]));
      }
      return calls;
    },
    async resetStats() {
      await control.call('CONFIG', 'RESETSTAT');
    },
    async stop() {
      try {
        const open = await settle();
        if (open.length > 0) {
          log(`redis-server: ${open.length} connection(s) still open at the end: ${JSON.stringify(open)}`);
        }
        const cpu = await cpuSeconds(child.pid);
        if (cpu !== undefined) log(`redis-server ${child.pid ?? '?'} used ${cpu.toFixed(1)} s of CPU`);
      } finally {
        control.disconnect();
        await kill();
        log(`redis-server ${child.pid ?? '?'} exited (${child.signalCode ?? child.exitCode})`);
      }
    },
  };
}
