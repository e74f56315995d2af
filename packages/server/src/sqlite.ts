/**
 * The SQLite store (needs the optional peer dependency `better-sqlite3`).
 *
 * @packageDocumentation
 * @module @chatwire/server/sqlite
 */
export { SqliteStore, type SqliteStoreOptions } from './stores/sqlite-store.js';
