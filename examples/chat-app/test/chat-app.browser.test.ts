import { MemoryStore } from '@chatwire/server';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser } from '../../../test/support/browser.js';
import { createChatApp } from '../src/server.js';

const XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';

/** The message list as the user sees it: `data-serial` (or the status while not stored) and text. */
function listed(page: Page) {
  return page.locator('#messages .message').evaluateAll((nodes) =>
    nodes.map((node) => {
      const item = node as HTMLElement;
      return {
        serial: item.dataset.serial ?? (item.classList.contains('pending') ? 'pending' : 'failed'),
        text: item.querySelector('.text')?.textContent ?? '',
      };
    }),
  );
}

const message = (page: Page, serial: number) => page.locator(`#messages .message[data-serial="${serial}"]`);

async function send(page: Page, text: string): Promise<void> {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

describe('chat app in Chromium', () => {
  it('two users chat live, lose nothing across a dropped connection, and never run message HTML', {
    timeout: 40_000,
  }, async () => {
    const store = new MemoryStore();
    for (let i = 1; i <= 60; i++) {
      const author = { userId: 'old', name: 'Old Timer' };
      await store.append({ roomId: 'history', clientMessageId: `h${i}`, author, text: `old ${i}`, createdAt: i });
    }
    const app = await createChatApp({ store });
    const port = await app.listen(0, '127.0.0.1');
    onTestFinished(() => app.close());
    const browser = await launchBrowser();
    const pageErrors: string[] = [];

    // Separate contexts: separate sessionStorage, so two different users.
    async function login(name: string): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.fill('#name', name);
      await page.press('#name', 'Enter');
      await page.locator('#status[data-status="connected"]', { hasText: 'connected' }).waitFor();
      await page.locator('#rooms li.active[data-room-id="general"]').waitFor();
      return { context, page };
    }
    const { page: ana } = await login('Ana');
    const { page: ben, context: benContext } = await login('Ben');

    // Presence: both users, in both pages.
    for (const page of [ana, ben]) {
      for (const userId of ['ana', 'ben']) await page.locator(`#members li[data-user-id="${userId}"]`).waitFor();
    }
    expect(await ana.locator('#members li[data-user-id="ana"]').textContent()).toBe('Ana(you)');

    // Typing shows on the other side, and goes away on send and on blur.
    await ana.fill('#message-input', 'hel');
    await ben.locator('#typing', { hasText: 'Ana is typing…' }).waitFor();
    await send(ana, 'hello Ben');
    await message(ben, 1).getByText('hello Ben').waitFor();
    await expect.poll(() => ben.locator('#typing').textContent()).toBe('');
    await ben.fill('#message-input', 'hi');
    await ana.locator('#typing', { hasText: 'Ben is typing…' }).waitFor();
    await ben.locator('#message-input').blur();
    await expect.poll(() => ana.locator('#typing').textContent()).toBe('');
    await send(ben, 'hi Ana');
    await message(ana, 2).getByText('hi Ana').waitFor();

    // HTML in a message is text, in the sender's page and in the receiver's.
    await send(ana, XSS);
    await message(ben, 3).waitFor();
    await message(ana, 3).waitFor();
    for (const page of [ana, ben]) {
      expect(await message(page, 3).locator('.text').textContent()).toBe(XSS);
      expect(await page.locator('#messages img, #messages script').count()).toBe(0);
      expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    }

    // A reaction, an edit and a delete reach the other page.
    await message(ben, 1).hover();
    await message(ben, 1).locator('.actions [data-emoji="👍"]').click();
    await message(ana, 1).locator('.reaction[data-emoji="👍"] .count', { hasText: '1' }).waitFor();
    await message(ana, 1).hover();
    await message(ana, 1).locator('[data-action="edit"]').click();
    await message(ana, 1).locator('.edit-input').fill('hello Ben, edited');
    await message(ana, 1).locator('.edit-input').press('Enter');
    await message(ben, 1).locator('.text', { hasText: 'hello Ben, edited' }).waitFor();
    await message(ben, 1).locator('.edited', { hasText: '(edited)' }).waitFor();
    await message(ben, 2).hover();
    await message(ben, 2).locator('[data-action="delete"]').click();
    await message(ben, 2).locator('[data-action="confirm-delete"]').click();
    await ana.locator('#messages .message.deleted[data-serial="2"] .text', { hasText: 'message deleted' }).waitFor();

    // Ben's network goes away. Chromium keeps an open WebSocket open when offline, but fires `offline`,
    // on which socket.io's engine closes its transport: the page shows it, and the server drops Ben.
    await benContext.setOffline(true);
    await ben.locator('#status[data-status="reconnecting"]', { hasText: 'reconnecting…' }).waitFor();
    await ana.locator('#members li[data-user-id="ben"]').waitFor({ state: 'detached' });
    await send(ben, 'sent while offline');
    await ben.locator('#messages .message.pending', { hasText: 'sent while offline' }).waitFor();
    for (let i = 1; i <= 5; i++) await send(ana, `missed ${i}`);
    await message(ana, 8).getByText('missed 5').waitFor();
    expect(await ben.locator('#messages .message[data-serial="4"]').count()).toBe(0);

    await benContext.setOffline(false);
    await ben.locator('#status[data-status="connected"]').waitFor();
    // The pending send goes out after the catch-up, so it lands after everything Ben missed.
    await message(ben, 9).getByText('sent while offline').waitFor();
    await message(ana, 9).getByText('sent while offline').waitFor();
    await ana.locator('#members li[data-user-id="ben"]').waitFor();

    const expected = [
      'hello Ben, edited',
      'message deleted',
      XSS,
      ...[1, 2, 3, 4, 5].map((i) => `missed ${i}`),
      'sent while offline',
    ].map((text, i) => ({ serial: String(i + 1), text }));
    expect(await listed(ben)).toEqual(expected);
    expect(await listed(ana)).toEqual(expected);

    // The server closes Ben's connection for good: the page offers Reconnect, which calls
    // ChatClient.connect(); Ben comes back with his rooms re-joined and what he missed.
    await app.chat.disconnectUser('ben');
    await ben.locator('#status[data-status="disconnected"]').waitFor();
    await send(ana, 'while Ben was away');
    await ben.locator('#reconnect').click();
    await ben.locator('#status[data-status="connected"]').waitFor();
    expect(await ben.locator('#reconnect').isHidden()).toBe(true);
    await message(ben, 10).getByText('while Ben was away').waitFor();

    // Scroll-back: a room with 60 messages shows the latest 50; scrolling to the top loads the rest.
    await ana.fill('#room-name', '#History');
    await ana.press('#room-name', 'Enter');
    await ana.locator('#rooms li.active[data-room-id="history"]').waitFor();
    await message(ana, 60).waitFor();
    expect(await ana.locator('#messages .message').count()).toBe(50);
    await ana.locator('#older').waitFor();
    await ana.locator('#scroller').evaluate((scroller) => {
      scroller.scrollTop = 0;
    });
    await message(ana, 1).waitFor();
    await ana.locator('#no-more').waitFor();
    expect((await listed(ana)).map((m) => m.serial)).toEqual(Array.from({ length: 60 }, (_, i) => String(i + 1)));
    expect(await ana.locator('#older').isHidden()).toBe(true);

    expect(pageErrors).toEqual([]);
  });
});
