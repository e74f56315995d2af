import { defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.js';

// Each package runs its own unit tests (`pnpm --filter @chatwire/<name> test`); the root project holds
// what crosses packages (integration, chaos, cluster, browser, pack, fuzz) and the examples.
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
            include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
            typecheck: { include: ['test/**/*.test-d.ts', 'examples/*/test/**/*.test-d.ts'] },
          },
        },
      ],
    },
  }),
);
