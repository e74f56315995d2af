import { PostgresStore } from '@chatwire/server/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { describeStoreContract } from '../support/store-contract.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let schemas = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/**
 * Records the text and values of every query sent through `pool.query`, in either form (text and
 * values, or a config object as the store's prepared statements are sent).
 */
function recordQueries(pool: pg.Pool): { text: string; values: unknown[] }[] {
  const sent: { text: string; values: unknown[] }[] = [];
  const query = pool.query.bind(pool) as (config: string | pg.QueryConfig, values?: unknown[]) => Promise<unknown>;
  pool.query = ((config: string | pg.QueryConfig, values?: unknown[]) => {
    if (typeof config === 'string') sent.push({ text: config, values: values ?? [] });
    else sent.push({ text: config.text, values: config.values ?? [] });
    return query(config, values);
  }) as never;
  return sent;
}

/** Each test gets an empty schema of its own in the test database. */
const openFresh = () => PostgresStore.open({ connectionString: database.url, schema: `s${++schemas}` });

describeStoreContract('PostgresStore', openFresh);

describe('PostgresStore on several nodes', () => {
  it('applies its migrations once, also when nodes start at the same time', async () => {
    const schema = `m${++schemas}`;
    const stores = await Promise.all(
      [1, 2, 3].map(() => PostgresStore.open({ connectionString: database.url, schema })),
    );
    onTestFinished(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
    const again = await PostgresStore.open({ connectionString: database.url, schema });
    await again.close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    onTestFinished(() => client.end());
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM ${schema}.chat_migrations ORDER BY version`,
    );
    // Each migration recorded once: versions 1..n, no repeats from the racing opens or the later one.
    const versions = rows.map((row) => row.version);
    expect(versions.length).toBeGreaterThan(0);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
  });

  it('keeps serials gapless and clientMessageIds unique with writers on three pools', async () => {
    const schema = `n${++schemas}`;
    const nodes = await Promise.all(
      [1, 2, 3].map(() => PostgresStore.open({ connectionString: database.url, schema, poolConfig: { max: 4 } })),
    );
    onTestFinished(() => Promise.all(nodes.map((s) => s.close())).then(() => undefined));
    const author = { userId: 'u', name: 'U' };
    // 90 sends, each clientMessageId sent three times (once per node, at the same time): 30 messages.
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        nodes[i % 3]!.append({
          roomId: 'r',
          clientMessageId: `c${Math.floor(i / 3)}`,
          author,
          text: `m${i}`,
          createdAt: i,
        }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(30);
    const page = await nodes[0]!.history('r', { limit: 100 });
    expect(page.messages.map((m) => m.serial)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(page.messages.map((m) => m.clientMessageId)).size).toBe(30);
    for (const result of results) {
      expect(page.messages[result.message.serial - 1]?.id).toBe(result.message.id);
    }
  });

  it('answers the stored original to a same-clientMessageId send that lost the race, leaving no gap in serials', async () => {
    const schema = `race${++schemas}`;
    const nodes = await Promise.all(
      [1, 2].map(() => PostgresStore.open({ connectionString: database.url, schema, poolConfig: { max: 1 } })),
    );
    onTestFinished(() => Promise.all(nodes.map((s) => s.close())).then(() => undefined));
    const author = { userId: 'ana', name: 'Ana' };
    await nodes[0]!.append({ roomId: 'r', clientMessageId: 'earlier', author, text: 'earlier', createdAt: 1 });
    // Hold the room's counter row, so that both sends below have read (and found no 'same') before
    // either inserts: the second to get the row inserts a duplicate and must answer the first's message.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    onTestFinished(() => holder.end());
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM ${schema}.chat_rooms WHERE room_id = 'r' FOR UPDATE`);
    const draft = { roomId: 'r', clientMessageId: 'same', author, createdAt: 2 };
    const racing = nodes.map((node, i) => node.append({ ...draft, text: `from node ${i}` }));
    await vi.waitFor(async () => {
      const { rows } = await holder.query<{ waiting: string }>(
        `SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      expect(Number(rows[0]?.waiting)).toBe(2);
    });
    await holder.query('COMMIT');
    const [a, b] = await Promise.all(racing);
    expect([a?.created, b?.created].sort()).toEqual([false, true]);
    expect(a?.message).toEqual(b?.message);
    expect(a?.message.serial).toBe(2);
    // The loser's counter increment was undone with its insert: the next serial is 3.
    const next = await nodes[1]!.append({ ...draft, clientMessageId: 'next', text: 'next' });
    expect(next.message.serial).toBe(3);
  });

  it('shares one pool between stores of different schemas, each with its own statements', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    onTestFinished(() => pool.end());
    const one = await PostgresStore.open({ pool, schema: `p${++schemas}` });
    const two = await PostgresStore.open({ pool, schema: `p${++schemas}` });
    const author = { userId: 'ana', name: 'Ana' };
    // One connection: the second store's statements are prepared on the connection that holds the first's.
    await one.append({ roomId: 'r', clientMessageId: 'c', author, text: 'in one', createdAt: 1 });
    await two.append({ roomId: 'r', clientMessageId: 'c', author, text: 'in two', createdAt: 1 });
    await two.append({ roomId: 'r', clientMessageId: 'd', author, text: 'also in two', createdAt: 2 });
    expect((await one.history('r', { limit: 10 })).messages.map((m) => m.text)).toEqual(['in one']);
    expect((await two.history('r', { limit: 10 })).messages.map((m) => m.text)).toEqual(['in two', 'also in two']);
  });

  it('keeps answering on connections that prepared its statements after a newer node adds columns', async () => {
    const schema = `u${++schemas}`;
    // One connection: each statement is prepared on it before the columns come, and run on it after.
    const store = await PostgresStore.open({ connectionString: database.url, schema, poolConfig: { max: 1 } });
    onTestFinished(() => store.close());
    const ana = { userId: 'ana', name: 'Ana' };
    const everyRead = async (n: number) => {
      const draft = { roomId: 'r', clientMessageId: `c${n}`, author: ana, text: `word ${n}`, createdAt: n };
      await store.append(draft);
      await store.append(draft);
      await store.addMember('r', 'ana', 10);
      await store.restrict({ roomId: 'r', userId: 'ben', kind: 'mute', createdAt: n });
      return Promise.all([
        store.history('r', { limit: 10 }),
        store.history('r', { before: 9, limit: 10 }),
        store.history('r', { after: 0, limit: 10 }),
        store.get('r', n),
        store.edit('r', n, `edited ${n}`, n),
        store.toggleReaction('r', n, '👍', 'ana', n, 10),
        store.updatedSince('r', 0, 10),
        store.search('r', 'edited', { limit: 10 }),
        store.sendCheck('r', 'ana', `c${n}`, 0),
        store.restrictionsOf('r', 'ben', 0),
        store.restrictions('r', 'mute', 0, 10),
        store.userRooms('ana', { limit: 10, maxUnread: 10 }),
        store.delete('r', n, n),
      ]);
    };
    const before = await everyRead(1);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    onTestFinished(() => admin.end());
    for (const table of ['chat_messages', 'chat_restrictions', 'chat_rooms', 'chat_read_markers']) {
      await admin.query(`ALTER TABLE ${schema}.${table} ADD COLUMN added_later text`);
    }
    const after = await everyRead(2);
    expect(after.map((result) => typeof result)).toEqual(before.map((result) => typeof result));
    expect((await store.history('r', { limit: 10 })).messages.map((m) => [m.serial, m.deletedAt])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('serves its own reads from indexes on a large table: history pages, lastSerial, updatedSince, each read of a send', async () => {
    const schema = `x${++schemas}`;
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    onTestFinished(() => pool.end());
    const store = await PostgresStore.open({ pool, schema });
    // 40 rooms of 1000 messages, a few of them edited, among 20,000 rooms: the planner picks indexes only when they pay.
    await pool.query(
      `INSERT INTO ${schema}.chat_messages (room_id, serial, id, client_message_id, author_id, author_name, text, created_at, updated_at)
       SELECT 'room' || r, n, gen_random_uuid(), 'c' || n, 'u' || (n % 7), 'U', 'text ' || n, n,
              CASE WHEN n % 100 = 0 THEN n ELSE NULL END
       FROM generate_series(1, 40) AS r, generate_series(1, 1000) AS n`,
    );
    await pool.query(
      `INSERT INTO ${schema}.chat_rooms (room_id, last_serial) SELECT 'room' || r, 1000 FROM generate_series(1, 20000) AS r`,
    );
    // 5 members and a mute in each room.
    await pool.query(
      `INSERT INTO ${schema}.chat_members (user_id, room_id) SELECT 'u' || u, 'room' || r FROM generate_series(1, 20000) AS r, generate_series(1, 5) AS u`,
    );
    await pool.query(
      `INSERT INTO ${schema}.chat_restrictions (room_id, user_id, kind, created_at) SELECT 'room' || r, 'u1', 'mute', 1 FROM generate_series(1, 20000) AS r`,
    );
    for (const table of ['chat_messages', 'chat_rooms', 'chat_members', 'chat_restrictions']) {
      await pool.query(`ANALYZE ${schema}.${table}`);
    }

    // Record the store's reads as it sends them (an append is one statement that reads first), then
    // ask PostgreSQL how it runs each one.
    const sent = recordQueries(pool);
    await store.history('room7', { after: 500, limit: 50 });
    await store.history('room7', { before: 500, limit: 50 });
    await store.history('room7', { limit: 50 });
    await store.lastSerial('room7');
    await store.updatedSince('room7', 0, 50);
    await store.sendCheck('room7', 'u3', 'c3', 1);
    await store.restrictionsOf('room7', 'u3', 1);
    await store.roomMembers('room7', 101);
    const author = { userId: 'u3', name: 'U' };
    await store.append({ roomId: 'room7', clientMessageId: 'c3', author, text: 'again', createdAt: 1 });
    const reads = sent.splice(0).filter(({ text }) => /^\s*(SELECT|WITH)/.test(text));

    const plans = await Promise.all(
      reads.map(async ({ text, values }) => {
        const { rows } = await pool.query(`EXPLAIN ${text}`, values);
        return { sql: text, plan: rows.map((row) => Object.values(row)[0]).join('\n') };
      }),
    );
    expect(reads.length).toBe(9);
    for (const { sql, plan } of plans) {
      expect(plan, sql).not.toMatch(/Seq Scan/);
      expect(plan, sql).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
    }
    expect(plans.map(({ plan }) => plan).join('\n')).toMatch(/chat_messages_updated/);
    expect(plans.map(({ plan }) => plan).join('\n')).toMatch(/chat_messages_client_id/);
  });

  it('searches a big room through the GIN index of the words', async () => {
    // The store's own queries, as it sends them: the search query is explained as it is, not rewritten.
    const pool = new pg.Pool({ connectionString: database.url });
    onTestFinished(() => pool.end());
    const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
    const sent = recordQueries(pool);
    const schema = `x${++schemas}`;
    const store = await PostgresStore.open({ pool, schema });
    onTestFinished(() => store.close());
    // 20,000 messages in the room and as many in another, of words from a vocabulary of about 2,000 (as
    // chat is), four of them with the rare word looked for: where an index pays, the planner must use it.
    await query(
      `INSERT INTO ${schema}.chat_messages (room_id, serial, id, client_message_id, author_id, author_name, text, created_at)
       SELECT room, n, gen_random_uuid(), 'c' || n, 'ana', 'Ana',
              CASE WHEN n % 5000 = 0 THEN 'a rare needle' ELSE format('w%s w%s w%s', n % 1999, n * 31 % 2003, n * 17 % 1997) END, n
       FROM generate_series(1, 20000) AS n, (VALUES ('big'), ('other')) AS rooms (room)`,
    );
    await query(`INSERT INTO ${schema}.chat_rooms VALUES ('big', 20000), ('other', 20000)`);
    await query(`ANALYZE ${schema}.chat_messages`);

    sent.length = 0;
    const page = await store.search('big', 'needle', { limit: 10 });
    expect(page.messages.map((m) => m.serial)).toEqual([20000, 15000, 10000, 5000]);
    const search = sent.find((q) => q.text.includes('@@'));
    if (search === undefined) throw new Error('the store sent no search query');
    const plan = await query(`EXPLAIN ${search.text}`, search.values);
    expect(plan.rows.map((row) => Object.values(row)[0]).join('\n')).toMatch(
      /Bitmap Index Scan on chat_messages_search/,
    );
  });

  it('rejects open with the connection error when the database is unreachable', async () => {
    await expect(
      PostgresStore.open({
        connectionString: 'postgres://postgres@127.0.0.1:1/none',
        poolConfig: { connectionTimeoutMillis: 500 },
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
