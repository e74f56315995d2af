import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { preview } from 'vite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser } from '../../../test/support/browser.js';
import { createChatApp } from '../../chat-app/src/server.js';

/** The texts of the messages as the user sees them, with the status of those not stored yet. */
function listed(page: Page) {
  return page
    .locator('#messages li')
    .evaluateAll((nodes) => nodes.map((node) => `${node.querySelector('.text')?.textContent} (${node.className})`));
}

describe('the React chat page in Chromium', () => {
  it('two users chat through the demo server: messages, members and typing, live', { timeout: 40_000 }, async () => {
    const app = await createChatApp();
    const chatPort = await app.listen(0, '127.0.0.1');
    onTestFinished(() => app.close());
    // The page as built (dist/page), its /socket.io proxied to the demo server, as `pnpm demo:react` does.
    const server = await preview({
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      logLevel: 'silent',
      preview: {
        host: '127.0.0.1',
        port: 0,
        proxy: { '/socket.io': { target: `http://127.0.0.1:${chatPort}`, ws: true } },
      },
    });
    onTestFinished(() => server.close());
    const { port } = server.httpServer.address() as AddressInfo;
    const browser = await launchBrowser();
    const pageErrors: string[] = [];

    async function login(name: string): Promise<Page> {
      // Separate contexts: two different users.
      const page = await (await browser.newContext()).newPage();
      page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.fill('#name', name);
      await page.press('#name', 'Enter');
      await page.locator('#status[data-status="connected"]').waitFor();
      return page;
    }
    const ana = await login('Ana');
    const ben = await login('Ben');
    for (const page of [ana, ben]) {
      for (const userId of ['ana', 'ben']) await page.locator(`#members li[data-user-id="${userId}"]`).waitFor();
    }

    await ana.fill('#message-input', 'hel');
    await ben.locator('#typing', { hasText: 'Ana typing…' }).waitFor();
    await ana.fill('#message-input', 'hello Ben');
    await ana.press('#message-input', 'Enter');
    await ben.locator('#messages li[data-serial="1"]', { hasText: 'hello Ben' }).waitFor();
    await expect.poll(() => ben.locator('#typing').textContent()).toBe('');
    await ben.fill('#message-input', 'hi Ana');
    await ben.press('#message-input', 'Enter');
    await ana.locator('#messages li[data-serial="2"]', { hasText: 'hi Ana' }).waitFor();
    for (const page of [ana, ben]) {
      await expect.poll(() => listed(page)).toEqual(['hello Ben (sent)', 'hi Ana (sent)']);
    }
    // StrictMode (main.tsx) mounts twice: still one connection per page.
    expect(app.chat.raw.server.engine.clientsCount).toBe(2);
    expect(pageErrors).toEqual([]);
  });
});
