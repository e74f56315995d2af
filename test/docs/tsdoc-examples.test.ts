/**
 * The API reference (`pnpm docs`, typedoc) shows each public export with an example: every name that
 * an entry point of @chatwire/protocol, @chatwire/server (and its subpaths) or @chatwire/client exports
 * must carry a TSDoc block with an `@example` tag on its declaration.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listPublicExports } from './public-exports.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const packageDirs = ['packages/protocol', 'packages/server', 'packages/client', 'packages/cli', 'packages/react'];

describe('TSDoc of the public exports', () => {
  const exports = listPublicExports(root, packageDirs);

  it('reads every entry point, subpaths included', () => {
    const entries = new Set(exports.map((exported) => exported.entry));
    expect([...entries].sort()).toEqual([
      '@chatwire/cli',
      '@chatwire/client',
      '@chatwire/protocol',
      '@chatwire/protocol/asyncapi',
      '@chatwire/protocol/compile',
      '@chatwire/react',
      '@chatwire/server',
      '@chatwire/server/dev',
      '@chatwire/server/postgres',
      '@chatwire/server/prometheus',
      '@chatwire/server/redis',
      '@chatwire/server/sqlite',
    ]);
    expect(exports.map((exported) => `${exported.entry} ${exported.name}`)).toEqual(
      expect.arrayContaining(['@chatwire/protocol defineContract', '@chatwire/server/sqlite SqliteStore']),
    );
  });

  it('every public export has a TSDoc block with an @example', () => {
    const missing = exports
      .filter((exported) => !exported.hasExample)
      .map(
        (exported) =>
          `${exported.entry} ${exported.name} (${exported.declaredAt}): ${exported.hasDoc ? 'no @example' : 'no TSDoc'}`,
      );
    expect(missing, `exports without an @example:\n${missing.join('\n')}`).toEqual([]);
  });
});
