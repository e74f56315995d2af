/**
 * `pnpm demo:react`: the demo chat server (examples/chat-app, PORT, default 3000) and the React page
 * from Vite's dev server (http://localhost:5173), which proxies /socket.io to the chat server.
 */
import { startDevServer } from '@chatwire/example-shared/vite';

await import('@chatwire/example-chat-app/src/main.js');
await startDevServer(new URL('../vite.config.ts', import.meta.url));
