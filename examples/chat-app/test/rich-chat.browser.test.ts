import type { Browser, Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser } from '../../../test/support/browser.js';
import { createChatApp } from '../src/server.js';

const IMAGE = 'https://images.example/cat.png';

const message = (page: Page, serial: number) => page.locator(`#messages .message[data-serial="${serial}"]`);

async function send(page: Page, text: string): Promise<void> {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

/** A new browser context (its own sessionStorage: its own user) logged in as `name`, in #general. */
async function login(browser: Browser, port: number, name: string, errors: string[]): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.fill('#name', name);
  await page.press('#name', 'Enter');
  await page.locator('#status[data-status="connected"]').waitFor();
  await page.locator('#rooms li.active[data-room-id="general"]').waitFor();
  return page;
}

describe('chat app in Chromium: rich messages, the room list, DMs and search', () => {
  it('replies, mentions and image links reach the other user; system messages stand apart; search finds', {
    timeout: 40_000,
  }, async () => {
    const app = await createChatApp();
    const port = await app.listen(0, '127.0.0.1');
    onTestFinished(() => app.close());
    const browser = await launchBrowser();
    const errors: string[] = [];
    const ana = await login(browser, port, 'Ana', errors);
    const ben = await login(browser, port, 'Ben', errors);
    await ana.locator('#members li[data-user-id="ben"]').waitFor();

    await send(ben, 'lunch on Friday?');
    await message(ana, 1).waitFor();

    // Ana replies to it, mentions Ben and attaches an image link typed in the URL field.
    await message(ana, 1).hover();
    await message(ana, 1).locator('[data-action="reply"]').click();
    await ana.locator('#replying-text', { hasText: 'Replying to Ben: lunch on Friday?' }).waitFor();
    await ana.fill('#image-url', IMAGE);
    await ana.press('#image-url', 'Enter');
    await ana.locator('#attachments img').waitFor();
    await send(ana, 'yes @Ben, look');
    expect(await ana.locator('#replying').isHidden()).toBe(true);

    const reply = message(ben, 2);
    await reply.waitFor();
    expect(await reply.locator('.quote .quote-author').textContent()).toBe('Ben');
    expect(await reply.locator('.quote .quote-text').textContent()).toBe('lunch on Friday?');
    const image = reply.locator('.images img');
    expect(await image.getAttribute('src')).toBe(IMAGE);
    expect(await image.evaluate((img: HTMLImageElement) => [img.referrerPolicy, img.alt])).toEqual([
      'no-referrer',
      'cat.png',
    ]);
    // Highlighted for Ben, whom it mentions; not for Ana.
    expect(await reply.evaluate((node) => node.classList.contains('mentions-me'))).toBe(true);
    expect(await message(ana, 2).evaluate((node) => node.classList.contains('mentions-me'))).toBe(false);

    // A pasted link to an image file is attached, not typed.
    await ben.locator('#message-input').focus();
    await ben.evaluate((url) => {
      const input = document.getElementById('message-input') as HTMLTextAreaElement;
      const data = new DataTransfer();
      data.setData('text/plain', url);
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, 'https://images.example/dog.webp');
    await ben.locator('#attachments img[src="https://images.example/dog.webp"]').waitFor();
    expect(await ben.inputValue('#message-input')).toBe('');
    await send(ben, 'mine');
    await message(ana, 3).locator('.images img[src="https://images.example/dog.webp"]').waitFor();

    // The server's own voice, styled apart.
    await app.chat.send('general', { text: 'Maintenance at 22:00' }, { as: 'system' });
    await ben.locator('#messages .message.system[data-serial="4"]', { hasText: 'Maintenance at 22:00' }).waitFor();

    // Search: a result, and a click on it flashes the message.
    await ben.fill('#search-input', 'fri');
    await ben.press('#search-input', 'Enter');
    await ben.locator('#search-results li[data-serial="1"]', { hasText: 'lunch on Friday?' }).waitFor();
    expect(await ben.locator('#search-results li').count()).toBe(1);
    await ben.locator('#search-results li[data-serial="1"] button').click();
    await ben.locator('#messages .message.flash[data-serial="1"]').waitFor();

    expect(errors).toEqual([]);
  });

  it('unread badges count a room the user is not viewing and clear when it is opened; a DM from the member list reaches the other user', {
    timeout: 40_000,
  }, async () => {
    const app = await createChatApp();
    const port = await app.listen(0, '127.0.0.1');
    onTestFinished(() => app.close());
    const browser = await launchBrowser();
    const errors: string[] = [];
    const ana = await login(browser, port, 'Ana', errors);
    const ben = await login(browser, port, 'Ben', errors);

    // Both join #random; Ben goes back to #general.
    for (const page of [ana, ben]) {
      await page.fill('#room-name', 'random');
      await page.press('#room-name', 'Enter');
      await page.locator('#rooms li.active[data-room-id="random"]').waitFor();
    }
    await ben.locator('#rooms li[data-room-id="general"] .room-tab').click();
    await ben.locator('#rooms li.active[data-room-id="general"]').waitFor();

    await send(ana, 'one');
    await ben.locator('#rooms li[data-room-id="random"] .unread', { hasText: '1' }).waitFor();
    await send(ana, 'two');
    await ben.locator('#rooms li[data-room-id="random"] .unread', { hasText: '2' }).waitFor();
    expect(await ben.title()).toBe('(2) chatwire demo');
    // Ana is viewing it: no badge on her side.
    expect(await ana.locator('#rooms li[data-room-id="random"] .unread').count()).toBe(0);

    await ben.locator('#rooms li[data-room-id="random"] .room-tab').click();
    await message(ben, 2).getByText('two').waitFor();
    await ben.locator('#rooms li[data-room-id="random"] .unread').waitFor({ state: 'detached' });
    await expect.poll(() => ben.title()).toBe('chatwire demo');

    // Ana opens a DM with Ben from the member list; it shows in Ben's list with its unread count.
    await ana.locator('#members li[data-user-id="ben"] button.dm').click();
    await ana.locator('#rooms li.active[data-room-id="dm:ana:ben"]', { hasText: '@ Ben' }).waitFor();
    await send(ana, 'psst');
    await message(ana, 1).getByText('psst').waitFor();
    const dm = ben.locator('#rooms li[data-room-id="dm:ana:ben"]');
    await dm.locator('.unread', { hasText: '1' }).waitFor();
    await dm.locator('.room-tab').click();
    await ben.locator('#rooms li.active[data-room-id="dm:ana:ben"]').waitFor();
    await message(ben, 1).getByText('psst').waitFor();
    await dm.locator('.unread').waitFor({ state: 'detached' });

    // A moderator kicks Ben out of #random: his page says so and the room is gone from his tabs.
    await app.chat.kick('random', 'ben', { reason: 'cool down' });
    await ben.locator('#room-error', { hasText: 'You were removed from "random": cool down' }).waitFor();

    expect(errors).toEqual([]);
  });
});
