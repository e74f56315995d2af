import type {
  AnyChatContract,
  ChatContract,
  ChatUser,
  ChatwireError,
  RoomRemoval,
  RoomSummary,
} from '@chatwire/protocol';
import type { ConnectionStatus } from '../create-client.js';
import type { ChatClient } from './chat-client.js';
import type { ChatRoom, RoomMessage } from './chat-room.js';

/**
 * A value that changes over time, read the way React's `useSyncExternalStore`, Vue's `shallowRef` or a
 * Svelte store want it: `getSnapshot()` returns the same object until something changed, and
 * `subscribe` listeners are called once per batch of changes (after the current microtask).
 *
 * @example
 * ```ts
 * const store: ChatStore<RoomSnapshot> = roomStore(room);
 * const stop = store.subscribe(() => render(store.getSnapshot().messages));
 * ```
 */
export interface ChatStore<T> {
  /** Calls `listener` after each batch of changes; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  /** The current value: the same object as long as nothing changed. */
  getSnapshot(): T;
}

/**
 * What {@link roomStore} holds: one room's state at one moment.
 *
 * @example
 * ```ts
 * const { messages, members, hasMore }: RoomSnapshot = roomStore(room).getSnapshot();
 * ```
 */
export interface RoomSnapshot<C extends AnyChatContract = ChatContract> {
  /** Stored messages by serial, then our pending and failed sends. */
  readonly messages: readonly RoomMessage<C>[];
  readonly members: readonly ChatUser[];
  /** How many members the room has (more than `members` lists in a very large room). */
  readonly memberCount: number;
  /** The other users typing now. */
  readonly typing: readonly ChatUser[];
  /** Older history exists beyond the loaded messages. */
  readonly hasMore: boolean;
  /** False once the room is left (by us, the server, or a moderator: see `removal`). */
  readonly joined: boolean;
  readonly removal: RoomRemoval | undefined;
}

/**
 * What {@link clientStore} holds: the connection and the user's rooms at one moment.
 *
 * @example
 * ```ts
 * const { status, rooms }: ClientSnapshot = clientStore(chat).getSnapshot();
 * ```
 */
export interface ClientSnapshot {
  readonly status: ConnectionStatus;
  /** The server's reason with the last status change, when refused or dropped. */
  readonly error: ChatwireError | undefined;
  /** Who we are, once the server said so. */
  readonly user: ChatUser | undefined;
  /** The user's rooms with unread counts (empty until `listRooms()` was called). */
  readonly rooms: readonly RoomSummary[];
}

/**
 * A store over `read()` that re-reads after `listen`'s changes: the snapshot is made again at most once
 * per change, and listeners are told once per microtask however many changes came.
 */
function batchedStore<T>(read: () => T, listen: (changed: () => void) => void): ChatStore<T> {
  const listeners = new Set<() => void>();
  let snapshot: T | undefined;
  let stale = true;
  let queued = false;
  listen(() => {
    stale = true;
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      for (const listener of [...listeners]) listener();
    });
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot() {
      if (stale) {
        snapshot = read();
        stale = false;
      }
      return snapshot as T;
    },
  };
}

const roomStores = new WeakMap<ChatRoom<AnyChatContract>, ChatStore<RoomSnapshot<AnyChatContract>>>();

/**
 * The store of a joined room (one per room: calls with the same room return the same store).
 * @example
 * const store = roomStore(room);
 * store.subscribe(() => render(store.getSnapshot().messages));
 */
export function roomStore<C extends AnyChatContract>(room: ChatRoom<C>): ChatStore<RoomSnapshot<C>> {
  let store = roomStores.get(room as ChatRoom<AnyChatContract>);
  if (store === undefined) {
    store = batchedStore<RoomSnapshot<AnyChatContract>>(
      () => ({
        messages: room.messages,
        members: room.members,
        memberCount: room.memberCount,
        typing: room.typing,
        hasMore: room.hasOlder,
        joined: room.joined,
        removal: room.removal,
      }),
      (changed) => room.on('change', changed),
    );
    roomStores.set(room as ChatRoom<AnyChatContract>, store);
  }
  return store as ChatStore<RoomSnapshot<C>>;
}

const clientStores = new WeakMap<ChatClient<AnyChatContract>, ChatStore<ClientSnapshot>>();

/**
 * The store of a client's connection status, user and room list (one per client).
 * @example
 * const store = clientStore(chat);
 * store.subscribe(() => showStatus(store.getSnapshot().status));
 */
export function clientStore<C extends AnyChatContract>(client: ChatClient<C>): ChatStore<ClientSnapshot> {
  let store = clientStores.get(client as ChatClient<AnyChatContract>);
  if (store === undefined) {
    let error: ChatwireError | undefined;
    store = batchedStore<ClientSnapshot>(
      () => ({ status: client.status, error, user: client.user, rooms: client.roomList }),
      (changed) => {
        client.on('status', (_status, reason) => {
          error = reason;
          changed();
        });
        client.on('session', changed);
        client.on('roomList', changed);
      },
    );
    clientStores.set(client as ChatClient<AnyChatContract>, store);
  }
  return store;
}
