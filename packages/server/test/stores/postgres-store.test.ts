import { PostgresStore } from '@chatwire/server/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
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
    const { rows } = await client.query(`SELECT version FROM ${schema}.chat_migrations`);
    expect(rows).toEqual(Array.from({ length: 7 }, (_, i) => ({ version: i + 1 })));
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

  it('serves history and sync from indexes', async () => {
    const store = await openFresh();
    onTestFinished(() => store.close());
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    onTestFinished(() => client.end());
    await client.query('SET enable_seqscan = off');
    const plan = await client.query(
      `EXPLAIN SELECT * FROM s${schemas}.chat_messages WHERE room_id = 'r' AND serial > 5 ORDER BY serial LIMIT 10`,
    );
    expect(plan.rows.map((row) => Object.values(row)[0]).join('\n')).toMatch(/Index Scan using chat_messages_pkey/);
  });

  it('searches a big room through the GIN index of the words', async () => {
    // The store's own queries, as it sends them: the search query is explained as it is, not rewritten.
    const pool = new pg.Pool({ connectionString: database.url });
    onTestFinished(() => pool.end());
    const sent: { text: string; values: unknown[] }[] = [];
    const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
    pool.query = ((text: string, values?: unknown[]) => {
      sent.push({ text, values: values ?? [] });
      return query(text, values);
    }) as never;
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

  it('fails fast with the error when the database is unreachable', async () => {
    const started = Date.now();
    await expect(
      PostgresStore.open({
        connectionString: 'postgres://postgres@127.0.0.1:1/none',
        poolConfig: { connectionTimeoutMillis: 500 },
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
