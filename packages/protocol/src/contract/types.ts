import type * as z from 'zod/v4/core';
import type { ErrorEventPayload } from '../errors.js';
import type { Result } from '../result.js';
import type { Contract, ContractSpec } from './define-contract.js';

/**
 * Any contract.
 *
 * @example
 * ```ts
 * function eventNames(contract: AnyContract): string[] {
 *   return Object.keys(contract.clientToServer);
 * }
 * ```
 */
export type AnyContract = Contract<ContractSpec>;

/**
 * Names of the events a client may send.
 *
 * @example
 * ```ts
 * type Names = ClientEventName<ChatContract>; // 'room:join' | 'message:send' | …
 * ```
 */
export type ClientEventName<C extends AnyContract> = keyof C['clientToServer'] & string;

/**
 * Names of the events a server may send.
 *
 * @example
 * ```ts
 * type Names = ServerEventName<ChatContract>; // 'session' | 'message:new' | …
 * ```
 */
export type ServerEventName<C extends AnyContract> = keyof C['serverToClient'] & string;

/**
 * The spec of client event `E`.
 *
 * @example
 * ```ts
 * type Send = ClientEvent<ChatContract, 'message:send'>; // { payload, ack }
 * ```
 */
export type ClientEvent<C extends AnyContract, E extends ClientEventName<C>> = C['clientToServer'][E];

/**
 * The spec of server event `E`.
 *
 * @example
 * ```ts
 * type Incoming = ServerEvent<ChatContract, 'message:new'>; // { payload }
 * ```
 */
export type ServerEvent<C extends AnyContract, E extends ServerEventName<C>> = C['serverToClient'][E];

/**
 * The arguments a sender passes for an event: `[payload]`, or `[]` for an event without one.
 *
 * @example
 * ```ts
 * type Args = PayloadArgs<ClientEvent<ChatContract, 'room:join'>>; // [payload: { roomId: string }]
 * ```
 */
export type PayloadArgs<Spec> = Spec extends { payload: infer S extends z.$ZodType } ? [payload: z.input<S>] : [];

/**
 * The payload a sender passes (zod input type); `undefined` for an event without one.
 *
 * @example
 * ```ts
 * const join: PayloadInput<ClientEvent<ChatContract, 'room:join'>> = { roomId: 'general' };
 * ```
 */
export type PayloadInput<Spec> = Spec extends { payload: infer S extends z.$ZodType } ? z.input<S> : undefined;

/**
 * The payload a receiver gets (zod output type); `undefined` for an event without one.
 *
 * @example
 * ```ts
 * type Joined = PayloadOutput<ServerEvent<ChatContract, 'message:new'>>; // Message
 * ```
 */
export type PayloadOutput<Spec> = Spec extends { payload: infer S extends z.$ZodType } ? z.output<S> : undefined;

/**
 * True for an event that is answered with an ack.
 *
 * @example
 * ```ts
 * type Answered = HasAck<ClientEvent<ChatContract, 'room:join'>>; // true
 * ```
 */
export type HasAck<Spec> = Spec extends { ack: z.$ZodType } ? true : false;

/**
 * What a handler returns for an event's ack (zod input type); `void` for an event without an ack.
 *
 * @example
 * ```ts
 * type Answer = AckInput<ClientEvent<ChatContract, 'message:send'>>; // what the handler returns
 * ```
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler of an event without an ack returns nothing
export type AckInput<Spec> = Spec extends { ack: infer S extends z.$ZodType } ? z.input<S> : void;

/**
 * The ack data a requester receives (zod output type); `undefined` for an event without an ack.
 *
 * @example
 * ```ts
 * type Sent = AckOutput<ClientEvent<ChatContract, 'message:send'>>; // Message
 * ```
 */
export type AckOutput<Spec> = Spec extends { ack: infer S extends z.$ZodType } ? z.output<S> : undefined;

/**
 * Client events that are answered with an ack (what `client.request` takes).
 *
 * @example
 * ```ts
 * const event: RequestEventName<ChatContract> = 'room:join';
 * ```
 */
