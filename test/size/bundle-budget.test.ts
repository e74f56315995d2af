import { beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_BUDGET_GZIP_BYTES,
  BUDGET_GZIP_BYTES,
  ensureBuilt,
  measureModules,
  measureSizes,
} from '../../scripts/size.js';
import { freshBuildTimeoutMs } from '../support/fresh-build.js';

describe('the browser bundle size', () => {
  // What is measured is the packages' dist, as published: CI builds first; otherwise it is built here.
  beforeAll(ensureBuilt, freshBuildTimeoutMs);

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

  it('splits the createChatClient bundle by module (packages and workspace files), the shares adding up to the whole', async () => {
    const [modules, { entries }] = await Promise.all([measureModules('createChatClient'), measureSizes()]);
    const whole = entries.find((size) => size.entry === 'createChatClient');
    const sum = (key: 'minifiedBytes' | 'gzipBytes') => modules.reduce((total, size) => total + size[key], 0);
    expect(sum('minifiedBytes')).toBe(whole?.minifiedBytes);
    expect(sum('gzipBytes')).toBe(whole?.gzipBytes);
    expect(modules.map((size) => size.module)).toEqual(
      expect.arrayContaining(['zod', 'socket.io-client', 'packages/client/src/chat/chat-client.ts']),
    );
    for (const size of modules) expect(size.minifiedBytes).toBeGreaterThan(0);
  }, 60_000);
});
