import { describe, expect, it } from 'vitest';
import { BROWSER_BUDGET_GZIP_BYTES, BUDGET_GZIP_BYTES, measureSizes } from '../../scripts/size.js';

describe('the browser bundle size', () => {
  it('createChatClient adds no more than its budget, gzipped, to socket.io-client; the browser bundle stays within its own', async () => {
    const { entries, extraGzipBytes, browserGzipBytes } = await measureSizes();
    expect(entries.map((size) => size.entry)).toEqual([
      'socket.io-client',
      'createChatClient',
      '@chatwire/client/browser',
    ]);
    expect(extraGzipBytes).toBeGreaterThan(0);
    expect(extraGzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    expect(browserGzipBytes).toBeLessThanOrEqual(BROWSER_BUDGET_GZIP_BYTES);
  }, 60_000);
});
