import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsup';

/**
 * Private and `@internal` members end with an underscore (`bySerial_`): the published build shortens
 * their names, which a minifier cannot do (about 0.5 KB gzipped in an app's bundle, see
 * docs/performance.md). Nothing outside the package may read them; `[^_]` spares `__proto__`. Declare
 * them as fields, not constructor parameter properties: esbuild leaves the field declaration it makes
 * for a parameter property unmangled (an extra, always undefined, property).
 */
const mangleProps = /[^_]_$/;

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The short name of each such member: `_` and one or two letters, the most used first. The underscore
 * keeps them apart from what an app's subclass of `ChatClient` or `ChatwireClient` may add (esbuild's
 * own choice, `a`, `b`…, could be one of those): names starting with `_` are the package's. The same
 * names in every build of the package.
 */
function mangleCache(): Record<string, string> {
  const counts = new Map<string, number>();
  for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    for (const name of readFileSync(join('src', file), 'utf8').match(/\b[A-Za-z]\w*[^\W_]_\b/g) ?? []) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  const byUse = [...counts].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1));
  const short = (index: number) =>
    index < letters.length
      ? letters[index]
      : `${letters[Math.floor(index / letters.length) - 1]}${letters[index % letters.length]}`;
  return Object.fromEntries(byUse.map(([name], index) => [name, `_${short(index)}`]));
}

const mangle = { mangleProps, mangleCache: mangleCache() };

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    esbuildOptions(options) {
      Object.assign(options, mangle);
    },
  },
  {
    // One self-contained file for a plain <script type="module">: dependencies bundled in.
    entry: { 'chatwire-client.browser': 'src/browser.ts' },
    format: ['esm'],
    platform: 'browser',
    noExternal: [/.*/],
    minify: true,
    sourcemap: true,
    target: 'es2022',
    esbuildOptions(options) {
      options.conditions = ['@chatwire/source', 'browser', 'import', 'default'];
      Object.assign(options, mangle);
    },
  },
  {
    // Its declarations: they import @chatwire/protocol and zod (installed with the package) rather than
    // inlining them, so that its types are the very ones of those packages.
    entry: { 'chatwire-client.browser': 'src/browser.ts' },
    format: ['esm'],
    dts: { only: true },
    target: 'es2022',
  },
]);
