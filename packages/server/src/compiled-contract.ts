import type { ClientEventSpec, Contract, ServerEventSpec } from '@chatwire/protocol';
import * as z from 'zod/mini';

type Compile = <T extends z.core.$ZodType>(schema: T) => T;

/**
 * The contract with every schema compiled ahead of time by zod's `compile` (zod 4.6 and later; an
 * older zod leaves the contract as it is): the same checks and the same errors, since a compiled
 * schema runs zod's own parser again on anything its fast path refuses, in a few times less time
 * for what passes. A server does this once, for its namespace; the client keeps the contract as it
 * is (compiling needs `new Function`, which a page's CSP may forbid, and adds to the bundle).
 */
export function compiledContract<C extends Contract>(contract: C): C {
  const compile = (z as { compile?: Compile }).compile;
  if (compile === undefined) return contract;
  const schema = <T extends z.core.$ZodType | undefined>(value: T): T =>
    value === undefined ? value : (compile(value) as T);
  const events = <S extends ClientEventSpec | ServerEventSpec>(specs: Record<string, S>) =>
    Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => [
        name,
        { ...spec, payload: schema(spec.payload), ack: schema(spec.ack) },
      ]),
    );
  return Object.freeze({
    ...contract,
    clientToServer: events(contract.clientToServer),
    serverToClient: events(contract.serverToClient),
    auth: schema(contract.auth),
    socketData: schema(contract.socketData),
  });
}
