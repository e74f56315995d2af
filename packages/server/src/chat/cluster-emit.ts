/**
 * The key of an adapter method that sends a server-side event (socket.io's `serverSideEmit`, no ack)
 * to the other nodes and rejects when it could not be sent (socket.io's own keeps such a failure to
 * itself).
 */
export const publishServerSideEmit = Symbol('chatwire.publishServerSideEmit');

/** An adapter that reports whether a server-side event reached the other nodes. */
export interface PublishesServerSideEmit {
  [publishServerSideEmit](packet: unknown[]): Promise<void>;
}

export function publishesServerSideEmit(adapter: object): adapter is PublishesServerSideEmit {
  return typeof (adapter as Partial<PublishesServerSideEmit>)[publishServerSideEmit] === 'function';
}

/**
 * True when the adapter has other nodes to tell: it overrides the `serverSideEmit` of socket.io's
 * in-memory adapter (its base class), which only prints a warning.
 */
export function reachesOtherNodes(adapter: object): boolean {
  let base: { serverSideEmit?: unknown } | undefined;
  for (let proto = Object.getPrototypeOf(adapter); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'serverSideEmit')) base = proto;
  }
  return (adapter as { serverSideEmit?: unknown }).serverSideEmit !== base?.serverSideEmit;
}
