import type { ChatContract, ChatUser } from '@chatwire/protocol';
import type { ChatwireServer } from '../create-server.js';
import { roomKey } from './rooms.js';

/** What a {@link Presence} gets from the chat server it serves. */
export interface PresenceHost {
  readonly server: ChatwireServer<ChatContract>;
  /** Sends the room its current members (call when they changed by other means than join/leave). */
  publish(roomId: string): void;
}

/** A room's members, each user once, and the version of that list. */
export interface PresenceSnapshot {
  members: ChatUser[];
  /**
   * Grows with every change of the room's membership, and a snapshot reflects every change up to its
   * version: of two lists, the one with the higher version is the newer.
   */
  version: number;
}

/**
 * Who is in which room. The chat server tells it about joins and leaves of its own sockets; it
 * answers with each room's members, each user once, across every node it covers.
 */
export interface Presence {
  attach(host: PresenceHost): void;
  join(roomId: string, socketId: string, user: ChatUser): Promise<void>;
  leave(roomId: string, socketId: string): Promise<void>;
  snapshot(roomId: string): Promise<PresenceSnapshot>;
  close(): Promise<void>;
}

/** Each user once, in the order first seen. */
export function uniqueUsers(users: Iterable<ChatUser>): ChatUser[] {
  const byId = new Map<string, ChatUser>();
  for (const user of users) if (!byId.has(user.userId)) byId.set(user.userId, user);
  return [...byId.values()];
}

/**
 * Presence from socket.io's adapter: the sockets in the room, on every node the adapter reaches
 * (`fetchSockets`). Meant for one node. On several, use RedisPresence: here a node that dies keeps
 * its users listed until the adapter drops it, and list versions follow each node's clock.
 */
export class AdapterPresence implements Presence {
  private host: PresenceHost | undefined;
  /**
   * One counter for all rooms (it only has to grow with each room's changes), kept above the clock in
   * microseconds so that the lists of a restarted node do not look older than those before.
   */
  private version = 0;

  attach(host: PresenceHost): void {
    this.host = host;
  }

  async join(): Promise<void> {
    this.bump();
  }

  async leave(): Promise<void> {
    this.bump();
  }

  private bump(): void {
    this.version = Math.max(this.version + 1, Date.now() * 1000);
  }

  async snapshot(roomId: string): Promise<PresenceSnapshot> {
    if (this.host === undefined) throw new Error('AdapterPresence is not attached to a chat server');
    const version = this.version;
    const sockets = await this.host.server.in(roomKey(roomId)).fetchSockets();
    return { members: uniqueUsers(sockets.map((socket) => socket.data.user)), version };
  }

  async close(): Promise<void> {}
}
