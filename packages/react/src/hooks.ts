import {
  type ChatClient,
  type ChatRoom,
  type ChatStore,
  type ClientSnapshot,
  type ConnectionStatus,
  clientStore,
  type EditInput,
  type RoomSnapshot,
  roomStore,
  type SendInput,
} from '@chatwire/client';
import type {
  AnyChatContract,
  ChatContract,
  ChatUser,
  ChatwireError,
  ErrorPayload,
  MessageOf,
  MetaOf,
  Result,
  RoomSummary,
} from '@chatwire/protocol';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useChatClient } from './provider.js';

function useStore<T>(store: ChatStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}

function useClientSnapshot(): ClientSnapshot {
  return useStore(clientStore(useChatClient()));
}

/**
 * What {@link useConnectionStatus} returns.
 *
 * @example
 * ```ts
 * const { status, error }: ConnectionState = useConnectionStatus();
 * if (status === 'disconnected') console.warn(error?.message);
 * ```
 */
export interface ConnectionState {
  status: ConnectionStatus;
  /** The server's reason with the last change, when refused or dropped. */
  error: ChatwireError | undefined;
}

/**
 * The connection status, re-rendering when it changes.
 * @example const { status } = useConnectionStatus(); // 'connecting' | 'connected' | …
 */
export function useConnectionStatus(): ConnectionState {
  const { status, error } = useClientSnapshot();
  return { status, error };
}

/**
 * What {@link useRooms} returns.
 *
 * @example
 * ```ts
 * const { rooms, error }: RoomsState = useRooms();
 * const unread = rooms.reduce((sum, room) => sum + room.unread, 0);
 * ```
 */
export interface RoomsState {
  /** The user's rooms, newest activity first, with unread counts. */
  rooms: readonly RoomSummary[];
  /** Why the list could not be fetched, if it could not. */
  error: ErrorPayload | undefined;
}

/**
 * The user's rooms with unread counts, fetched when first used and kept live from then on.
 * @example const { rooms } = useRooms(); rooms.map((r) => `${r.roomId} (${r.unread})`);
 */
export function useRooms(): RoomsState {
  const client = useChatClient();
  const { rooms } = useClientSnapshot();
  const [error, setError] = useState<ErrorPayload | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void client.listRooms().then((result) => {
      if (live) setError(result.ok ? undefined : result.error);
    });
    return () => {
      live = false;
    };
  }, [client]);
  return { rooms, error };
}

const emptyRoom: RoomSnapshot<AnyChatContract> = {
  messages: [],
  members: [],
  memberCount: 0,
  typing: [],
  hasMore: false,
  joined: false,
  removal: undefined,
};
const emptyStore: ChatStore<RoomSnapshot<AnyChatContract>> = {
  subscribe: () => () => {},
  getSnapshot: () => emptyRoom,
};

/**
 * Where a room stands for {@link useRoom}: joining, in it, refused, or left since (see `removal`).
 *
 * @example
 * ```ts
 * const { status } = useRoom('general');
 * const label: Record<RoomStatus, string> = { joining: 'Joining…', joined: '', failed: 'Could not join', left: 'You left' };
 * return <p>{label[status]}</p>;
 * ```
 */
export type RoomStatus = 'joining' | 'joined' | 'failed' | 'left';

interface Joined<C extends AnyChatContract> {
  client: ChatClient<C>;
  roomId: string;
  result: Result<ChatRoom<C>>;
}

/** Joins `roomId` (once per client, however many components ask) and follows its snapshot. */
function useJoinedRoom<C extends AnyChatContract>(roomId: string) {
  const client = useChatClient<C>();
  const [joined, setJoined] = useState<Joined<C> | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void client.join(roomId).then((result) => {
      if (live) setJoined({ client, roomId, result });
    });
    return () => {
      live = false;
    };
  }, [client, roomId]);
  const result = joined?.client === client && joined.roomId === roomId ? joined.result : undefined;
  const room = result?.ok === true ? result.data : undefined;
  const snapshot = useStore(room === undefined ? (emptyStore as ChatStore<RoomSnapshot<C>>) : roomStore(room));
  return { client, result, room, snapshot };
}

/**
 * What {@link useRoom} returns: the room's state and what can be done in it.
 *
 * @example
 * ```ts
 * const { messages, status, send, loadOlder }: RoomState = useRoom('general');
 * if (status === 'joined') await send('hello');
 * ```
 */
