/**
 * `pnpm dev`: the chat server as `pnpm start` runs it (PORT, default 3000), and the page from Vite's dev
 * server (http://localhost:5173, reloaded as you edit src/page), which proxies /socket.io to the chat server.
 */
import { startDevServer } from '@chatwire/example-shared/vite';

await import('./main.js');
await startDevServer(new URL('../vite.config.ts', import.meta.url));
