import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import each package's source through the "@chatwire/source" export condition: no build needed.
const source = '@chatwire/source';

/** What every project shares: the root config and each package's own vitest.config.ts. */
export default defineConfig({
  resolve: { conditions: [source, ...defaultClientConditions] },
  // Vitest hands these to Node as --conditions: without 'module' (a bundler-only condition), packages
  // load as Node loads them (@opentelemetry/api's 'module' build does not run in Node).
  ssr: { resolve: { conditions: [source, ...defaultServerConditions.filter((condition) => condition !== 'module')] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Type tests (`*.test-d.ts`) run inside `pnpm test`: tsc checks them with the project's tsconfig.test-d.json,
    // and a wrong type fails the run like a failing assertion.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.test-d.json' },
  },
});
