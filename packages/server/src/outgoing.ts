import {
  type AnyContract,
  type PayloadArgs,
  parsePayload,
  type ServerEvent,
  type ServerEventName,
} from '@chatwire/protocol';

/** The untyped emit every socket.io emitter has; chatwire checks the types before calling it. */
export interface RawEmitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/** Arguments of a server → client event, typed by the contract. */
export type ServerEmitArgs<C extends AnyContract, E extends ServerEventName<C>> = PayloadArgs<ServerEvent<C, E>>;

/**
 * Checks an outgoing server event against the contract (name always; payload when validation is
 * on) and emits it once through `target`, so a broadcast stays one encode and one adapter call.
 * A broken outgoing event is a server bug: it throws a TypeError (a handler's sender sees `INTERNAL`).
 */
export class OutgoingEmitter<C extends AnyContract> {
  constructor(
    private readonly contract: C,
    private readonly validate: boolean,
  ) {}

  emit(target: RawEmitter, event: string, args: readonly unknown[]): void {
    const spec = Object.hasOwn(this.contract.serverToClient, event) ? this.contract.serverToClient[event] : undefined;
    if (spec === undefined) {
      throw new TypeError(`"${event}" is not a server → client event of this contract`);
    }
    if (this.validate) {
      if (spec.payload === undefined) {
        if (args.length !== 0) {
          throw new TypeError(`Server event "${event}" takes no payload`);
        }
      } else {
        if (args.length !== 1) {
          throw new TypeError(`Server event "${event}" takes exactly one payload`);
        }
        const parsed = parsePayload(spec.payload, args[0], `outgoing payload of "${event}"`);
        if (!parsed.ok) throw new TypeError(parsed.error.message, { cause: parsed.error });
      }
    }
    target.emit(event, ...args);
  }
}
