import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { compileContract } from '../src/compile.js';
import { chatContract, defineChatContract } from '../src/index.js';

/** What a parse answers, as a client would see it: success, the data, or every issue with its path. */
const outcome = (schema: z.core.$ZodType, value: unknown) => {
  const parsed = z.safeParse(schema, value);
  return parsed.success ? { data: parsed.data } : { issues: parsed.error.issues };
};

describe('compileContract', () => {
  it('answers every payload exactly as the contract does: the same data, the same issues', () => {
    const contract = defineChatContract({ meta: z.object({ color: z.enum(['red', 'blue']) }) });
    const compiled = compileContract(contract);
    const send = contract.clientToServer['message:send'].payload;
    const compiledSend = compiled.clientToServer['message:send'].payload;
    expect(compiledSend).not.toBe(send);
    const valid = { roomId: 'lobby', clientMessageId: 'c1', text: 'hi', meta: { color: 'red' } };
    for (const value of [
      valid,
      { ...valid, mentions: ['ana', 'ben'], replyTo: 3 },
      { ...valid, extra: 'dropped' },
      { ...valid, text: '' },
      { ...valid, text: 'x'.repeat(5000) },
      { ...valid, roomId: 42 },
      { ...valid, meta: { color: 'green' } },
      { ...valid, mentions: Array.from({ length: 30 }, (_, i) => `u${i}`) },
      { ...valid, replyTo: -1 },
      null,
      'text',
      [],
      {},
    ]) {
      expect(outcome(compiledSend, value)).toEqual(outcome(send, value));
    }
  });

  it('compiles a contract once: again, or its compiled contract, gives the same compiled contract', () => {
    const contract = defineChatContract({ meta: z.object({ n: z.number() }) });
    const compiled = compileContract(contract);
    expect(compileContract(contract)).toBe(compiled);
    expect(compileContract(compiled)).toBe(compiled);
    expect(compileContract(defineChatContract({ meta: z.object({ n: z.number() }) }))).not.toBe(compiled);
  });

  it('compiles every schema of both directions, and keeps the events and the schemas left out', () => {
    const compiled = compileContract(chatContract);
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.keys(compiled.clientToServer)).toEqual(Object.keys(chatContract.clientToServer));
    expect(Object.keys(compiled.serverToClient)).toEqual(Object.keys(chatContract.serverToClient));
    for (const side of ['clientToServer', 'serverToClient'] as const) {
      for (const [event, spec] of Object.entries(chatContract[side])) {
        const compiledSpec = (compiled[side] as Record<string, typeof spec>)[event];
        for (const key of ['payload', 'ack'] as const) {
          if (spec[key] === undefined) expect(compiledSpec?.[key]).toBeUndefined();
          else expect(compiledSpec?.[key]).not.toBe(spec[key]);
        }
      }
    }
  });
});
