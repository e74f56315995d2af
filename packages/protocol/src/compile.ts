import * as z from 'zod/mini';
import { type ClientEventSpec, type Contract, isZodSchema, type ServerEventSpec } from './contract/define-contract.js';

/** The compiled contract of each contract compiled so far (a contract is frozen: it cannot change). */
const compiled = new WeakMap<Contract, Contract>();

type Compile = <T extends z.core.$ZodType>(schema: T) => T;

/**
 * The contract with every schema compiled ahead of time by zod's `compile` (zod 4.6 and later; an
 * older zod leaves the contract as it is): the same checks, data and errors, since a compiled schema
 * runs zod's own parser again on anything its fast path refuses (so a refinement or transform may run
 * twice on an invalid value), in a few times less time for what passes. Compile once, at startup.
 *
 * A chatwire server does this for its contract itself. For a client on Node (a bot, a bridge, a CLI),
 * pass the compiled contract to `createClient` or `createChatClient`. Not for a browser page: this
 * entry bundles zod's compiler (about 21 KB gzipped), and compiling needs `new Function`, which a
 * page's Content-Security-Policy may forbid.
 *
 * @example
 * ```ts
 * import { chatContract } from '@chatwire/protocol';
 * import { compileContract } from '@chatwire/protocol/compile';
 * const chat = createChatClient(url, { contract: compileContract(chatContract), auth });
 * ```
 */
export function compileContract<C extends Contract>(contract: C): C {
  const compile = (z as { compile?: Compile }).compile;
  if (compile === undefined) return contract;
  const known = compiled.get(contract);
  if (known !== undefined) return known as C;
  // The keys a spec has, each schema compiled: none is added as undefined.
  const compiledSchemas = <S extends object>(spec: S): S =>
    Object.fromEntries(
      Object.entries(spec).map(([key, value]) => [key, isZodSchema(value) ? compile(value) : value]),
    ) as S;
  const events = <S extends ClientEventSpec | ServerEventSpec>(specs: Record<string, S>) =>
    Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, compiledSchemas(spec)]));
  // The same contract, each schema replaced by its compiled clone (of the same type).
  const result = Object.freeze({
    ...compiledSchemas(contract),
    clientToServer: events(contract.clientToServer),
    serverToClient: events(contract.serverToClient),
  }) as C;
  compiled.set(contract, result);
  // Compiling what is compiled already gives it back as it is.
  compiled.set(result, result);
  return result;
}
