import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatServer, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { launchBrowser } from '../support/browser.js';
import { ensureFreshBuild, freshBuildTimeoutMs } from '../support/fresh-build.js';

const bundle = new URL('../../packages/client/dist/chatwire-client.browser.js', import.meta.url);

/** A page with no bundler: one inline module importing the shipped browser file. */
const page = `<!doctype html><meta charset="utf-8"><title>plain page</title>
<script type="module">
  import { createChatClient, createClient, defineContract, z } from '/chatwire-client.browser.js';
  const contract = defineContract({
    clientToServer: { ping: { payload: z.object({ n: z.number() }) } },
    serverToClient: {},
  });
  const refused = createClient(contract, location.origin, { autoConnect: false }).emit('ping', { n: 'not a number' });
  window.validationCode = refused.ok ? 'sent' : refused.error.code;
  const chat = createChatClient(location.origin, { auth: { userId: 'page', name: 'Plain Page' } });
  const joined = await chat.join('lobby');
  const sent = await joined.data.send('hello from a plain page');
  window.sentSerial = sent.ok ? sent.data.serial : sent.error.code;
</script>`;

describe('the browser bundle', () => {
  beforeAll(async () => {
    // CI builds first; otherwise a missing or stale bundle is built here.
    await ensureFreshBuild([bundle.pathname]);
  }, freshBuildTimeoutMs);

  it('works from a plain <script type="module"> in Chromium, zod and the contract included', async () => {
    const script = await readFile(bundle, 'utf8');
    const httpServer = createHttpServer((req, res) => {
      if (req.url === '/chatwire-client.browser.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      }
    });
    const chat = createChatServer({ httpServer, store: new MemoryStore(), authenticate: devAuthenticator() });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => chat.close());
    const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

    const reader = await joinRoom(chatClient(url, 'reader'), 'lobby');
    const browser = await launchBrowser();
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(url);
    await tab.waitForFunction(() => (window as { sentSerial?: unknown }).sentSerial !== undefined);
    expect(await tab.evaluate(() => (window as { sentSerial?: unknown }).sentSerial)).toBe(1);
    expect(await tab.evaluate(() => (window as { validationCode?: unknown }).validationCode)).toBe('VALIDATION_FAILED');
    await eventually(() =>
      expect(reader.messages).toMatchObject([{ text: 'hello from a plain page', author: { name: 'Plain Page' } }]),
    );
    expect(errors).toEqual([]);
  });
});
