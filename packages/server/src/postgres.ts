export { PostgresStore, type PostgresStoreOptions } from './stores/postgres-store.js';
