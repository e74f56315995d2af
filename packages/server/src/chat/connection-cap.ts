import { ChatwireError, type WideChatContract } from '@chatwire/protocol';
import type { Logger } from '../logger.js';
import type { ChatwireNamespace } from '../namespace.js';

/**
 * Counts each user's connections, wherever the count lives, and refuses past a maximum.
 *
 * @example
 * ```ts
 * const cap: ConnectionCap = memoryLimits.connectionCap(4);
 * if (!(await cap.acquire('u1', socket.id))) socket.disconnect();
 * ```
 */
export interface ConnectionCap {
  /** Counts connection `socketId` of `userId`: false (and not counted) when the user is at the maximum. */
  acquire(userId: string, socketId: string): Promise<boolean>;
  /** Forgets connection `socketId`; never rejects (what cannot be forgotten now expires). */
  release(userId: string, socketId: string): Promise<void>;
  /** Stops timers and forgets this node's connections. */
  close(): Promise<void>;
  /** How long a refused connection should wait before trying again, in milliseconds. */
  readonly retryAfterMs: number;
}

/** Connections per user counted in this process. */
export class MemoryConnectionCap implements ConnectionCap {
  readonly retryAfterMs = 1000;
  /** userId → its connections on this node: the one socket id, or a set once it has had several */
  private readonly users = new Map<string, string | Set<string>>();

  constructor(private readonly max: number) {}

  async acquire(userId: string, socketId: string): Promise<boolean> {
    return this.acquireNow(userId, socketId);
  }

  /** {@link acquire}, synchronously: checked and counted in one step, so racing connects cannot pass the cap. */
  acquireNow(userId: string, socketId: string, max = this.max): boolean {
    const sockets = this.users.get(userId);
    if (sockets === socketId || (typeof sockets === 'object' && sockets.has(socketId))) return true;
    const count = sockets === undefined ? 0 : typeof sockets === 'string' ? 1 : sockets.size;
    if (count >= max) return false;
    if (sockets === undefined) this.users.set(userId, socketId);
    else if (typeof sockets === 'string') this.users.set(userId, new Set([sockets, socketId]));
    else sockets.add(socketId);
    return true;
  }

  async release(userId: string, socketId: string): Promise<void> {
    const sockets = this.users.get(userId);
    if (sockets === socketId) {
      this.users.delete(userId);
    } else if (typeof sockets === 'object') {
      sockets.delete(socketId);
      if (sockets.size === 0) this.users.delete(userId);
    }
  }

  /** This node's connections: userId → socket ids (a copy). */
  held(): ReadonlyMap<string, ReadonlySet<string>> {
    const held = new Map<string, ReadonlySet<string>>();
    for (const [userId, sockets] of this.users) {
      held.set(userId, typeof sockets === 'string' ? new Set([sockets]) : new Set(sockets));
    }
    return held;
  }

  async close(): Promise<void> {
    this.users.clear();
  }
}

/**
 * Refuses a connection past `max` per user with `connect_error` `RATE_LIMITED` (after
 * authentication: the user is known). A counted connection is released when its socket
 * disconnects, or when its transport closes before it ever connected (socket.io then emits no
 * `disconnect`, e.g. when a later middleware refuses it or the client goes away meanwhile).
 */
export function capConnections(
  server: ChatwireNamespace<WideChatContract>,
  cap: ConnectionCap,
  max: number,
  logger: Logger,
): void {
  const release = (userId: string, socketId: string) => {
    // An app's own cap may break its promise not to reject: that must not crash the node.
    cap
      .release(userId, socketId)
      .catch((error: unknown) => logger.error('chatwire: connection release failed', { error }));
  };
  // Counted but not connected yet: released by their transport's close. Listeners shared by every
  // connected socket (below) take over once connected, so that a socket holds none of its own.
  const counted = new Map<string, () => void>();
  server.use(async (socket) => {
    const { userId } = socket.data.user;
    if (!(await cap.acquire(userId, socket.id))) {
      throw new ChatwireError('RATE_LIMITED', `Too many connections: a user may have at most ${max} at once`, {
        retryAfterMs: cap.retryAfterMs,
      });
    }
    const { id, raw } = socket;
    // Gone while the count was taken: no event will come any more.
    if (raw.conn.readyState !== 'open') {
      release(userId, id);
      throw new ChatwireError('DISCONNECTED', 'The connection closed during the handshake');
    }
    const closed = () => {
      counted.delete(id);
      release(userId, id);
    };
    counted.set(id, closed);
    raw.conn.once('close', closed);
  });
  server.raw.on('connection', (raw) => {
    const closed = counted.get(raw.id);
    if (closed === undefined) return;
    counted.delete(raw.id);
    raw.conn.off('close', closed);
  });
  server.onDisconnect(({ socket }) => release(socket.data.user.userId, socket.id));
}
