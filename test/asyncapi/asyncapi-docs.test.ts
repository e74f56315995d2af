/**
 * docs/asyncapi/*.yaml are generated from the contracts by `pnpm asyncapi`: they must be current, and
 * valid for the official AsyncAPI parser (the one AsyncAPI's CLI, Studio and generators use).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import { defineContract } from '@chatwire/protocol';
import { toAsyncAPI } from '@chatwire/protocol/asyncapi';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { asyncapiDocuments } from '../../scripts/asyncapi-documents.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Spectral's severity of an error (warnings, infos and hints are 1, 2 and 3). */
const errorSeverity = 0;

/** The parser's errors (not its warnings) for a document, one line each. */
async function parserErrors(yaml: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(yaml);
  return diagnostics
    .filter((diagnostic) => diagnostic.severity === errorSeverity)
    .map((diagnostic) => `${diagnostic.code} at ${diagnostic.path.join('.')}: ${diagnostic.message}`);
}

describe.each(asyncapiDocuments())('$file', ({ file, yaml }) => {
  it('is what `pnpm asyncapi` writes from the contract today', () => {
    const checkedIn = readFileSync(`${root}${file}`, 'utf8');
    expect(checkedIn === yaml, `${file} is stale: run pnpm asyncapi`).toBe(true);
  });

  it('passes the official AsyncAPI parser without errors', { timeout: 60_000 }, async () => {
    expect(await parserErrors(yaml)).toEqual([]);
    const { document } = await new Parser().parse(yaml);
    expect(document?.version()).toBe('3.0.0');
    const contract = parse(yaml) as { operations: Record<string, unknown> };
    expect(document?.operations().length).toBe(Object.keys(contract.operations).length);
  });
});

it('a contract with every kind of event and schema the chat lacks passes the parser too', {
  timeout: 60_000,
}, async () => {
  type Tree = { label: string; children: Tree[] };
  const tree: z.ZodType<Tree> = z.lazy(() => z.object({ label: z.string(), children: z.array(tree) }));
  const user = z.object({ id: z.string() }).meta({ id: 'AsyncapiTestUser' });
  const contract = defineContract({
    clientToServer: {
      'a:b': { payload: z.object({ at: z.date(), n: z.bigint(), user }), ack: z.void() },
      a_b: { payload: z.string().transform((text) => text.length) },
      bare: {},
    },
    serverToClient: { tree: { payload: tree }, ask: { payload: user, ack: z.object({ yes: z.boolean() }) }, tick: {} },
    auth: z.object({ token: z.string() }),
  });
  const doc = toAsyncAPI(contract, { title: 'Edge', version: '1' }, { namespace: '/edge/x', id: 'urn:test:edge' });
  expect(await parserErrors(stringify(doc, { aliasDuplicateObjects: false }))).toEqual([]);
});
