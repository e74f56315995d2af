import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, POSTGRES_URL } from '../../packages/server/test/support/postgres.js';
import { chatClient, joinRoom } from '../chat-client/support.js';
import { startNode } from '../support/cluster.js';
import { closeAll } from './support.js';

const SENDERS = ['ana', 'ben', 'cai'];
const PER_SENDER = 10;

describe('PostgreSQL connections terminated while sends are stored', { timeout: 120_000 }, () => {
  it('the node stays up, every send is acked, history is gapless and each clientMessageId is stored once', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const node = await startNode({ DATABASE_URL: database.url });
    // A crash of the node fails the test at once, with its output.
    const crashed = node.exited.then((output) => {
      throw new Error(`the chat node exited:\n${output}`);
    });
    crashed.catch(() => {});

    const chats = SENDERS.map((user) => chatClient(node.url, user));
    closeAll(chats);
    const rooms = await Promise.all(chats.map((chat) => joinRoom(chat, 'r')));

    // A session on another database ends every backend of the node's database, again and again.
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    onTestFinished(() => admin.end());
    let terminating = true;
    let terminated = 0;
    const terminator = (async () => {
      while (terminating) {
        const { rows } = await admin.query<{ ended: boolean }>(
          'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database.name],
        );
        terminated += rows.filter((row) => row.ended).length;
        await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 90));
      }
    })();

    const sends = rooms.flatMap((room, i) =>
      Array.from({ length: PER_SENDER }, (_, n) => room.send(`${SENDERS[i]} #${n + 1}`)),
    );
    const outcomes = await Promise.race([Promise.all(sends), crashed]).finally(async () => {
      terminating = false;
      await terminator;
    });

    expect(terminated).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    const { rows } = await reader
      .query<{ serial: number; client_message_id: string }>(
        `SELECT serial, client_message_id FROM chat_messages WHERE room_id = 'r' ORDER BY serial`,
      )
      .finally(() => reader.end());
    const count = SENDERS.length * PER_SENDER;
    expect(rows.map((row) => row.serial)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const acked = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.data.clientMessageId] : []));
    expect(new Set(rows.map((row) => row.client_message_id))).toEqual(new Set(acked));
    expect(new Set(acked).size).toBe(count);
    expect(node.output()).not.toMatch(/Unhandled 'error' event/);
    await expect(Promise.race([crashed, Promise.resolve('alive')])).resolves.toBe('alive');
  });
});
