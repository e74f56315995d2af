import { existsSync, readdirSync } from 'node:fs';
import { buildPageIfStale } from '@chatwire/example-shared/vite';

/**
 * Vitest global setup: builds each example's page (examples/NAME/vite.config.ts) when it is missing or
 * older than its sources, once before any test, so the tests serve the page as `pnpm start` would.
 */
export default async function setup(): Promise<void> {
  const examples = new URL('../../examples/', import.meta.url);
  for (const name of readdirSync(examples)) {
    const config = new URL(`${name}/vite.config.ts`, examples);
    if (existsSync(config)) await buildPageIfStale(config);
  }
}
