import { fileURLToPath } from 'node:url';
import { createClient } from '@chatwire/client';
import { createServer } from 'vite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connected, nextValue } from '../../../test/support/harness.js';
import { tutorialContract } from '../src/contract.js';
import { createTutorialServer } from '../src/server.js';

describe('pnpm dev', () => {
  it("Vite serves the page from source and proxies Socket.IO's WebSocket to the chat server", async () => {
    const app = await createTutorialServer();
    const chatPort = await app.listen(0, '127.0.0.1');
    onTestFinished(() => app.close());
    // vite.config.ts proxies to PORT, the chat server's port, as `pnpm dev` runs it.
    const port = process.env.PORT;
    process.env.PORT = String(chatPort);
    onTestFinished(() => {
      if (port === undefined) delete process.env.PORT;
      else process.env.PORT = port;
    });
    const vite = await createServer({
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      server: { port: 0, host: '127.0.0.1' },
      logLevel: 'silent',
      // No dependency pre-bundling scan: Vite's close() never settles when it lands while that scan is
      // still running (vitejs/vite#22934, #23143), which a loaded CI machine hit. This test asserts the
      // page, HMR and the proxy, none of which needs pre-bundled dependencies.
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await vite.listen();
    onTestFinished(() => vite.close());
    const url = vite.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? '';

    const page = await (await fetch(url)).text();
    expect(page).toContain('/@vite/client'); // HMR
    expect(page).toContain('<script type="module" src="./app.ts">');
    expect((await fetch(`${url}/app.ts`)).headers.get('content-type')).toMatch(/javascript/);

    // Through Vite's port, WebSocket only: only the proxy's `ws: true` lets these meet.
    const client = () => {
      const chat = createClient(tutorialContract, url, { transports: ['websocket'], reconnection: false });
      onTestFinished(() => chat.close());
      return chat;
    };
    const [ana, ben] = [client(), client()];
    await Promise.all([connected(ana), connected(ben)]);
    const heard = nextValue<string>((fn) => ben.on('login', fn));
    ana.emit('login', { name: 'Ana', userid: 'ana' });
    expect(await heard).toBe('Ana');
    // Closed here, before the teardown closes Vite: a proxied WebSocket still open holds vite.close().
    ana.close();
    ben.close();
  });
});
