/**
 * What chatwire adds to a browser app: each entry bundled for the browser with esbuild (minified, ES
 * module, tree-shaken), then gzipped. Prints one JSON line per entry, then one with the difference
 * between `createChatClient` and socket.io-client alone. `pnpm size`; test/size checks the budget.
 * `pnpm size --modules` prints instead what each module weighs in the `createChatClient` bundle.
 *
 * The packages are measured as published: each entry imports them by name and gets their built `dist`
 * (built first when missing or older than the sources), as an app's bundler does, not their `src`
 * through the `@chatwire/source` condition, so what the build does to the code counts (the client's
 * build shortens the names of private and internal members, see packages/client/tsup.config.ts,
 * which a minifier alone cannot do). socket.io-client and zod are their published files on both
 * sides. The modules' shares still name the source files, through the source maps the builds ship.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ensureFreshBuild } from '../test/support/fresh-build.js';

/** One bundled entry: its size minified and gzipped, in bytes. */
export interface EntrySize {
  entry: string;
  minifiedBytes: number;
  gzipBytes: number;
}

/**
 * The most `createChatClient` may add to an app, gzipped, over socket.io-client alone. Measured: 17.3 KiB
 * (17,750 bytes; `pnpm size --modules`: zod/mini's core ≈ 7.9 KiB, chatwire's client ≈ 7.2 KiB, protocol
 * ≈ 2.5 KiB). Issue 10 aims at 15 KiB.
 */
export const BUDGET_GZIP_BYTES = 17.5 * 1024;

/** The most the whole browser bundle (`@chatwire/client/browser`) may weigh, gzipped. Measured: 34.4 KiB. */
export const BROWSER_BUDGET_GZIP_BYTES = 34.5 * 1024;

const root = fileURLToPath(new URL('..', import.meta.url));

/** What each entry's app imports: the packages as published (their `dist`). */
const entries: Record<string, string> = {
  'socket.io-client': `import { io } from 'socket.io-client'; globalThis.keep = io;`,
  createChatClient: `import { createChatClient } from '@chatwire/client'; globalThis.keep = createChatClient;`,
  '@chatwire/client/browser': `import * as all from '@chatwire/client/browser'; globalThis.keep = all;`,
};

/** The built files the entries import: {@link ensureBuilt} builds them when missing or stale. */
const builtFiles = ['client/dist/index.js', 'client/dist/chatwire-client.browser.js', 'protocol/dist/index.js'].map(
  (file) => fileURLToPath(new URL(`../packages/${file}`, import.meta.url)),
);

/** Builds the packages unless their `dist` is newer than their sources (what the measures read). */
export function ensureBuilt(): Promise<void> {
  return ensureFreshBuild(builtFiles);
}

function bundle(entry: string, sourcemap: boolean) {
  return build({
    stdin: { contents: entries[entry] as string, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...(sourcemap ? { sourcemap: 'external', outfile: 'out.js' } : {}),
  });
}

const gzipBytes = (code: Uint8Array) => gzipSync(code, { level: 9 }).length;

async function measure(entry: string): Promise<EntrySize> {
  const result = await bundle(entry, false);
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { entry, minifiedBytes: code.length, gzipBytes: gzipBytes(code) };
}

/** One module's part of a bundle: its minified bytes, and what they add to the gzipped bundle where they sit. */
export interface ModuleSize {
  module: string;
  minifiedBytes: number;
  gzipBytes: number;
}

const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Each mapped position of a source map (v3): its byte offset in the output and its source's index. */
function mappedSources(mappings: string, code: string): { offset: number; source: number }[] {
  const found: { offset: number; source: number }[] = [];
  const lineStarts = [0];
  for (let index = code.indexOf('\n'); index !== -1; index = code.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  let source = 0;
  mappings.split(';').forEach((line, lineIndex) => {
    let column = 0;
    for (const segment of line.split(',').filter(Boolean)) {
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = base64.indexOf(char);
        value += (digit & 31) << shift;
        shift += 5;
        if (digit & 32) continue;
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
      column += fields[0] ?? 0;
      if (fields.length < 4) continue;
      source += fields[1] ?? 0;
      found.push({ offset: (lineStarts[lineIndex] ?? 0) + column, source });
    }
  });
  return found;
}

/**
 * What each module (a package of node_modules, or a file of the workspace) weighs in `entry`'s bundle:
 * the gzipped size grows by `gzipBytes` where its code sits, so the modules' shares add up to the whole.
 */
export async function measureModules(entry: string): Promise<ModuleSize[]> {
  const result = await bundle(entry, true);
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'));
  if (js === undefined || map === undefined) throw new Error(`No bundle for ${entry}`);
  const { sources, mappings } = JSON.parse(map.text) as { sources: string[]; mappings: string };
  // Offsets count UTF-16 units, as the map's columns do: the output is ASCII (esbuild escapes the rest).
  const runs = mappedSources(mappings, js.text).filter((run, index, all) => all[index - 1]?.source !== run.source);
  const sizes = new Map<string, ModuleSize>();
  let before = 0;
  runs.forEach((run, index) => {
    // esbuild's own helpers, before the first mapped byte, count with the first module.
    const start = index === 0 ? 0 : run.offset;
    const end = runs[index + 1]?.offset ?? js.contents.length;
    const after = gzipBytes(js.contents.subarray(0, end));
    const path = sources[run.source] ?? '?';
    const module = path.match(/node_modules\/(?!\.pnpm)((?:@[^/]+\/)?[^/]+)/)?.[1] ?? path.replace(/^(\.\.\/)+/, '');
    const size = sizes.get(module) ?? { module, minifiedBytes: 0, gzipBytes: 0 };
    size.minifiedBytes += end - start;
    size.gzipBytes += after - before;
    sizes.set(module, size);
    before = after;
  });
  return [...sizes.values()].sort((a, b) => b.gzipBytes - a.gzipBytes);
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

if (process.argv[1] === fileURLToPath(import.meta.url)) await ensureBuilt();
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--modules')) {
  for (const size of await measureModules('createChatClient')) console.log(JSON.stringify(size));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
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
