/** `pnpm start`: builds the page (dist/page) if it is missing or older than its sources, then runs the server. */
import { buildPageIfStale } from '@chatwire/example-shared/vite';

if (await buildPageIfStale(new URL('../vite.config.ts', import.meta.url))) console.info('page built into dist/page');
await import('./main.js');
