/**
 * The PostgreSQL store (needs the optional peer dependency `pg`).
 *
 * @packageDocumentation
 * @module @chatwire/server/postgres
 */
export { PostgresStore, type PostgresStoreOptions } from './stores/postgres-store.js';
