import {
  type AnyContract,
  ChatwireError,
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
 */
export class OutgoingEmitter<C extends AnyContract> {
  constructor(
    private readonly contract: C,
    private readonly validate: boolean,
  ) {}

  emit(target: RawEmitter, event: string, args: readonly unknown[]): void {
    const spec = Object.hasOwn(this.contract.serverToClient, event) ? this.contract.serverToClient[event] : undefined;
    if (spec === undefined) {
      throw new ChatwireError('NOT_FOUND', `"${event}" is not a server → client event of this contract`);
    }
    if (this.validate) {
      if (spec.payload === undefined) {
        if (args.length !== 0) {
          throw new ChatwireError('VALIDATION_FAILED', `Server event "${event}" takes no payload`);
        }
      } else {
        if (args.length !== 1) {
          throw new ChatwireError('VALIDATION_FAILED', `Server event "${event}" takes exactly one payload`);
        }
        const parsed = parsePayload(spec.payload, args[0], `outgoing payload of "${event}"`);
        if (!parsed.ok) throw parsed.error;
      }
    }
    target.emit(event, ...args);
  }
}
