import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, type Store } from '@chatwire/server';
import { PostgresStore } from '@chatwire/server/postgres';
import { SqliteStore } from '@chatwire/server/sqlite';
import pg from 'pg';

/** The stores a case can run on. */
export const STORE_KINDS = ['sqlite', 'postgres', 'memory'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** The machine's PostgreSQL (trust auth), as the tests use it; overridable. */
export const POSTGRES_URL = process.env.CHATWIRE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on {@link POSTGRES_URL}'s server. */
export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `work` with a connection to the server's maintenance database (to create or drop databases). */
export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The bench's PostgreSQL pool: 20 connections, and a wait for a free one long enough for a closed loop
 * of 1000 senders (the store's default, 3 s, answers UNAVAILABLE when the queue for the pool is longer).
 */
export const POSTGRES_POOL = { max: 20, connectionTimeoutMillis: 60_000 };

/** A store and how to get rid of it (close it, then delete its file or database). */
export interface BenchStore {
  store: Store;
  dispose(): Promise<void>;
}

/**
 * A fresh, empty store of `kind`: SQLite on a temporary file (WAL), PostgreSQL in a scratch database
 * created now and dropped by `dispose`, or the in-memory store.
 */
export async function scratchStore(kind: StoreKind): Promise<BenchStore> {
  if (kind === 'memory') return { store: new MemoryStore(), dispose: async () => {} };
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'chatwire-bench-'));
    const store = new SqliteStore({ path: join(dir, 'chat.db') });
    return {
      store,
      dispose: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `chatwire_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const drop = () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  try {
    const store = await PostgresStore.open({ connectionString: databaseUrl(name), poolConfig: POSTGRES_POOL });
    return {
      store,
      dispose: async () => {
        await store.close();
        await drop();
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
