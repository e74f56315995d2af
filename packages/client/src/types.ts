import type { AnyContract, ClientToServerEvents, ServerToClientEvents } from '@chatwire/protocol';
import type { Socket } from 'socket.io-client';

/**
 * The socket.io-client `Socket` a chatwire client wraps, typed by the contract (escape hatch).
 *
 * @example
 * ```ts
 * const raw: TypedClientSocket<typeof contract> = client.raw;
 * raw.io.on('reconnect_attempt', (attempt) => console.log('reconnect', attempt));
 * ```
 */
export type TypedClientSocket<C extends AnyContract> = Socket<ServerToClientEvents<C>, ClientToServerEvents<C>>;
