import type { ChatUser } from '@chatwire/protocol';
import type { Redis } from 'ioredis';
import { type Logger, toLogger } from '../logger.js';
import type { Presence, PresenceHost, PresenceSnapshot } from './presence.js';

/** A room's presence version is kept this long after its last change or heartbeat (a day). */
const VERSION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * One change of a room, atomic: adds (or refreshes) entries, removes entries, then sweeps the expired
 * ones. A hash counts each user's entries, so that only a user's first entry in (`joined`) and last
 * one out (`left`) change the room; if anything changed, the room's version grows by exactly 1.
 * KEYS: the room's entries (sorted set, scored by expiry), its user counts (hash), its version.
 * ARGV: now (ms), the expiry of added entries, the TTL of the first two keys, the version's TTL, the
 * clock in microseconds (where a missing version starts), how many entries to add, those entries,
 * then the entries to remove. Entries are JSON `[socketId, userId, name]`.
 * Returns `[version, joined entries, left user ids]`, version 0 when nothing changed.
 */
const CHANGE_SCRIPT = `
local joined, left = {}, {}
local adds = tonumber(ARGV[6])
for i = 7, 6 + adds do
  if redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i]) == 1
    and redis.call('HINCRBY', KEYS[2], cjson.decode(ARGV[i])[2], 1) == 1 then
    table.insert(joined, ARGV[i])
  end
end
local function drop(entry)
  if redis.call('ZREM', KEYS[1], entry) == 0 then return end
  local userId = cjson.decode(entry)[2]
  if redis.call('HINCRBY', KEYS[2], userId, -1) <= 0 then
    redis.call('HDEL', KEYS[2], userId)
    table.insert(left, userId)
  end
end
for i = 7 + adds, #ARGV do drop(ARGV[i]) end
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])) do drop(entry) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local version = 0
if #joined + #left > 0 then
  redis.call('SET', KEYS[3], ARGV[5], 'NX')
  version = redis.call('INCR', KEYS[3])
end
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return {version, joined, left}
`;

/** What {@link CHANGE_SCRIPT} answers. */
type ScriptResult = [version: number, joined: string[], left: string[]];

/**
 * Options of {@link RedisPresence}.
 *
 * @example
 * ```ts
 * const presence = new RedisPresence(redis, { ttlMs: 15_000, heartbeatMs: 3000 } satisfies RedisPresenceOptions);
 * ```
 */
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
  /**
   * The clock of entries' expiries (and of a new room's first version), in ms; every node of a cluster
   * must share it. Tests inject one to expire a dead node's entries without waiting. @default Date.now
   */
  now?: () => number;
}

/**
 * Presence shared by every node through Redis: one sorted set per room whose members are the sockets
 * in it, scored by when they expire, a hash counting each user's sockets, and a version that grows by
 * 1 with each change of the room's users, all changed together by one script. Each node refreshes its
 * own entries every heartbeat, so a node that dies (even by SIGKILL) drops out within `ttlMs` +
 * `heartbeatMs`: at each heartbeat a node also sweeps the expired entries of its rooms and publishes
 * who left. A user with tabs on several nodes counts once. After Redis loses its data, the next
 * heartbeat writes it back (a change from a new version: clients see a gap and resync).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisPresence } from '@chatwire/server/redis';
 * const presence = new RedisPresence(new Redis('redis://127.0.0.1:6379'));
 * const chat = createChatServer({ httpServer, store, authenticate, presence });
 * ```
 */
