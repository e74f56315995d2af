import { type ChatwireMetrics, guarded, type RoomCounts } from '../instrumentation.js';
import type { Logger } from '../logger.js';
import type { Store } from './store.js';

/** `store` with every method call timed and reported to `metrics.storeCalled`, by method name. */
export function measuredStore(store: Store, metrics: ChatwireMetrics, now: () => number, logger: Logger): Store {
  const report = (method: string, ok: boolean, start: number) =>
    guarded(logger, 'storeCalled', () => metrics.storeCalled({ method, ok, durationMs: now() - start }));
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return async (...args: unknown[]) => {
        const start = now();
        try {
          const result: unknown = await value.apply(target, args);
          report(key, true, start);
          return result;
        } catch (error) {
          report(key, false, start);
          throw error;
        }
      };
    },
  });
}

/** The room counts of this node's connections, from the chat's socketId → rooms map. */
export function roomCounts(socketRooms: ReadonlyMap<string, ReadonlyMap<string, unknown>>): RoomCounts {
  const rooms = new Set<string>();
  let memberships = 0;
  for (const joined of socketRooms.values()) {
    memberships += joined.size;
    for (const roomId of joined.keys()) rooms.add(roomId);
  }
  return { rooms: rooms.size, memberships };
}
