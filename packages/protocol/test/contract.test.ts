import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract } from '../src/index.js';
import { contract } from './support/example-contract.js';

describe('defineContract', () => {
  it('keeps the spec and marks it as a contract', () => {
    expect(contract.kind).toBe('chatwire.contract');
    expect(Object.keys(contract.clientToServer)).toEqual(['login', 'chat', 'forceDisconnect', 'history', 'ping']);
    expect(Object.isFrozen(contract)).toBe(true);
  });

  it('refuses reserved event names', () => {
    expect(() => defineContract({ clientToServer: { disconnect: {} }, serverToClient: {} })).toThrow(/reserved/);
    expect(() =>
      defineContract({ clientToServer: {}, serverToClient: { 'chatwire:error': { payload: z.string() } } }),
    ).toThrow(/reserved/);
  });

  it('refuses a payload that is not a zod schema', () => {
    expect(() =>
      defineContract({ clientToServer: { a: { payload: { parse: () => 1 } as never } }, serverToClient: {} }),
    ).toThrow(/not a zod schema/);
  });

  it('takes an ack on a server → client event (a server request), and refuses one that is not a schema', () => {
    expect(contract.serverToClient.ready.ack).toBeDefined();
    expect(() => defineContract({ clientToServer: {}, serverToClient: { a: { ack: 'yes' as never } } })).toThrow(
      /server → client event "a" has a ack that is not a zod schema/,
    );
  });
});
