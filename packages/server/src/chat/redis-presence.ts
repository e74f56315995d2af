import type { ChatUser } from '@chatwire/protocol';
import type { ChainableCommander, Redis } from 'ioredis';
import { type Logger, silentLogger } from '../logger.js';
import { type Presence, type PresenceHost, type PresenceSnapshot, uniqueUsers } from './presence.js';

/** A room's presence version is kept this long after its last change (a day). */
const VERSION_TTL_MS = 24 * 60 * 60 * 1000;

/** Options of {@link RedisPresence}. */
export interface RedisPresenceOptions {
  /** Prefix of the keys. @default 'chatwire:' */
  keyPrefix?: string;
  /** An entry not refreshed for this long is gone (its node died). @default 9000 */
  ttlMs?: number;
  /**
   * How often a node refreshes its entries and sweeps expired ones. A heartbeat still under way
   * when the next is due skips it, and after a failed one the next waits until Redis answers again.
   * @default 2000
   */
  heartbeatMs?: number;
  /** Where failed heartbeats are reported. @default silent */
  logger?: Logger;
}

/**
 * Presence shared by every node through Redis: one sorted set per room whose members are this
 * node's sockets, scored by when they expire. Each node refreshes its own entries every heartbeat,
 * so a node that dies (even by SIGKILL) drops out within `ttlMs` + `heartbeatMs`; at each heartbeat a
 * node also sweeps expired entries of its rooms and re-publishes those rooms' members. A user with
 * tabs on several nodes counts once. After Redis loses its data, the next heartbeat writes it back.
 */
export class RedisPresence implements Presence {
  private host: PresenceHost | undefined;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly logger: Logger;
  /** roomId → socketId → the member string stored for it */
  private readonly local = new Map<string, Map<string, string>>();
  private readonly timer: ReturnType<typeof setInterval>;
  /** A heartbeat (or the check that Redis answers again) is under way. */
  private beating = false;
  /**
   * The last heartbeat failed: its commands may still wait for Redis (a paused or slow server keeps
   * them queued after they timed out), so the next one first checks that Redis answers.
   */
  private stalled = false;

  constructor(
    private readonly redis: Redis,
    options: RedisPresenceOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'chatwire:';
    this.ttlMs = options.ttlMs ?? 9000;
    this.logger = options.logger ?? silentLogger;
    this.timer = setInterval(() => void this.heartbeat(), options.heartbeatMs ?? 2000);
    this.timer.unref();
  }

  attach(host: PresenceHost): void {
    this.host = host;
  }

  async join(roomId: string, socketId: string, user: ChatUser): Promise<void> {
    const member = JSON.stringify([socketId, user.userId, user.name]);
    await this.bump(roomId, this.redis.multi().zadd(this.key(roomId), Date.now() + this.ttlMs, member));
    // Kept (and refreshed by heartbeats) only once written: a failed join leaves nothing to refresh.
    let sockets = this.local.get(roomId);
    if (sockets === undefined) {
      sockets = new Map();
      this.local.set(roomId, sockets);
    }
    sockets.set(socketId, member);
  }

  async leave(roomId: string, socketId: string): Promise<void> {
    const sockets = this.local.get(roomId);
    const member = sockets?.get(socketId);
    if (sockets === undefined || member === undefined) return;
    sockets.delete(socketId);
    if (sockets.size === 0) this.local.delete(roomId);
    await this.bump(roomId, this.redis.multi().zrem(this.key(roomId), member));
  }

  async snapshot(roomId: string): Promise<PresenceSnapshot> {
    // One transaction: the list reflects exactly the changes up to the version read with it.
    const results = await this.redis
      .multi()
      .get(this.versionKey(roomId))
      .zrangebyscore(this.key(roomId), Date.now(), '+inf')
      .exec();
    const [versionResult, membersResult] = results ?? [];
    if (versionResult?.[0] || membersResult?.[0]) throw versionResult?.[0] ?? membersResult?.[0];
    const members = (membersResult?.[1] ?? []) as string[];
    return {
      version: Number(versionResult?.[1] ?? 0),
      members: uniqueUsers(
        members.map((member) => {
          const [, userId, name] = JSON.parse(member) as [string, string, string];
          return { userId, name };
        }),
      ),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const removals = [...this.local].flatMap(([roomId, sockets]) =>
      [...sockets.values()].map((member) => ['zrem', this.key(roomId), member]),
    );
    this.local.clear();
    if (removals.length > 0 && this.redis.status === 'ready') await this.redis.multi(removals).exec();
  }

  /**
   * One heartbeat at a time, and none while disconnected (its commands would wait in ioredis' offline
   * queue). After a failure, a PING first: Redis answers in order, so its reply means the commands of
   * the failed heartbeat are answered too. So while Redis hangs, what waits for it stays bounded: one
   * heartbeat and at most one PING per command timeout.
   */
  private async heartbeat(): Promise<void> {
    if (this.beating || this.local.size === 0 || this.redis.status !== 'ready') return;
    this.beating = true;
    try {
      if (this.stalled) await this.redis.ping();
      this.stalled = false;
      await this.refresh();
    } catch (error) {
      this.stalled = true;
      this.logger.warn('chatwire: presence heartbeat failed', { error });
    } finally {
      this.beating = false;
    }
  }

  /** Refreshes this node's entries, drops expired ones, and re-publishes rooms that lost someone. */
  private async refresh(): Promise<void> {
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    // The index of each room's sweep in the pipeline's results.
    const sweeps: [roomId: string, index: number][] = [];
    let index = 0;
    for (const [roomId, sockets] of this.local) {
      for (const member of sockets.values()) pipeline.zadd(this.key(roomId), now + this.ttlMs, member);
      pipeline.pexpire(this.key(roomId), this.ttlMs * 2);
      pipeline.zremrangebyscore(this.key(roomId), '-inf', now);
      index += sockets.size + 1;
      sweeps.push([roomId, index]);
      index += 1;
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error)?.[0];
    if (failed) throw failed;
    for (const [roomId, at] of sweeps) {
      const removed = results[at]?.[1];
      if (typeof removed === 'number' && removed > 0) {
        await this.bump(roomId, this.redis.multi());
        this.host?.publish(roomId);
      }
    }
  }

  private key(roomId: string): string {
    return `${this.prefix}presence:${roomId}`;
  }

  /**
   * Runs `change` with the room's version incremented in the same transaction. A missing version (a
   * new room, or Redis lost its data) starts from the clock in microseconds, so it stays above the
   * versions clients saw before.
   */
  private async bump(roomId: string, change: ChainableCommander): Promise<void> {
    const key = this.versionKey(roomId);
    // Both keys outlive their last use only a while: rooms nobody is in leave nothing behind.
    await change
      .pexpire(this.key(roomId), this.ttlMs * 2)
      .set(key, Date.now() * 1000, 'NX')
      .incr(key)
      .pexpire(key, VERSION_TTL_MS)
      .exec();
  }

  private versionKey(roomId: string): string {
    return `${this.prefix}presence-version:${roomId}`;
  }
}
