import { describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser } from '../../../test/support/browser.js';
import { createTutorialServer } from '../src/server.js';

describe('tutorial chat in Chromium', () => {
  it('two tabs log in and chat; HTML in a message is shown as text', { timeout: 40_000 }, async () => {
    const app = await createTutorialServer();
    const port = await app.listen(0, '127.0.0.1');
    onTestFinished(() => app.close());
    const browser = await launchBrowser();
    const [ana, ben] = await Promise.all([browser.newPage(), browser.newPage()]);
    for (const page of [ana, ben]) {
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.locator('#status', { hasText: 'connected' }).waitFor();
    }

    async function login(page: typeof ana, name: string) {
      await page.fill('#name', name);
      await page.fill('#userid', name.toLowerCase());
      await page.click('#login button');
    }
    await login(ana, 'Ana');
    await ben.locator('#messages li', { hasText: 'Ana joined' }).waitFor();
    await login(ben, 'Ben');
    await ana.locator('#messages li', { hasText: 'Ben joined' }).waitFor();

    await ana.fill('#msg', 'hello Ben');
    await ana.press('#msg', 'Enter');
    await ben.locator('#messages li.other', { hasText: 'Ana: hello Ben' }).waitFor();

    const payload = '<img src=x onerror="window.pwned=1"><b>bold</b>';
    await ben.fill('#msg', payload);
    await ben.press('#msg', 'Enter');
    const line = ana.locator('#messages li.other', { hasText: 'Ben: <img' });
    await line.waitFor();
    expect(await line.textContent()).toBe(`Ben: ${payload}`);
    expect(await ana.locator('#messages img, #messages b').count()).toBe(0);
    expect(await ana.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    // An empty message breaks the contract: emit sends nothing and its refusal shows through onError.
    await ana.fill('#msg', '');
    await ana.press('#msg', 'Enter');
    await ana.locator('#messages li.error', { hasText: 'refused (VALIDATION_FAILED)' }).waitFor();
    expect(await ana.locator('#messages li.me').allTextContents()).toEqual(['me: hello Ben']);
  });
});
