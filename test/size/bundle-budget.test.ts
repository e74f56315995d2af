import { describe, expect, it } from 'vitest';
import { BUDGET_GZIP_BYTES, measureSizes } from '../../scripts/size.js';

describe('the browser bundle size', () => {
  it('createChatClient adds no more than the budget, gzipped, to socket.io-client alone', async () => {
    const { entries, extraGzipBytes } = await measureSizes();
    expect(entries.map((size) => size.entry)).toEqual([
      'socket.io-client',
      'createChatClient',
      '@chatwire/client/browser',
    ]);
    expect(extraGzipBytes).toBeGreaterThan(0);
    expect(extraGzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  }, 60_000);
});
