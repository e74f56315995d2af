import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/** The chat server `pnpm dev` runs beside Vite (the same PORT as `pnpm start`). */
const chatServer = `http://127.0.0.1:${process.env.PORT || 3000}`;

// The page (src/page) is built into dist/page, which src/server.ts serves. The workspace packages are
// read from their sources (the "@chatwire/source" export condition), so they need no build.
export default defineConfig({
  root: fileURLToPath(new URL('src/page/', import.meta.url)),
  resolve: { conditions: ['@chatwire/source', ...defaultClientConditions] },
  build: { outDir: fileURLToPath(new URL('dist/page/', import.meta.url)), emptyOutDir: true },
  // Under `pnpm dev` the page comes from Vite (with HMR) and its Socket.IO connection, polling and
  // WebSocket, goes through Vite's proxy to the chat server.
  server: { proxy: { '/socket.io': { target: chatServer, ws: true } } },
});
