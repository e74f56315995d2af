import type { ChatContract, ChatUser } from '@chatwire/protocol';
import type { ChatwireServer } from '../create-server.js';
import { roomKey } from './rooms.js';

/** What a {@link Presence} gets from the chat server it serves. */
export interface PresenceHost {
  readonly server: ChatwireServer<ChatContract>;
  /** Sends the room its current members (call when they changed by other means than join/leave). */
  publish(roomId: string): void;
}

/**
 * Who is in which room. The chat server tells it about joins and leaves of its own sockets; it
 * answers with each room's members, each user once, across every node it covers.
 */
export interface Presence {
  attach(host: PresenceHost): void;
  join(roomId: string, socketId: string, user: ChatUser): Promise<void>;
  leave(roomId: string, socketId: string): Promise<void>;
  members(roomId: string): Promise<ChatUser[]>;
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
 * (`fetchSockets`). Exact on one node; on several, a node that dies without closing its sockets
 * keeps its users listed until the adapter drops it — use RedisPresence there.
 */
export class AdapterPresence implements Presence {
  private host: PresenceHost | undefined;

  attach(host: PresenceHost): void {
    this.host = host;
  }

  async join(): Promise<void> {}

  async leave(): Promise<void> {}

  async members(roomId: string): Promise<ChatUser[]> {
    if (this.host === undefined) throw new Error('AdapterPresence is not attached to a chat server');
    const sockets = await this.host.server.in(roomKey(roomId)).fetchSockets();
    return uniqueUsers(sockets.map((socket) => socket.data.user));
  }

  async close(): Promise<void> {}
}
