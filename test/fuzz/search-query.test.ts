import { type Message, searchQuerySchema, searchTerms } from '@chatwire/protocol';
import { type Logger, MemoryStore, type Store } from '@chatwire/server';
import { PostgresStore } from '@chatwire/server/postgres';
import { SqliteStore } from '@chatwire/server/sqlite';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../packages/server/test/support/postgres.js';
import { connectUser, join, send, startChat, unchecked } from '../chat/support.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, seed } from './support.js';

const roomId = 'lobby';

/** What the stores' query languages (FTS5 MATCH, tsquery) treat as syntax, and words beside it. */
const syntax = fc.constantFrom(
  ...['"', "'", '*', ':', '^', '(', ')', '{', '}', '-', '+', '&', '|', '!', '<', '>', '<->', '\\', ',', '.', ' '],
  ...['AND', 'OR', 'NOT', 'NEAR', 'NEAR/2', ':*', '"""', "''", 'body', 'room', 'r6c6f'],
  ...['lunch', 'Lunch', 'é', 'É', 'e\u0301', '日本', 'Σ', '\u0301', '\uE000', '💬', '\t', '\u00a0', '\u200b'],
);

/** Queries: syntax-heavy mixes, any text at all, and over-long ones. */
const query = fc.oneof(
  { weight: 4, arbitrary: fc.array(syntax, { maxLength: 30 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 190, maxLength: 210 }) },
);

const texts = [
  'Lunch at noon? "yes" AND maybe NOT',
  "NEAR(room body) r6c6f:* \\ o'brien",
  'été 日本語 Σοφία e\u0301te',
  'deleted lunch',
];

/** The documented matching: each word of the query starts a word of the text, ignoring case. */
function matches(text: string, query: string): boolean {
  const fold = (word: string) => Array.from(word, (char) => char.toLowerCase()).join('');
  const words = searchTerms(text).map(fold);
  return searchTerms(query)
    .map(fold)
    .every((term) => words.some((word) => word.startsWith(term)));
}

async function serverWith(store: Store) {
  const errors: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: (message) => errors.push(message) };
  // Every abuse limit off (they have tests of their own): thousands of queries on one connection.
  const { url } = await startChat({
    store,
    logger,
    rateLimit: false,
    actionRateLimit: false,
    eventRateLimit: false,
    errorReplyRateLimit: false,
    refusalLimit: false,
  });
  const ana = await connectUser(url, 'ana');
  await join(ana, roomId);
  const sent: Message[] = [];
  for (const text of texts) sent.push(await send(ana, roomId, text));
  await ana.request('message:delete', { roomId, serial: sent.length });
  return { ana, errors, live: sent.slice(0, -1) };
}

let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
afterAll(() => database?.drop());

/**
 * Each store, and whether it matches exactly as documented. PostgreSQL's own word parser differs at
 * the edges (combining marks and some punctuation split words otherwise: see docs/protocol.md), so
 * there only what it finds is checked: messages there are and not deleted.
 */
const stores: [string, () => Promise<Store>, boolean][] = [
  ['MemoryStore', async () => new MemoryStore(), true],
  ['SqliteStore', async () => new SqliteStore({ path: ':memory:' }), true],
  [
    'PostgresStore',
    async () => {
      database ??= await createTestDatabase();
      return PostgresStore.open({ connectionString: database.url });
    },
    false,
  ],
];

describe.each(stores)('fuzzing history:search queries (%s)', (_, open, exact) => {
  it(
    'answers every string with matches or VALIDATION_FAILED, never INTERNAL or UNAVAILABLE',
    async () => {
      const { ana, errors, live } = await serverWith(await open());
      const checked = await fc.check(
        fc.asyncProperty(query, async (q) => {
          const answer = await unchecked(ana, 'history:search', { roomId, query: q });
          if (!searchQuerySchema.safeParse(q).success) {
            expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
            return;
          }
          if (!answer.ok) throw new Error(`${JSON.stringify(q)} refused: ${answer.error.code} ${answer.error.message}`);
          const { messages } = answer.data as { messages: Message[] };
          // Exactly the messages not deleted that hold a word starting like each of the query's, newest first.
          const found = messages.map((m) => m.serial);
          if (!exact) {
            for (const serial of found) expect(live.map((m) => m.serial)).toContain(serial);
            return;
          }
          const expected = live.filter((m) => matches(m.text, q)).map((m) => m.serial);
          expect([q, found]).toEqual([q, expected.reverse()]);
        }),
        { numRuns: FUZZ_RUNS, ...seed() },
      );
      if (checked.failed) throw new Error(`FUZZ_SEED=${checked.seed}: ${String(checked.errorInstance)}`);
      expect(errors).toEqual([]);
    },
    FUZZ_TIMEOUT_MS,
  );
});