export class RedisPresence implements Presence {
  private host: PresenceHost | undefined;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** roomId → socketId → the entry stored for it */
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
    this.logger = toLogger(options.logger);
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => void this.heartbeat(), options.heartbeatMs ?? 2000);
    this.timer.unref();
  }

  attach(host: PresenceHost): void {
    this.host = host;
  }

  async join(roomId: string, socketId: string, user: ChatUser): Promise<void> {
    const entry = JSON.stringify([socketId, user.userId, user.name]);
    this.published(roomId, await this.change(roomId, [entry], []));
    // Kept (and refreshed by heartbeats) only once written: a failed join leaves nothing to refresh.
    let sockets = this.local.get(roomId);
    if (sockets === undefined) {
      sockets = new Map();
      this.local.set(roomId, sockets);
    }
    sockets.set(socketId, entry);
  }

  async leave(roomId: string, socketId: string): Promise<void> {
    const sockets = this.local.get(roomId);
    const entry = sockets?.get(socketId);
    if (sockets === undefined || entry === undefined) return;
    sockets.delete(socketId);
    if (sockets.size === 0) this.local.delete(roomId);
    this.published(roomId, await this.change(roomId, [], [entry]));
  }

  async snapshot(roomId: string): Promise<PresenceSnapshot> {
    // One transaction: the list holds exactly the changes up to the version read with it (expired
    // entries included until a sweep removes them, which is a change of its own).
    const results = await this.redis.multi().get(this.versionKey(roomId)).zrange(this.key(roomId), 0, -1).exec();
    const [versionResult, entriesResult] = results ?? [];
    if (versionResult?.[0] || entriesResult?.[0]) throw versionResult?.[0] ?? entriesResult?.[0];
    const users = new Map<string, ChatUser>();
    for (const entry of (entriesResult?.[1] ?? []) as string[]) {
      const user = userOf(entry);
      if (!users.has(user.userId)) users.set(user.userId, user);
    }
    return { version: Number(versionResult?.[1] ?? 0), members: [...users.values()] };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const rooms = [...this.local];
    this.local.clear();
    if (rooms.length === 0 || this.redis.status !== 'ready') return;
    // Gone without telling the rooms (this node's server is closing): the others' clients see a gap and resync.
    const pipeline = this.redis.pipeline();
    for (const [roomId, sockets] of rooms)
      pipeline.eval(CHANGE_SCRIPT, ...this.scriptArgs(roomId, [], [...sockets.values()]));
    await pipeline.exec();
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

  /** Refreshes this node's entries and sweeps expired ones, room by room; publishes what changed. */
  private async refresh(): Promise<void> {
    const pipeline = this.redis.pipeline();
    const roomIds = [...this.local.keys()];
    for (const [roomId, sockets] of this.local)
      pipeline.eval(CHANGE_SCRIPT, ...this.scriptArgs(roomId, [...sockets.values()], []));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error)?.[0];
    if (failed) throw failed;
    results.forEach(([, result], i) => {
      const roomId = roomIds[i];
      if (roomId !== undefined) this.published(roomId, result as ScriptResult);
    });
  }

  /** Runs {@link CHANGE_SCRIPT} for one room. */
  private change(roomId: string, added: string[], removed: string[]): Promise<ScriptResult> {
    return this.redis.eval(CHANGE_SCRIPT, ...this.scriptArgs(roomId, added, removed)) as Promise<ScriptResult>;
  }

  /** The arguments of {@link CHANGE_SCRIPT} after the script itself. */
  private scriptArgs(roomId: string, added: string[], removed: string[]): [number, ...(string | number)[]] {
    const now = this.now();
    const keys = [this.key(roomId), this.usersKey(roomId), this.versionKey(roomId)];
    const expiries = [now, now + this.ttlMs, this.ttlMs * 2, VERSION_TTL_MS, now * 1000];
    return [keys.length, ...keys, ...expiries, added.length, ...added, ...removed];
  }

  /** Tells the room what a script changed, if anything. */
  private published(roomId: string, [version, joined, left]: ScriptResult): void {
    if (version === 0) return;
    this.host?.publish(roomId, { version, joined: joined.map(userOf), left });
  }

  private key(roomId: string): string {
    return `${this.prefix}presence:${roomId}`;
  }

  private usersKey(roomId: string): string {
    return `${this.prefix}presence-users:${roomId}`;
  }

  private versionKey(roomId: string): string {
    return `${this.prefix}presence-version:${roomId}`;
  }
}

/** The user of a stored entry. */
function userOf(entry: string): ChatUser {
  const [, userId, name] = JSON.parse(entry) as [string, string, string];
  return { userId, name };
}