export type RequestEventName<C extends AnyContract> = {
  [E in ClientEventName<C>]: HasAck<ClientEvent<C, E>> extends true ? E : never;
}[ClientEventName<C>];

/**
 * Client events sent without an ack (what `client.emit` takes).
 *
 * @example
 * ```ts
 * type FireAndForget = EmitEventName<ChatContract>; // events sent with client.emit
 * ```
 */
export type EmitEventName<C extends AnyContract> = Exclude<ClientEventName<C>, RequestEventName<C>>;

/**
 * Server events that are answered by the client (what `socket.request` takes and `client.handle` answers).
 *
 * @example
 * ```ts
 * type Asked = ServerRequestEventName<typeof contract>; // events the client answers with client.handle
 * ```
 */
export type ServerRequestEventName<C extends AnyContract> = {
  [E in ServerEventName<C>]: HasAck<ServerEvent<C, E>> extends true ? E : never;
}[ServerEventName<C>];

/**
 * Server events sent without an ack (what the server's `emit` takes and `client.on` listens to).
 *
 * @example
 * ```ts
 * type Told = ServerEmitEventName<ChatContract>; // 'session' | 'message:new' | …
 * ```
 */
export type ServerEmitEventName<C extends AnyContract> = Exclude<ServerEventName<C>, ServerRequestEventName<C>>;

/**
 * The handshake `auth` a client sends (zod input type); `undefined` when the contract has none.
 *
 * @example
 * ```ts
 * const auth: AuthInput<typeof contract> = { user: 'ana' }; // with auth: z.object({ user: z.string() })
 * ```
 */
export type AuthInput<C extends AnyContract> = C extends { auth: infer S extends z.$ZodType } ? z.input<S> : undefined;

/**
 * The parsed handshake `auth` the server sees; `undefined` when the contract has none.
 *
 * @example
 * ```ts
 * type Parsed = AuthOutput<typeof contract>; // what `authenticate` receives as `auth`
 * ```
 */
export type AuthOutput<C extends AnyContract> = C extends { auth: infer S extends z.$ZodType }
  ? z.output<S>
  : undefined;

/**
 * The server's per-socket data; a plain record when the contract declares none.
 *
 * @example
 * ```ts
 * type Data = SocketDataOf<ChatContract>; // { user: ChatUser }
 * ```
 */
export type SocketDataOf<C extends AnyContract> = C extends { socketData: infer S extends z.$ZodType }
  ? z.output<S>
  : Record<string, unknown>;

/**
 * socket.io's `ClientToServerEvents` map derived from a contract (wire types).
 *
 * @example
 * ```ts
 * import type { Socket } from 'socket.io-client';
 * type Raw = Socket<ServerToClientEvents<ChatContract>, ClientToServerEvents<ChatContract>>;
 * ```
 */
export type ClientToServerEvents<C extends AnyContract> = {
  [E in ClientEventName<C>]: (
    ...args: [...PayloadArgs<ClientEvent<C, E>>, ack?: (result: Result<AckInput<ClientEvent<C, E>>>) => void]
  ) => void;
};

/**
 * socket.io's `ServerToClientEvents` map derived from a contract (wire types). An event with an ack
 * takes the client's answer callback last, so `socket.timeout(ms).emitWithAck` is typed.
 *
 * @example
 * ```ts
 * import type { Server } from 'socket.io';
 * type Io = Server<ClientToServerEvents<ChatContract>, ServerToClientEvents<ChatContract>>;
 * ```
 */
export type ServerToClientEvents<C extends AnyContract> = {
  [E in ServerEventName<C>]: (
    ...args: HasAck<ServerEvent<C, E>> extends true
      ? [...PayloadArgs<ServerEvent<C, E>>, ack: (result: Result<AckInput<ServerEvent<C, E>>>) => void]
      : PayloadArgs<ServerEvent<C, E>>
  ) => void;
} & {
  /** A refused event that had no ack to answer with (see `ERROR_EVENT`). */
  'chatwire:error': (error: ErrorEventPayload) => void;
};
