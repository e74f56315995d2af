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
