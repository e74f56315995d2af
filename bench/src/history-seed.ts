import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Store } from '@chatwire/server';
import { PostgresStore } from '@chatwire/server/postgres';
import { SqliteStore } from '@chatwire/server/sqlite';
import Database from 'better-sqlite3';
import pg from 'pg';
import { log } from './measure.js';
import { databaseUrl, POSTGRES_POOL, withAdmin } from './stores.js';

/** Where seeded stores are kept between runs (gitignored). */
const CACHE_DIR = new URL('../.cache/', import.meta.url).pathname;
/** The PostgreSQL database kept between runs. */
const POSTGRES_DATABASE = 'chatwire_bench_history';
/** Seeded messages are sent by this many users, in turn. */
const AUTHORS = 50;
/** Seeded messages are this many ms apart. */
const SPACING_MS = 1000;
const SEED_TEXT = 'A message from the archive: nothing special, about as long as a chat line usually is.';

/**
 * The columns every seeded row sets, straight into the stores' `chat_messages` table (the others keep
 * their defaults), and the room counter `chat_rooms.last_serial` set to the last serial. Both seeds
 * generate the rows inside the database (SQLite: a recursive CTE; PostgreSQL: generate_series) in one
 * statement, in one transaction.
 */
const COLUMNS = 'room_id, serial, id, client_message_id, author_id, author_name, text, created_at';

/** A seeded store: `messages` messages in `roomId`, serials 1…messages. */
export interface SeededStore {
  store: Store;
  /** Reused from an earlier run (true) or seeded now. */
  cached: boolean;
}

/** The SQLite file under bench/.cache/, reused when its room has exactly `messages` messages. */
export async function seededSqlite(roomId: string, messages: number): Promise<SeededStore> {
  await mkdir(CACHE_DIR, { recursive: true });
  const path = join(CACHE_DIR, `history-${messages}.db`);
  const store = new SqliteStore({ path });
  const db = new Database(path);
  try {
    const count = db.prepare('SELECT count(*) AS n FROM chat_messages WHERE room_id = ?').get(roomId) as { n: number };
    if (count.n === messages && (await store.lastSerial(roomId)) === messages) return { store, cached: true };
    const began = performance.now();
    db.transaction(() => {
      db.prepare('DELETE FROM chat_messages WHERE room_id = ?').run(roomId);
      db.prepare(
        `WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < @messages)
         INSERT INTO chat_messages (${COLUMNS})
         SELECT @roomId, g, printf('%08x-0000-4000-8000-%012x', g, g), 'seed-' || g,
                'user-' || (g % ${AUTHORS}), 'User ' || (g % ${AUTHORS}), @text, @start + g * ${SPACING_MS}
         FROM s`,
      ).run({ messages, roomId, text: SEED_TEXT, start: Date.now() - messages * SPACING_MS });
      db.prepare(
        'INSERT INTO chat_rooms (room_id, last_serial) VALUES (?, ?) ON CONFLICT (room_id) DO UPDATE SET last_serial = excluded.last_serial',
      ).run(roomId, messages);
    })();
    log(`[history] seeded ${messages} messages into ${path} in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    return { store, cached: false };
  } catch (error) {
    await store.close();
    await rm(path, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

/** The PostgreSQL database `chatwire_bench_history`, kept between runs while its room has `messages` messages. */
export async function seededPostgres(roomId: string, messages: number): Promise<SeededStore> {
  const exists = await withAdmin(async (admin) => {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [POSTGRES_DATABASE]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${POSTGRES_DATABASE}`);
    return found.rowCount !== 0;
  });
  const store = await PostgresStore.open({
    connectionString: databaseUrl(POSTGRES_DATABASE),
    poolConfig: POSTGRES_POOL,
  });
  try {
    if (exists && (await store.lastSerial(roomId)) === messages) {
      const count = await withDatabase((client) =>
        client.query<{ n: string }>('SELECT count(*) AS n FROM chat_messages WHERE room_id = $1', [roomId]),
      );
      if (Number(count.rows[0]?.n) === messages) return { store, cached: true };
    }
    const began = performance.now();
    await withDatabase(async (client) => {
      await client.query('BEGIN');
      await client.query('DELETE FROM chat_messages WHERE room_id = $1', [roomId]);
      await client.query(
        `INSERT INTO chat_messages (${COLUMNS})
         SELECT $1, g, gen_random_uuid(), 'seed-' || g, 'user-' || (g % ${AUTHORS}), 'User ' || (g % ${AUTHORS}),
                $3, $4::bigint + g * ${SPACING_MS}
         FROM generate_series(1, $2::integer) AS g`,
        [roomId, messages, SEED_TEXT, Date.now() - messages * SPACING_MS],
      );
      await client.query(
        `INSERT INTO chat_rooms (room_id, last_serial) VALUES ($1, $2)
         ON CONFLICT (room_id) DO UPDATE SET last_serial = excluded.last_serial`,
        [roomId, messages],
      );
      await client.query('COMMIT');
      await client.query('ANALYZE chat_messages');
    });
    log(
      `[history] seeded ${messages} messages into ${POSTGRES_DATABASE} in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    return { store, cached: false };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Runs `work` on a connection of its own to the kept database. */
async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(POSTGRES_DATABASE) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
