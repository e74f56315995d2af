/**
 * docs/asyncapi/*.yaml are generated from the contracts by `pnpm asyncapi`: they must be current, and
 * valid for the official AsyncAPI parser (the one AsyncAPI's CLI, Studio and generators use).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { asyncapiDocuments } from '../../scripts/asyncapi-documents.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Spectral's severity of an error (warnings, infos and hints are 1, 2 and 3). */
const errorSeverity = 0;

describe.each(asyncapiDocuments())('$file', ({ file, yaml }) => {
  it('is what `pnpm asyncapi` writes from the contract today', () => {
    const checkedIn = readFileSync(`${root}${file}`, 'utf8');
    expect(checkedIn === yaml, `${file} is stale: run pnpm asyncapi`).toBe(true);
  });

  it('passes the official AsyncAPI parser without errors', { timeout: 60_000 }, async () => {
    const { document, diagnostics } = await new Parser().parse(yaml);
    const errors = diagnostics
      .filter((diagnostic) => diagnostic.severity === errorSeverity)
      .map((diagnostic) => `${diagnostic.code} at ${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const contract = parse(yaml) as { operations: Record<string, unknown> };
    expect(document?.operations().length).toBe(Object.keys(contract.operations).length);
  });
});
