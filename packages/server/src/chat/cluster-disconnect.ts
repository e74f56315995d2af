/**
 * The key of an adapter method that tells the other nodes to disconnect a room's sockets and rejects
 * when that message could not be sent (socket.io's `disconnectSockets` keeps such a failure to itself).
 */
export const publishDisconnect = Symbol('chatwire.publishDisconnect');

/** An adapter that reports whether a disconnect reached the other nodes. */
export interface PublishesDisconnect {
  [publishDisconnect](room: string, close: boolean): Promise<void>;
}

export function publishesDisconnect(adapter: object): adapter is PublishesDisconnect {
  return typeof (adapter as Partial<PublishesDisconnect>)[publishDisconnect] === 'function';
}
