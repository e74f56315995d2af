import { PostgresStore } from '@chatwire/server/postgres';
import { redisCluster } from '@chatwire/server/redis';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase } from '../../../packages/server/test/support/postgres.js';
import { launchBrowser } from '../../../test/support/browser.js';
import { startRedis } from '../../../test/support/cluster.js';
import { createChatApp } from '../src/server.js';

/** One demo node on the shared Redis and PostgreSQL, as `pnpm demo:cluster` starts them. */
async function startNode(redisUrl: string, databaseUrl: string): Promise<number> {
  const store = await PostgresStore.open({ connectionString: databaseUrl });
  const cluster = redisCluster({ redis: redisUrl });
  const app = await createChatApp({ store, adapter: cluster.adapter, presence: cluster.presence });
  onTestFinished(async () => {
    await app.close();
    await cluster.close();
  });
  return app.listen(0, '127.0.0.1');
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

describe('chat app on two nodes in Chromium', { timeout: 60_000 }, () => {
  it('two browsers on different nodes chat in one room with shared history, typing and presence', async () => {
    const [redis, database] = await Promise.all([startRedis(), createTestDatabase()]);
    onTestFinished(() => database.drop());
    const ports = await Promise.all([startNode(redis.url, database.url), startNode(redis.url, database.url)]);
    const browser = await launchBrowser();

    async function login(port: number, name: string): Promise<Page> {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.fill('#name', name);
      await page.press('#name', 'Enter');
      await page.locator('#status[data-status="connected"]').waitFor();
      await page.locator('#rooms li.active[data-room-id="general"]').waitFor();
      return page;
    }
    const ana = await login(ports[0]!, 'Ana');
    await send(ana, 'before Ben came');
    const ben = await login(ports[1]!, 'Ben');

    // Shared history: Ben's node reads what Ana's node stored.
    await ben.locator('#messages .message[data-serial="1"]', { hasText: 'before Ben came' }).waitFor();
    // Presence across nodes, in both pages.
    for (const page of [ana, ben]) {
      for (const userId of ['ana', 'ben']) await page.locator(`#members li[data-user-id="${userId}"]`).waitFor();
    }
    // Typing crosses nodes.
    await ben.fill('#message-input', 'typing on node two');
    await ana.locator('#typing', { hasText: 'Ben is typing…' }).waitFor();
    await send(ben, 'hello from node two');
    await ana.locator('#messages .message[data-serial="2"]', { hasText: 'hello from node two' }).waitFor();
    await send(ana, 'hello from node one');
    await ben.locator('#messages .message[data-serial="3"]', { hasText: 'hello from node one' }).waitFor();
    for (const page of [ana, ben]) {
      const serials = await page
        .locator('#messages .message')
        .evaluateAll((nodes) => nodes.map((node) => (node as HTMLElement).dataset.serial));
      expect(serials).toEqual(['1', '2', '3']);
    }
  });
});
