import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/** The demo chat server (examples/chat-app) `pnpm demo:react` runs beside Vite (PORT, default 3000). */
const chatServer = `http://127.0.0.1:${process.env.PORT || 3000}`;

// The React page (src/page) talks to the demo server through Vite's proxy (dev) or the preview
// server's (tests), on the page's own origin. Built into dist/page.
export default defineConfig({
  root: fileURLToPath(new URL('src/page/', import.meta.url)),
  resolve: { conditions: ['@chatwire/source', ...defaultClientConditions] },
  esbuild: { jsx: 'automatic' },
  build: { outDir: fileURLToPath(new URL('dist/page/', import.meta.url)), emptyOutDir: true },
  server: { proxy: { '/socket.io': { target: chatServer, ws: true } } },
});
