import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, MemoryStore, type Store } from '@chatwire/server';
import { PostgresStore } from '@chatwire/server/postgres';
import { SqliteStore } from '@chatwire/server/sqlite';

/** The example's directory, so the default database does not depend on where the process started. */
const exampleDir = fileURLToPath(new URL('..', import.meta.url));

/** The demo's default database file. */
export const DEFAULT_DB_PATH = resolve(exampleDir, 'data', 'chat.db');

/**
 * The store the environment asks for: PostgreSQL when `DATABASE_URL` is set (several nodes);
 * otherwise SQLite on `CHAT_DB` (default `data/chat.db` in the example's directory; a relative
 * `CHAT_DB` is relative to the working directory), or memory with `CHAT_STORE=memory`.
 */
export async function storeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): Promise<{ store: Store; description: string }> {
  if (env.DATABASE_URL) {
    const store = await PostgresStore.open({ connectionString: env.DATABASE_URL, ...(logger ? { logger } : {}) });
    return { store, description: `PostgreSQL at ${new URL(env.DATABASE_URL).host}` };
  }
  const kind = env.CHAT_STORE ?? 'sqlite';
  if (kind === 'memory') return { store: new MemoryStore(), description: 'memory (history is lost on exit)' };
  if (kind !== 'sqlite') throw new Error(`CHAT_STORE must be "sqlite" or "memory", not "${kind}"`);
  const path = env.CHAT_DB ? resolve(env.CHAT_DB) : DEFAULT_DB_PATH;
  mkdirSync(dirname(path), { recursive: true });
  return { store: new SqliteStore({ path }), description: `SQLite at ${path}` };
}
