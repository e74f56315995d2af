/**
 * What chatwire adds to a browser app: each entry bundled for the browser with esbuild (minified, ES
 * module, tree-shaken), then gzipped. Prints one JSON line per entry, then one with the difference
 * between `createChatClient` and socket.io-client alone. `pnpm size`; test/size checks the budget.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** One bundled entry: its size minified and gzipped, in bytes. */
export interface EntrySize {
  entry: string;
  minifiedBytes: number;
  gzipBytes: number;
}

/**
 * The most `createChatClient` may add to an app, gzipped, over socket.io-client alone. Measured: 18.4 KiB
 * (chatwire's client and protocol ≈ 10.6 KiB, zod/mini's core ≈ 7.9 KiB); issue 10 aims at 15 KiB.
 */
export const BUDGET_GZIP_BYTES = 20 * 1024;

/** The most the whole browser bundle (`@chatwire/client/browser`) may weigh, gzipped. Measured: 34.6 KiB. */
export const BROWSER_BUDGET_GZIP_BYTES = 38 * 1024;

const root = fileURLToPath(new URL('..', import.meta.url));

/** What each entry's app imports (the workspace packages from source, as published they are the same code). */
const entries: Record<string, string> = {
  'socket.io-client': `import { io } from 'socket.io-client'; globalThis.keep = io;`,
  createChatClient: `import { createChatClient } from '@chatwire/client'; globalThis.keep = createChatClient;`,
  '@chatwire/client/browser': `import * as all from './packages/client/src/browser.ts'; globalThis.keep = all;`,
};

async function measure(entry: string): Promise<EntrySize> {
  const result = await build({
    stdin: { contents: entries[entry] as string, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@chatwire/source'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { entry, minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** Every entry's size, and how many gzipped bytes `createChatClient` adds to socket.io-client. */
export async function measureSizes(): Promise<{
  entries: EntrySize[];
  extraGzipBytes: number;
  browserGzipBytes: number;
}> {
  const sizes = await Promise.all(Object.keys(entries).map(measure));
  const [socketIo, chatClient, browser] = sizes as [EntrySize, EntrySize, EntrySize];
  return {
    entries: sizes,
    extraGzipBytes: chatClient.gzipBytes - socketIo.gzipBytes,
    browserGzipBytes: browser.gzipBytes,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { entries: sizes, extraGzipBytes, browserGzipBytes } = await measureSizes();
  for (const size of sizes) console.log(JSON.stringify(size));
  console.log(
    JSON.stringify({
      extraGzipBytes,
      budgetGzipBytes: BUDGET_GZIP_BYTES,
      browserGzipBytes,
      browserBudgetGzipBytes: BROWSER_BUDGET_GZIP_BYTES,
      within: extraGzipBytes <= BUDGET_GZIP_BYTES && browserGzipBytes <= BROWSER_BUDGET_GZIP_BYTES,
    }),
  );
}
