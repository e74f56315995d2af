import type { ChatUser } from '@chatwire/protocol';

/**
 * One change of a room's members, as the room is told of it (`presence:diff`).
 *
 * @example
 * ```ts
 * const change: PresenceChange = { version: 8, joined: [{ userId: 'u1', name: 'Ana' }], left: [] };
 * ```
 */
export interface PresenceChange {
  /** The room's version after this change: the one before plus 1. */
  version: number;
  /** Users now present who were not. */
  joined: ChatUser[];
  /** Ids of users no longer present. */
  left: string[];
}

/**
 * What a {@link Presence} gets from the chat server it serves.
 *
 * @example
 * ```ts
 * presence.attach({ publish: (roomId, change) => console.log(roomId, change.version) } satisfies PresenceHost);
 * ```
 */
export interface PresenceHost {
  /** Sends the room one change of its members; call it for every change, in version order. */
  publish(roomId: string, change: PresenceChange): void;
}

/**
 * A room's members, each user once, and the version of that list.
 *
 * @example
 * ```ts
 * const { members, version }: PresenceSnapshot = await presence.snapshot('general');
 * ```
 */
export interface PresenceSnapshot {
  members: ChatUser[];
  /** The version of the last change this list reflects: the next change of the room is this plus 1. */
  version: number;
}

/**
 * Who is in which room. The chat server tells it about joins and leaves of its own sockets; it keeps
 * each room's members, each user once, across every node it covers, and publishes each change of
 * them (a user's first connection in, last one out, an expiry) with the room's next version.
 *
 * @example
 * ```ts
 * const presence: Presence = new MemoryPresence();
 * const chat = createChatServer({ httpServer, store, authenticate, presence });
 * ```
 */
export interface Presence {
  /** Called once by the chat server that uses it, before any other call: where to publish changes. */
  attach(host: PresenceHost): void;
  /** Resolves once the change, if any (another tab of a present user is none), is published. */
  join(roomId: string, socketId: string, user: ChatUser): Promise<void>;
  /** Resolves once the change, if any, is published; a socket not in the room changes nothing. */
  leave(roomId: string, socketId: string): Promise<void>;
  /** The room's members now, and the version of that list. */
  snapshot(roomId: string): Promise<PresenceSnapshot>;
  /** Stops timers and lets go of what it holds (the chat server's `close` calls it). */
  close(): Promise<void>;
}

/** One room as {@link MemoryPresence} knows it. */
interface LocalRoom {
  version: number;
  /** socketId → userId */
  sockets: Map<string, string>;
  /** userId → the user and how many of its sockets are in the room */
  users: Map<string, { user: ChatUser; sockets: number }>;
}

/**
 * Presence kept in this process: the sockets of this node. Meant for one node; on several, use
 * RedisPresence. A room is remembered while someone is in it.
 *
 * @example
 * ```ts
 * const chat = createChatServer({ httpServer, store, authenticate, presence: new MemoryPresence() });
 * ```
 */
export class MemoryPresence implements Presence {
  private host: PresenceHost | undefined;
  private readonly rooms = new Map<string, LocalRoom>();
  /**
   * The highest version handed out, kept above the clock in microseconds: a room that empties and
   * fills again, or a restarted node, continues above the versions clients saw before.
   */
  private lastVersion = 0;

  attach(host: PresenceHost): void {
    this.host = host;
  }

  async join(roomId: string, socketId: string, user: ChatUser): Promise<void> {
    let room = this.rooms.get(roomId);
    if (room === undefined) {
      room = { version: Math.max(this.lastVersion, Date.now() * 1000), sockets: new Map(), users: new Map() };
      this.rooms.set(roomId, room);
    }
    if (room.sockets.has(socketId)) return;
    room.sockets.set(socketId, user.userId);
    const present = room.users.get(user.userId);
    if (present !== undefined) {
      present.sockets += 1;
      return;
    }
    room.users.set(user.userId, { user, sockets: 1 });
    this.changed(roomId, room, { joined: [user], left: [] });
  }

  async leave(roomId: string, socketId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    const userId = room?.sockets.get(socketId);
    const present = userId === undefined ? undefined : room?.users.get(userId);
    if (room === undefined || userId === undefined || present === undefined) return;
    room.sockets.delete(socketId);
    present.sockets -= 1;
    if (present.sockets > 0) return;
    room.users.delete(userId);
    if (room.users.size === 0) this.rooms.delete(roomId);
    this.changed(roomId, room, { joined: [], left: [userId] });
  }

  async snapshot(roomId: string): Promise<PresenceSnapshot> {
    const room = this.rooms.get(roomId);
    if (room === undefined) return { members: [], version: this.lastVersion };
    return { members: [...room.users.values()].map(({ user }) => user), version: room.version };
  }

  async close(): Promise<void> {}

  private changed(roomId: string, room: LocalRoom, change: Omit<PresenceChange, 'version'>): void {
    room.version += 1;
    this.lastVersion = Math.max(this.lastVersion, room.version);
    this.host?.publish(roomId, { version: room.version, ...change });
  }
}
