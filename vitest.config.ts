import { defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.js';

// Each package runs its own unit tests (`pnpm --filter @chatwire/<name> test`); the root project holds
// what crosses packages (integration, chaos, cluster, browser, pack, fuzz); the examples have their own.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      projects: [
        'packages/*/vitest.config.ts',
        {
          extends: true,
          test: {
            name: 'root',
            include: ['test/**/*.test.ts'],
            typecheck: { include: ['test/**/*.test-d.ts', 'examples/*/test/**/*.test-d.ts'] },
          },
        },
        {
          extends: true,
          test: {
            name: 'examples',
            include: ['examples/*/test/**/*.test.ts'],
            // The examples' tests serve their Vite-built pages: built here when stale, once per run, and
            // only in runs that include an example's test.
            globalSetup: ['test/support/example-pages.ts'],
          },
        },
      ],
    },
  }),
);