export interface RoomState<C extends AnyChatContract = ChatContract> extends RoomSnapshot<C> {
  status: RoomStatus;
  /** Why the join was refused, for `failed`. */
  error: ErrorPayload | undefined;
  /** The joined room (escape hatch: read markers, search, retry, leave), once joined. */
  room: ChatRoom<C> | undefined;
  /** Sends a message (shown at once as pending, see `ChatRoom.send`). */
  send(message: string | SendInput<MetaOf<C>>): Promise<Result<MessageOf<C>>>;
  /** Edits one of our messages. */
  edit(serial: number, edit: string | EditInput<MetaOf<C>>): Promise<Result<MessageOf<C>>>;
  /** Deletes a message (ours, or any when moderating). */
  remove(serial: number): Promise<Result<MessageOf<C>>>;
  /** Adds our reaction, or removes it if we had it. */
  react(serial: number, emoji: string): Promise<Result<MessageOf<C>>>;
  /** Loads the page before the oldest loaded message; resolves with whether there is more. */
  loadOlder(limit?: number): Promise<Result<boolean>>;
}

/**
 * Joins `roomId` and follows it: messages, members, typing, and the actions on it. The actions wait
 * for the join (and join again a room left since), so they can be called at once. Unmounting does
 * not leave the room (leaving removes the user from it on every device: `room.leave()`).
 * @example
 * const { messages, send, status } = useRoom('general');
 * await send('hello');
 */
export function useRoom<C extends AnyChatContract = ChatContract>(roomId: string): RoomState<C> {
  const { client, result, room, snapshot } = useJoinedRoom<C>(roomId);
  const actions = useMemo(() => {
    const inRoom = async <T>(act: (joined: ChatRoom<C>) => Promise<Result<T>>): Promise<Result<T>> => {
      const joined = await client.join(roomId);
      return joined.ok ? act(joined.data) : joined;
    };
    return {
      send: (message: string | SendInput<MetaOf<C>>) => inRoom((r) => r.send(message)),
      edit: (serial: number, edit: string | EditInput<MetaOf<C>>) => inRoom((r) => r.edit(serial, edit)),
      remove: (serial: number) => inRoom((r) => r.delete(serial)),
      react: (serial: number, emoji: string) => inRoom((r) => r.react(serial, emoji)),
      loadOlder: (limit?: number) => inRoom((r) => (limit === undefined ? r.loadOlder() : r.loadOlder(limit))),
    };
  }, [client, roomId]);
  const status: RoomStatus =
    result === undefined ? 'joining' : !result.ok ? 'failed' : snapshot.joined ? 'joined' : 'left';
  return { ...snapshot, ...actions, status, error: result?.ok === false ? result.error : undefined, room };
}

/**
 * What {@link usePresence} returns.
 *
 * @example
 * ```ts
 * const { members, memberCount }: PresenceState = usePresence('general');
 * ```
 */
export interface PresenceState {
  members: readonly ChatUser[];
  /** How many members the room has (more than `members` lists in a very large room). */
  memberCount: number;
}

/**
 * The members of `roomId` (joined if it is not), re-rendering when they change.
 * @example const { members } = usePresence('general');
 */
export function usePresence(roomId: string): PresenceState {
  const { members, memberCount } = useJoinedRoom(roomId).snapshot;
  return { members, memberCount };
}

/**
 * What {@link useTyping} returns.
 *
 * @example
 * ```ts
 * const { typing, setTyping }: TypingState = useTyping('general');
 * <input onChange={(event) => setTyping(event.target.value !== '')} />;
 * ```
 */
export interface TypingState {
  /** The other users typing now. */
  typing: readonly ChatUser[];
  /** Call on every keystroke with true (it is throttled), with false when the input is cleared. */
  setTyping(isTyping: boolean): void;
}

/**
 * Who else is typing in `roomId`, and our own typing flag.
 * @example const { typing, setTyping } = useTyping('general');
 */
export function useTyping(roomId: string): TypingState {
  const { room, snapshot } = useJoinedRoom(roomId);
  const setTyping = useMemo(() => (isTyping: boolean) => room?.setTyping(isTyping), [room]);
  return { typing: snapshot.typing, setTyping };
}
