import { defineConfig } from 'tsup';

/**
 * Private and `@internal` members end with an underscore (`bySerial_`): the published build shortens
 * their names, which a minifier cannot do (about 0.7 KB gzipped in an app's bundle, see
 * docs/performance.md). Nothing outside the package may read them; `[^_]` spares `__proto__`. Declare
 * them as fields, not constructor parameter properties: esbuild leaves the field declaration it makes
 * for a parameter property unmangled (an extra, always undefined, property).
 */
const mangleProps = /[^_]_$/;

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    esbuildOptions(options) {
      options.mangleProps = mangleProps;
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
      options.mangleProps = mangleProps;
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
