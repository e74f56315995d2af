/**
 * `pnpm demo:cluster`: two demo nodes on PORT and PORT + 1 (default 3000/3001) sharing one Redis
 * (fan-out, presence, per-user limits) and one PostgreSQL database (history), so two browsers on
 * different ports chat in one room. REDIS_URL and DATABASE_URL override the loopback defaults; the
 * demo database is created if missing.
 */
import { spawn } from 'node:child_process';
import { buildPageIfStale } from '@chatwire/example-shared/vite';
import pg from 'pg';

const port = Number(process.env.PORT ?? 3000);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chatwire_demo';

async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

await ensureDatabase(databaseUrl);
// Both nodes serve the page from dist/page: built once here, as `pnpm start` does.
if (await buildPageIfStale(new URL('../vite.config.ts', import.meta.url))) console.info('page built into dist/page');
const main = new URL('./main.ts', import.meta.url).pathname;
const nodes = [port, port + 1].map((nodePort) => {
  const child = spawn(process.execPath, [...process.execArgv, main], {
    env: { ...process.env, PORT: String(nodePort), REDIS_URL: redisUrl, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[node :${nodePort}] `;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    console.info(`${prefix}exited (${signal ?? code})`);
    if (nodes.every((node) => node.exitCode !== null || node.signalCode !== null)) process.exit(0);
  });
  return child;
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const node of nodes) node.kill('SIGTERM');
  });
}
