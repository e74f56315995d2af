import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
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
    },
  },
]);
