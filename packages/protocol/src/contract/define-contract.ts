import type * as z from 'zod/v4/core';

/**
 * A client → server event: an optional payload schema and an optional ack (response) schema.
 *
 * @example
 * ```ts
 * const add: ClientEventSpec = { payload: z.object({ a: z.number(), b: z.number() }), ack: z.number() };
 * ```
 */
export interface ClientEventSpec {
  /** Schema of the one payload argument; leave out for an event sent without a payload. */
  payload?: z.$ZodType;
  /** Schema of the ack data; leave out for a fire-and-forget event. */
  ack?: z.$ZodType;
}

/**
 * A server → client event: an optional payload schema and an optional ack (the client's answer) schema.
 *
 * @example
 * ```ts
 * const said: ServerEventSpec = { payload: z.object({ text: z.string() }) };
 * ```
 */
export interface ServerEventSpec {
  /** Schema of the one payload argument; leave out for an event sent without a payload. */
  payload?: z.$ZodType;
  /** Schema of the client's answer; an event with one is sent with `socket.request` and answered by `client.handle`. */
  ack?: z.$ZodType;
}

/**
 * What {@link defineContract} takes.
 *
 * @example
 * ```ts
 * const spec = {
 *   clientToServer: { say: { payload: z.object({ text: z.string() }) } },
 *   serverToClient: {},
 * } satisfies ContractSpec;
 * const contract = defineContract(spec);
 * ```
 */
export interface ContractSpec {
  clientToServer: Record<string, ClientEventSpec>;
  serverToClient: Record<string, ServerEventSpec>;
  /** Schema of the handshake `auth` object the client sends when it connects. */
  auth?: z.$ZodType;
  /** Schema of the per-socket data the server keeps (`socket.data`); never sent on the wire. */
  socketData?: z.$ZodType;
}

/**
 * A contract made by {@link defineContract}: the spec, checked and frozen.
 *
 * @example
 * ```ts
 * const contract: Contract<{ clientToServer: { ping: { ack: z.ZodNull } }; serverToClient: {} }> = defineContract({
 *   clientToServer: { ping: { ack: z.null() } },
 *   serverToClient: {},
 * });
 * ```
 */
export type Contract<S extends ContractSpec = ContractSpec> = Readonly<S> & {
  readonly kind: 'chatwire.contract';
};

/**
 * Event names socket.io or chatwire use themselves, which a contract may not define.
 *
 * @example
 * ```ts
 * RESERVED_EVENTS.includes('disconnect'); // true: not a contract event name
 * ```
 */
export const RESERVED_EVENTS: readonly string[] = [
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  'error',
  'chatwire:error',
];

/**
 * The event chatwire sends to a client whose event without an ack was refused.
 *
 * @example
 * ```ts
 * socket.on(ERROR_EVENT, (error) => console.warn(error.event, error.code));
 * ```
 */
export const ERROR_EVENT = 'chatwire:error';

/** True for a schema of `zod` or `zod/mini` (both carry zod's core internals in `_zod`). */
export function isZodSchema(value: unknown): value is z.$ZodType {
  return typeof value === 'object' && value !== null && typeof (value as { _zod?: unknown })._zod === 'object';
}

function checkEvents(side: string, events: Record<string, ClientEventSpec | ServerEventSpec>): void {
  for (const [name, spec] of Object.entries(events)) {
    if (RESERVED_EVENTS.includes(name)) {
      throw new TypeError(`defineContract: "${name}" is reserved and cannot be a ${side} event`);
    }
    for (const key of ['payload', 'ack'] as const) {
      const schema = spec[key];
      if (schema !== undefined && !isZodSchema(schema)) {
        throw new TypeError(`defineContract: ${side} event "${name}" has a ${key} that is not a zod schema`);
      }
    }
  }
}

/**
 * Declares the events of an app once, with zod: what each side may send, the handshake `auth`,
 * and the server's per-socket data. Server and client derive every type and check from it.
 * @example
 * const contract = defineContract({
 *   clientToServer: { chat: { payload: z.object({ msg: z.string().min(1) }) } },
 *   serverToClient: { chat: { payload: z.object({ from: z.string(), msg: z.string() }) } },
 * });
 */
export function defineContract<const S extends ContractSpec>(spec: S): Contract<S> {
  checkEvents('client → server', spec.clientToServer);
  checkEvents('server → client', spec.serverToClient);
  for (const key of ['auth', 'socketData'] as const) {
    if (spec[key] !== undefined && !isZodSchema(spec[key])) {
      throw new TypeError(`defineContract: ${key} is not a zod schema`);
    }
  }
  return Object.freeze({ ...spec, kind: 'chatwire.contract' as const });
}
