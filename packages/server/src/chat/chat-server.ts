import { randomUUID } from 'node:crypto';
import {
  type AnyChatContract,
  type AnyContract,
  type ChatContract,
  type ChatUser,
  ChatwireError,
  type ClientEvent,
  type ClientEventName,
  chatContract,
  chatUserSchema,
  DIRECT_ROOM_PREFIX,
  directRoomUsers,
  ERROR_EVENT,
  type ErrorEventPayload,
  isChatwireError,
  MAX_PAGE_SIZE,
  MAX_UNREAD,
  type Message,
  type MessageOf,
  messageTextSchema,
  type PayloadInput,
  type PresenceDiff,
  parsePayload,
  type RoomRemoval,
  roomRemovalSchema,
  SYSTEM_AUTHOR,
  type WideChatContract,
} from '@chatwire/protocol';
import * as z from 'zod';
import { omit } from 'zod/mini';
import { attach, type ChatwireServer, type ChatwireServerOptions, closeIo } from '../create-server.js';
import type { RateLimit, RateLimiter } from '../limits/rate-limiter.js';
import { type Logger, toLogger } from '../logger.js';
import { ChatwireNamespace, type ChatwireNamespaceOptions, type Handler } from '../namespace.js';
import type { Operator } from '../operator.js';
import type { ChatwireSocket } from '../socket.js';
import type { Handshake, TypedIoNamespace, TypedIoServer } from '../types.js';
import { AnswerBudget, jsonBytes } from './answer-budget.js';
import type { ChatAuthenticator } from './authenticators.js';
import { measuredStore, roomCounts } from './chat-metrics.js';
import { clipReactions } from './clip-reactions.js';
import { publishDisconnect, publishesDisconnect } from './cluster-disconnect.js';
import { publishesServerSideEmit, publishServerSideEmit, reachesOtherNodes } from './cluster-emit.js';
import { type ConnectionCap, capConnections } from './connection-cap.js';
import { type ChatHook, type ChatHookName, HookRegistry } from './hooks.js';
import { type Limits, memoryLimits } from './limits.js';
import { MemoryPresence, type Presence, type PresenceChange } from './presence.js';
import { roomKey, userRoom } from './rooms.js';
import type { NewMessage, RestrictionKind, RoomRestriction, Store } from './store.js';

/**
 * What a user asks to do in a room, for {@link ChatServerOptions.authorizeRoom}.
 *
 * @example
 * ```ts
 * const needsAdmin: RoomAction[] = ['moderate'];
 * const authorizeRoom = ({ action, user }: RoomAuthorization) => !needsAdmin.includes(action) || admins.has(user.userId);
 * ```
 */
export type RoomAction = 'join' | 'send' | 'moderate';

/**
 * What {@link ChatServerOptions.authorizeRoom} is asked: may `user` do `action` in `roomId`?
 *
 * @example
 * ```ts
 * const authorizeRoom = ({ user, roomId, action }: RoomAuthorization) =>
 *   action === 'moderate' ? admins.has(user.userId) : !roomId.startsWith('staff-') || staff.has(user.userId);
 * createChatServer({ httpServer, store, authenticate, authorizeRoom });
 * ```
 */
export interface RoomAuthorization {
  user: ChatUser;
  roomId: string;
  action: RoomAction;
}

/**
 * A message about to be stored (sent or edited), for {@link ChatServerOptions.moderate}.
 *
 * @example
 * ```ts
 * const moderate = ({ text, kind }: MessageDraft) => (kind === 'send' && text.includes('http') ? { reject: 'No links' } : { text });
 * ```
 */
export interface MessageDraft {
  roomId: string;
  author: ChatUser;
  text: string;
  kind: 'send' | 'edit';
}

/**
 * Options of {@link ChatServer.kick}.
 *
 * @example
 * ```ts
 * const options: KickOptions = { reason: 'Calm down' };
 * await chat.kick('lobby', 'mallory', options);
 * ```
 */
export interface KickOptions {
  /** Told to the user (`room:removed`), at most 500 characters. */
  reason?: string;
}

/**
 * Options of {@link ChatServer.ban} and {@link ChatServer.mute}.
 *
 * @example
 * ```ts
 * const options: RestrictOptions = { until: Date.now() + 600_000, reason: 'Flooding' };
 * await chat.mute('lobby', 'mallory', options);
 * ```
 */
export interface RestrictOptions {
  /** When it ends by itself (ms since the epoch, by the server's `now` clock). @default never: until lifted */
  until?: number;
  /** Told to the user (`room:removed` for a ban, the refusal's message for both), at most 500 characters. */
  reason?: string;
}

/**
 * Options of {@link ChatServer.bans} and {@link ChatServer.mutes}.
 *
 * @example
 * ```ts
 * const options: RestrictionListOptions = { limit: 100 };
 * const bans = await chat.bans('lobby', options);
 * ```
 */
export interface RestrictionListOptions {
  /** Most entries returned (1–1000), oldest first. @default 1000 */
  limit?: number;
}

/**
 * The moderation verdict: store `text` (maybe rewritten), or refuse with a reason.
 *
 * @example
 * ```ts
 * const moderate = ({ text }: MessageDraft): ModerationResult =>
 *   text.includes('spam') ? { reject: 'Looks like spam' } : { text: text.replaceAll('darn', '****') };
 * ```
 */
export type ModerationResult = { text: string } | { reject: string };

/**
 * A message the server posts with {@link ChatServer.send}: what a client's `message:send` carries
 * but the room; `clientMessageId` is made up when not given (give one to make a retry idempotent).
 *
 * @example
 * ```ts
 * const message: ServerMessage = { text: 'Welcome!', clientMessageId: 'welcome-lobby' };
 * await chat.send('lobby', message, { as: 'system' });
 * ```
 */
export type ServerMessage<C extends AnyChatContract = ChatContract> = Omit<
  PayloadInput<ClientEvent<C, 'message:send'>>,
  'roomId' | 'clientMessageId'
> & {
  clientMessageId?: string;
};

/**
 * Who {@link ChatServer.send} posts as: a user (a bot, an import on someone's behalf) or the server itself.
 *
 * @example
 * ```ts
 * const options: ServerSendOptions = { as: { userId: 'bot', name: 'Bot' } };
 * await chat.send('lobby', { text: 'Build passed' }, options);
 * ```
 */
export interface ServerSendOptions {
  /** A user (moderated like a client's send), or `'system'` (not moderated; marked `system: true`). */
  as: ChatUser | 'system';
}

/**
 * Options of {@link createChatServer}; the generic server's options (httpServer, io, logger…) pass through.
 *
 * @example
 * ```ts
 * const options: ChatServerOptions = { httpServer, store: new MemoryStore(), authenticate: jwtAuthenticator({ secret }) };
 * const chat = createChatServer(options);
 * ```
 */
export interface ChatServerOptions<C extends AnyChatContract = ChatContract>
  extends Omit<ChatwireServerOptions<C>, 'authenticate'> {
  /**
   * The chat contract: the app's message `meta` schema and its own events beside the chat's, made
   * with `defineChatContract`. Give the client the same one.
   * @default chatContract (no meta, no app events)
   */
  contract?: C;
  /** Where messages and read markers live. */
  store: Store;
  /** Maps the handshake `auth` to the user; throw a ChatwireError (`UNAUTHORIZED`) to refuse. */
  authenticate: ChatAuthenticator;
  /**
   * May `user` do `action` in `roomId`? `moderate` means deleting other people's messages and
   * kicking, banning and muting users there (`room:moderate`).
   * @default join and send: yes; moderate: no
   */
  authorizeRoom?: (request: RoomAuthorization) => boolean | Promise<boolean>;
  /** Checks each message before it is stored: keep, rewrite or reject it. */
  moderate?: (draft: MessageDraft) => ModerationResult | Promise<ModerationResult>;
  /** Per-user limit on `message:send`, or false for none. @default { ratePerSecond: 10, burst: 20 } */
  rateLimit?: Partial<RateLimit> | false;
  /**
   * Per-user limit on every other request (joins, edits, reactions, history, sync, typing…), all the
   * user's connections together, so that no client can make the server fan out or query without
   * bound. Roomy enough for a reconnect that re-joins `maxRoomsPerSocket` rooms at once.
   * @default { ratePerSecond: 20, burst: 100 }
   */
  actionRateLimit?: Partial<RateLimit> | false;
  /** Most connections one user may have at once (all nodes together with shared `limits`), or false for no cap. @default 16 */
  maxConnectionsPerUser?: number | false;
  /** Where the limits above are counted. @default memoryLimits (this process); `redisCluster().limits` shares them across nodes */
  limits?: Limits;
  /** Most chat rooms one connection may be in. @default 50 */
  maxRoomsPerSocket?: number;
  /**
   * Most rooms one user may be a member of (kept in the store across connections until they leave);
   * a join past it is refused. @default 500
   */
  maxRoomsPerUser?: number;
  /**
   * Rooms with at most this many members tell the members' connections that have not joined them of
   * each new message (`room:activity`, for live unread counts); larger rooms do not (their counts
   * refresh with `rooms:list`). 0 turns it off. Each message then costs one store read of the members.
   * @default 100
   */
  activityMaxMembers?: number;
  /**
   * `dm:{a}:{b}` rooms (see `directRoomId`) admit only users `a` and `b`, checked before `authorizeRoom`
   * (which may still refuse them); false leaves such rooms to `authorizeRoom` alone.
   * @default true
   */
  directRooms?: boolean;
  /** A typing flag clears itself this long after its last refresh. @default 6000 */
  typingTimeoutMs?: number;
  /** Most messages one `sync` returns per room; a bigger gap answers `discontinuity: true`. @default 500 */
  syncLimit?: number;
  /**
   * Most bytes (JSON, UTF-8) of one `sync`, `history:fetch`, `history:search`, `room:join` or
   * `rooms:list` answer; a longer one is cut and says so (`hasMore`, `membersTotal`,
   * `readMarkersTotal`). An answer is longer only when a single message is.
   * @default 1048576 (1 MiB)
   */
  maxAnswerBytes?: number;
  /** Who is in which room. @default MemoryPresence (this process); RedisPresence for several nodes */
  presence?: Presence;
  /** Clock. @default Date.now */
  now?: () => number;
  /**
   * The namespace the chat runs on; clients connect to `url + namespace`.
   * @default '/'
   */
  namespace?: string;
  /**
   * A chatwire server to run the chat on, as its namespace `namespace`, beside the app's own
   * namespaces (then `httpServer` and `io` are the server's business, and `close()` leaves it open).
   * @default undefined (the chat makes its own, or uses `io`)
   */
  server?: ChatwireServer<AnyContract>;
}

type ChatSocket = ChatwireSocket<WideChatContract>;

const defaultAuthorize = ({ action }: RoomAuthorization) => action !== 'moderate';

/**
 * A self-hosted chat server over the chat contract: rooms, history, edit/delete, reactions, typing,
 * presence and read markers, with gapless serials per room and idempotent sends.
 * @example
 * const chat = createChatServer({ httpServer, store: new SqliteStore({ path: 'chat.db' }), authenticate: jwtAuthenticator({ secret }) });
 */
export class ChatServer<C extends AnyChatContract = ChatContract> {
  /**
   * The generic typed namespace the chat runs on (the server itself at `/`), typed by the contract:
   * `chat.server.on(...)` handles the app's own events, `chat.server.to(...).emit(...)` sends them.
   */
  readonly server: ChatwireNamespace<C>;
  /** The same namespace, as the chat's own handlers see it (any app's `meta`). */
  private readonly chat: ChatwireNamespace<WideChatContract>;
  /** The contract's `message:send` payload schema (with the app's `meta`), which {@link ChatServer.send} checks too. */
  private readonly sendPayload: WideChatContract['clientToServer']['message:send']['payload'];
  /** The socket.io server the chat made or was given with `io`: closed with the chat. */
  private readonly ownIo: TypedIoServer<WideChatContract> | undefined;
  /** The chatwire server given with `server`, which adds the namespaces of {@link ChatServer.of}. */
  private readonly host: ChatwireServer<AnyContract> | undefined;
  /** What a namespace added with {@link ChatServer.of} inherits: logger, clock, budgets. */
  private readonly namespaceDefaults: ChatwireNamespaceOptions<AnyContract>;
  private readonly store: Store;
  private readonly presence: Presence;
  private readonly logger: Logger;
  private readonly authorizeRoom: NonNullable<ChatServerOptions['authorizeRoom']>;
  private readonly moderate: ChatServerOptions['moderate'];
  private readonly limiter: RateLimiter | undefined;
  private readonly actionLimiter: RateLimiter | undefined;
  private readonly connectionCap: ConnectionCap | undefined;
  private readonly maxRoomsPerSocket: number;
  private readonly maxRoomsPerUser: number;
  private readonly activityMaxMembers: number;
  private readonly directRooms: boolean;
  private readonly typingTimeoutMs: number;
  private readonly syncLimit: number;
  private readonly maxAnswerBytes: number;
  private readonly now: () => number;
  private readonly hooks: HookRegistry;
  /** close() began: presence changes are no longer sent (the others' clients resync at the next one). */
  private closing = false;
  /** typing key → the flag's expiry timer and when it was last announced */
  private readonly typing = new Map<string, { timer: ReturnType<typeof setTimeout>; announcedAt: number }>();
  /**
   * socketId → the chat rooms it is in or joining (what presence must forget when it goes), each with
   * the last read marker this socket announced there (0: none).
   */
  private readonly socketRooms = new Map<string, Map<string, number>>();
  /** When the credentials of a handshake expire, from the authenticator, until the socket connects. */
  private readonly expiries = new WeakMap<Handshake, number>();
  /** socketId → the timer that disconnects it when its credentials expire; gone with the socket. */
  private readonly expiryTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: ChatServerOptions<C>) {
    const {
      contract = chatContract,
      store,
      authenticate,
      authorizeRoom,
      moderate,
      rateLimit,
      actionRateLimit,
      maxConnectionsPerUser,
      limits = memoryLimits,
      maxRoomsPerSocket,
      maxRoomsPerUser,
      activityMaxMembers,
      directRooms,
      typingTimeoutMs,
      syncLimit,
      maxAnswerBytes,
      presence,
      now,
      namespace = '/',
      server,
      ...serverOptions
    } = options;
    this.presence = presence ?? new MemoryPresence();
    this.logger = toLogger(serverOptions.logger);
    this.authorizeRoom = authorizeRoom ?? defaultAuthorize;
    this.moderate = moderate;
    this.now = now ?? Date.now;
    const { metrics } = serverOptions;
    this.store = metrics === undefined ? store : measuredStore(store, metrics, this.now, this.logger);
    metrics?.watchRooms?.(() => roomCounts(this.socketRooms));
    this.hooks = new HookRegistry(this.logger);
    this.limiter =
      rateLimit === false
        ? undefined
        : limits.rateLimiter('send', { ratePerSecond: 10, burst: 20, ...rateLimit }, this.now);
    this.actionLimiter =
      actionRateLimit === false
        ? undefined
        : limits.rateLimiter('action', { ratePerSecond: 20, burst: 100, ...actionRateLimit }, this.now);
    this.maxRoomsPerSocket = maxRoomsPerSocket ?? 50;
    this.maxRoomsPerUser = maxRoomsPerUser ?? 500;
    this.activityMaxMembers = activityMaxMembers ?? 100;
    this.directRooms = directRooms ?? true;
    this.typingTimeoutMs = typingTimeoutMs ?? 6000;
    this.syncLimit = syncLimit ?? 500;
    this.maxAnswerBytes = maxAnswerBytes ?? 1_048_576;
    this.namespaceDefaults = { ...serverOptions, now: this.now } as ChatwireNamespaceOptions<AnyContract>;
    const namespaceOptions: ChatwireNamespaceOptions<WideChatContract> = {
      ...(serverOptions as Omit<ChatwireServerOptions<WideChatContract>, 'authenticate'>),
      now: this.now,
      authenticate: async ({ auth, handshake }) => {
        const { expiresAt, ...user } = await authenticate({ auth, handshake });
        if (user.userId === SYSTEM_AUTHOR.userId) throw new ChatwireError('UNAUTHORIZED', 'Reserved user id');
        if (expiresAt !== undefined) {
          if (expiresAt <= this.now()) throw new ChatwireError('UNAUTHORIZED', 'Token expired');
          this.expiries.set(handshake, expiresAt);
        }
        return { user };
      },
    };
    if (server !== undefined) {
      if (serverOptions.httpServer !== undefined || serverOptions.io !== undefined) {
        throw new TypeError('createChatServer: give server, or httpServer/io, not both');
      }
      this.ownIo = undefined;
      this.host = server;
      this.chat = server.of(namespace, contract as AnyContract as WideChatContract, namespaceOptions);
    } else {
      const io = attach<WideChatContract>(serverOptions as ChatwireServerOptions<WideChatContract>);
      this.ownIo = io;
      this.host = undefined;
      this.chat = new ChatwireNamespace(
        io.of(namespace) as TypedIoNamespace<WideChatContract>,
        contract as AnyContract as WideChatContract,
        namespaceOptions,
      );
    }
    this.server = this.chat as unknown as ChatwireNamespace<C>;
    this.sendPayload = (contract as AnyContract as WideChatContract).clientToServer['message:send'].payload;
    if (maxConnectionsPerUser !== false) {
      const max = maxConnectionsPerUser ?? 16;
      this.connectionCap = limits.connectionCap(max);
      capConnections(this.chat, this.connectionCap, max, this.logger);
    }
    this.presence.attach({ publish: (roomId, change) => this.publishPresence(roomId, change) });
    this.wire();
  }

  /**
   * The socket.io namespace the chat runs on (escape hatch), typed by the chat contract; its `server`
   * is the socket.io `Server`.
   */
  get raw(): TypedIoNamespace<C> {
    return this.server.raw;
  }

  /**
   * Adds namespace `path` beside the chat, on the same socket.io server and port, with its own contract
   * and authentication, as {@link ChatwireServer.of} does; logger, clock and budgets default to the chat's.
   * @example const admin = chat.of('/admin', adminContract, { authenticate: ({ auth }) => checkAdmin(auth.token) });
   */
  of<N extends AnyContract>(
    path: string,
    contract: N,
    options: ChatwireNamespaceOptions<N> = {},
  ): ChatwireNamespace<N> {
    if (this.host !== undefined) return this.host.of(path, contract, options);
    const io = this.raw.server;
    if (!path.startsWith('/') || io._nsps.has(path)) {
      throw new TypeError(`chat.of: "${path}" is not a free namespace path (like "/admin")`);
    }
    return new ChatwireNamespace(io.of(path) as unknown as TypedIoNamespace<N>, contract, {
      ...this.namespaceDefaults,
      ...options,
    } as ChatwireNamespaceOptions<N>);
  }

  /**
   * Posts a message to room `roomId` through the path a client's `message:send` takes: the room's
   * next serial, the store, idempotency by `clientMessageId`, `message:new` to the room on every
   * node, the `message:created` hook. The server is trusted: no membership, `authorizeRoom` or rate
   * limit. As a user, `moderate` checks the text as it does a client's; as `'system'`, it does not,
   * and the message is marked `system: true` with author {@link SYSTEM_AUTHOR}. Rejects with
   * `VALIDATION_FAILED` (bad room id, text or user) or `UNAVAILABLE` (store away: call again with
   * the same `clientMessageId`), or as `moderate` refuses.
   * @example await chat.send('lobby', { text: 'Maintenance at 22:00' }, { as: 'system' });
   */
  async send(roomId: string, message: ServerMessage<C>, { as }: ServerSendOptions): Promise<MessageOf<C>> {
    const system = as === 'system';
    const author = system ? SYSTEM_AUTHOR : parsed(chatUserSchema, as, 'user of chat.send');
    if (!system && author.userId === SYSTEM_AUTHOR.userId) {
      throw new ChatwireError('VALIDATION_FAILED', `"${SYSTEM_AUTHOR.userId}" is reserved: send as 'system'`);
    }
    const payload = parsed(
      this.sendPayload,
      { ...message, roomId, clientMessageId: message.clientMessageId ?? randomUUID() },
      'message of chat.send',
    );
    const sent = await this.post({ ...payload, author: { userId: author.userId, name: author.name }, system });
    return sent as MessageOf<C>;
  }

  /**
   * Runs `hook` after each `name` event (see {@link ChatHooks}), once across a cluster, on the node
   * that made the change. Nobody waits for it: a slow hook holds up nothing, and a throw or a
   * rejection is logged. Returns the function that removes it.
   * @example chat.on('message:created', ({ message }) => index(message));
   */
  on<K extends ChatHookName>(name: K, hook: ChatHook<K>): () => void {
    return this.hooks.on(name, hook);
  }

  /**
   * The chat room's socket.io operator, for the chat's own events only. Not public: a `message:new`
   * sent by hand skips the store and breaks serials; the server posts with {@link ChatServer.send}.
   */
  private room(roomId: string): Operator<WideChatContract> {
    return this.chat.to(roomKey(roomId));
  }

  /**
   * Disconnects every socket of a user, on every node: this node's at once, the others' through the
   * adapter. Rejects with `UNAVAILABLE` when the adapter reports that the other nodes could not be
   * told (`redisCluster`'s does, while Redis is away: call again later); resolves once they were.
   * Await it or catch: a rejection nobody handles ends a Node process.
   */
  async disconnectUser(userId: string): Promise<void> {
    const room = userRoom(userId);
    const adapter = this.server.raw.adapter;
    if (!publishesDisconnect(adapter)) {
      this.server.in(room).disconnectSockets(true);
      return;
    }
    this.server.in(room).local.disconnectSockets(true);
    await this.dependency('Cluster', () => adapter[publishDisconnect](room, true));
  }

  /**
   * Removes a user from a room: every socket of theirs in it (or joining it), on every node, leaves it
   * and is told why (`room:removed`, kind `kicked`); presence forgets them at once. They may join
   * again (unlike {@link ChatServer.ban}). Rejects with `UNAVAILABLE` when the adapter reports that
   * the other nodes could not be told (then call again); `VALIDATION_FAILED` for a bad room id, user
   * id or reason.
   * @example await chat.kick('lobby', 'mallory', { reason: 'Calm down' });
   */
  async kick(roomId: string, userId: string, options: KickOptions = {}): Promise<void> {
    const notice = removal(roomId, 'kicked', options.reason === undefined ? {} : { reason: options.reason });
    await this.endMembership(notice.roomId, validUserId(userId));
    await this.removeEverywhere(notice, userId);
  }

  /**
   * Bans a user from a room until `until` (or until {@link ChatServer.unban}): kept in the store, so
   * every node refuses their `room:join` (`BANNED`), and kicks them out now as {@link ChatServer.kick}
   * does (`room:removed`, kind `banned`). A second ban replaces the first. Rejects with `UNAVAILABLE`
   * when the store or the other nodes cannot be reached.
   * @example await chat.ban('lobby', 'mallory', { until: Date.now() + 3_600_000, reason: 'Spam' });
   */
  async ban(roomId: string, userId: string, options: RestrictOptions = {}): Promise<void> {
    const notice = removal(roomId, 'banned', options);
    await this.restrict(notice, validUserId(userId), 'ban');
    await this.endMembership(notice.roomId, userId);
    await this.removeEverywhere(notice, userId);
  }

  /** Lifts a user's ban from a room (nothing when there is none). Rejects with `UNAVAILABLE` when the store is down. */
  async unban(roomId: string, userId: string): Promise<void> {
    await this.lift(roomId, userId, 'ban');
  }

  /**
   * Mutes a user in a room until `until` (or until {@link ChatServer.unmute}): on every node their
   * `message:send`, `message:edit` and `reaction:toggle` there are refused with `MUTED`; they stay in
   * the room and still read, mark read, delete their own messages and type. A second mute replaces
   * the first. Rejects with `UNAVAILABLE` when the store is down.
   */
  async mute(roomId: string, userId: string, options: RestrictOptions = {}): Promise<void> {
    await this.restrict(checked(roomId, options), validUserId(userId), 'mute');
  }

  /** Lifts a user's mute in a room (nothing when there is none). Rejects with `UNAVAILABLE` when the store is down. */
  async unmute(roomId: string, userId: string): Promise<void> {
    await this.lift(roomId, userId, 'mute');
  }

  /** The room's bans in force now (by the `now` clock), oldest first. */
  bans(roomId: string, options: RestrictionListOptions = {}): Promise<RoomRestriction[]> {
    return this.restrictionList(roomId, 'ban', options);
  }

  /** The room's mutes in force now (by the `now` clock), oldest first. */
  mutes(roomId: string, options: RestrictionListOptions = {}): Promise<RoomRestriction[]> {
    return this.restrictionList(roomId, 'mute', options);
  }

  /**
   * The room's current members, each user once however many tabs they have. Rejects with
   * `UNAVAILABLE` when presence cannot answer (Redis away).
   */
  async members(roomId: string): Promise<ChatUser[]> {
    return (await this.present(() => this.presence.snapshot(roomId))).members;
  }

  /** Stops accepting connections, disconnects everyone, then flushes and closes the store. */
  async close(): Promise<void> {
    for (const { timer } of this.typing.values()) clearTimeout(timer);
    this.typing.clear();
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
    this.closing = true;
    if (this.ownIo !== undefined) await closeIo(this.ownIo);
    await this.connectionCap?.close();
    await this.presence.close();
    await this.store.close();
  }

  private wire(): void {
    const server = this.chat;
    /** A handler behind the per-user action limit. */
    const action = <E extends ClientEventName<WideChatContract>>(event: E, handler: Handler<WideChatContract, E>) =>
      server.on(event, async (context) => {
        await throttle(this.actionLimiter, context.socket.data.user.userId, 'Too many requests');
        return handler(context);
      });

    // Another node kicked or banned someone: this node removes its own sockets of theirs.
    const nsp = this.server.raw as unknown as { on(event: string, listener: (...args: unknown[]) => void): void };
    nsp.on(REMOVE_EVENT, (notice: unknown, userId: unknown) => {
      const parsed = roomRemovalSchema.safeParse(notice);
      if (!parsed.success || typeof userId !== 'string' || this.closing) return;
      this.removeHere(parsed.data, userId).catch((error: unknown) => {
        this.logger.error('chatwire: removing a user from a room failed', { roomId: parsed.data.roomId, error });
      });
    });

    server.onConnection(async (socket) => {
      // Before any await: the disconnect cleanup below may run as soon as this hook yields.
      this.expireAt(socket, this.expiries.get(socket.handshake));
      await socket.join(userRoom(socket.data.user.userId));
      socket.emit('session', { user: socket.data.user });
    });

    server.onDisconnect(async ({ socket }) => {
      clearTimeout(this.expiryTimers.get(socket.id));
      this.expiryTimers.delete(socket.id);
      // Every room presence was told about, also one whose join was still under way.
      const rooms = this.socketRooms.get(socket.id) ?? new Map<string, number>();
      this.socketRooms.delete(socket.id);
      for (const roomId of rooms.keys()) {
        this.stopTyping(roomId, socket.data.user);
        // A failure is logged; the entry expires by itself where presence expires (RedisPresence).
        await this.present(() => this.presence.leave(roomId, socket.id)).catch(() => {});
      }
    });

    action('room:join', async ({ payload: { roomId }, socket }) => {
      const key = roomKey(roomId);
      const rejoin = socket.rooms.has(key);
      if (!rejoin) {
        let rooms = this.socketRooms.get(socket.id);
        if (rooms === undefined) {
          rooms = new Map();
          this.socketRooms.set(socket.id, rooms);
        }
        // Joins under way count too, so that concurrent joins cannot pass the cap.
        const underWay = rooms.has(roomId);
        if (!underWay && rooms.size >= this.maxRoomsPerSocket) {
          throw new ChatwireError('TOO_MANY_ROOMS', `A connection may be in at most ${this.maxRoomsPerSocket} rooms`);
        }
        if (!underWay) rooms.set(roomId, 0);
        try {
          this.checkDirect(socket.data.user, roomId);
          await this.authorize(socket.data.user, roomId, 'join');
          await this.unrestricted(socket.data.user, roomId, ['ban']);
          await this.addMembership(socket.data.user, roomId);
          await this.present(() => this.presence.join(roomId, socket.id, socket.data.user));
          // Gone meanwhile: its disconnect cleanup has run already, so undo this join here.
          if (!socket.connected) throw new ChatwireError('DISCONNECTED', 'The connection closed during the join');
          await socket.join(key);
          // Kicked or banned while the join was under way: that removal saw it, so undo it here too.
          if (!rooms.has(roomId)) throw new ChatwireError('NOT_MEMBER', `Removed from room "${roomId}"`);
        } catch (error) {
          if (!underWay) {
            rooms.delete(roomId);
            await socket.leave(key);
            await this.presence.leave(roomId, socket.id).catch(() => {});
          }
          throw error;
        }
      }
      const [lastSerial, { members, version }, markers] = await Promise.all([
        this.stored(() => this.store.lastSerial(roomId)),
        this.present(() => this.presence.snapshot(roomId)),
        this.stored(() => this.store.readMarkers(roomId)),
      ]);
      const readSerial = markers[socket.data.user.userId] ?? 0;
      // The room heard of a first join from presence (a diff); the joiner gets the whole list here only.
      const answer = { roomId, lastSerial, presenceVersion: version, serverTime: this.now(), readSerial };
      const withMembers = { ...answer, ...this.boundedMembers(members, { ...answer, readMarkers: {} }) };
      return { ...withMembers, ...this.boundedReadMarkers(markers, withMembers) };
    });

    action('room:leave', async ({ payload: { roomId }, socket }) => {
      if (socket.rooms.has(roomKey(roomId))) {
        await socket.leave(roomKey(roomId));
        this.socketRooms.get(socket.id)?.delete(roomId);
        this.stopTyping(roomId, socket.data.user);
        await this.present(() => this.presence.leave(roomId, socket.id));
      }
      // The user's decision: no longer a member on any device (also when this connection had not joined).
      await this.endMembership(roomId, socket.data.user.userId);
      return {};
    });

    action('rooms:list', async ({ payload: { after, limit }, socket }) => {
      const { userId } = socket.data.user;
      const found = await this.stored(() =>
        this.store.userRooms(userId, { after, limit: limit + 1, maxUnread: MAX_UNREAD }),
      );
      const page = found
        .slice(0, limit)
        .map((room) =>
          room.lastMessage === undefined ? room : { ...room, lastMessage: clipReactions(room.lastMessage) },
        );
      const budget = new AnswerBudget(this.maxAnswerBytes);
      budget.reserve(jsonBytes({ rooms: [], hasMore: false }));
      const rooms = budget.fit(page, 'start');
      return { rooms, hasMore: found.length > limit || rooms.length < page.length };
    });

    server.on('message:send', async ({ payload, socket }) => {
      const { roomId } = payload;
      const user = this.member(socket, roomId);
      const now = this.now();
      // One read: whether this is a retry, and the sender's restrictions.
      const { stored, restrictions } = await this.stored(() =>
        this.store.sendCheck(roomId, user.userId, payload.clientMessageId, now),
      );
      // A retry of a stored send answers the original: no token, and no policy run again on it.
      if (stored !== undefined) return clipReactions(stored);
      await throttle(this.limiter, user.userId, 'Sending too fast');
      await this.authorize(user, roomId, 'send');
      refuseRestricted(restrictions, ['ban', 'mute'], roomId, now);
      return this.post({ ...payload, author: user, system: false });
    });

    action('message:edit', async ({ payload: { roomId, serial, text, mentions, meta }, socket }) => {
      const user = this.member(socket, roomId);
      await this.unrestricted(user, roomId, ['ban', 'mute']);
      const message = await this.existing(roomId, serial);
      if (message.author.userId !== user.userId) throw new ChatwireError('FORBIDDEN', 'Only the author can edit');
      const moderated = await this.moderated({ roomId, author: user, text, kind: 'edit' });
      const changes = { mentions, meta };
      const edited = await this.stored(() => this.store.edit(roomId, serial, moderated, this.now(), changes));
      const sent = this.published(notDeleted(edited, roomId, serial), roomId, serial);
      this.hooks.fire('message:edited', { message: sent, by: user });
      return sent;
    });

    action('message:delete', async ({ payload: { roomId, serial }, socket }) => {
      const user = this.member(socket, roomId);
      const message = await this.stored(() => this.store.get(roomId, serial));
      if (message === undefined) throw notFound(roomId, serial);
      if (message.author.userId !== user.userId) await this.authorize(user, roomId, 'moderate');
      if (message.deletedAt !== undefined) return message;
      const at = this.now();
      const deleted = await this.stored(() => this.store.delete(roomId, serial, at));
      const sent = this.published(deleted, roomId, serial);
      // A delete that lost a race with another one finds the tombstone made by that one: one event.
      if (sent.deletedAt === at) this.hooks.fire('message:deleted', { message: sent, by: user });
      return sent;
    });

    action('reaction:toggle', async ({ payload: { roomId, serial, emoji }, socket }) => {
      const user = this.member(socket, roomId);
      await this.unrestricted(user, roomId, ['ban', 'mute']);
      await this.existing(roomId, serial);
      const at = this.now();
      const toggled = notDeleted(
        await this.stored(() => this.store.toggleReaction(roomId, serial, emoji, user.userId, at, MAX_REACTION_KEYS)),
        roomId,
        serial,
      );
      // The room gets what changed, not the whole message.
      const users = Object.hasOwn(toggled.reactions, emoji) ? (toggled.reactions[emoji] ?? []) : [];
      const added = users.includes(user.userId);
      this.room(roomId).emit('reaction', {
        roomId,
        serial,
        emoji,
        userId: user.userId,
        added,
        count: users.length,
        updatedAt: toggled.updatedAt ?? at,
      });
      const sent = clipReactions(toggled);
      this.hooks.fire('reaction:toggled', { message: sent, emoji, added, by: user });
      return sent;
    });

    action('history:fetch', async ({ payload: { roomId, before, after, limit }, socket }) => {
      this.member(socket, roomId);
      const page = await this.stored(() => this.store.history(roomId, { before, after, limit }));
      const budget = new AnswerBudget(this.maxAnswerBytes);
      budget.reserve(jsonBytes({ messages: [], hasMore: false }));
      // Cut on the far side of the cursor: the messages next to it stay, the rest is the next page.
      const messages = budget.fit(page.messages.map(clipReactions), after === undefined ? 'end' : 'start');
      return { messages, hasMore: page.hasMore || messages.length < page.messages.length };
    });

    action('history:search', async ({ payload: { roomId, query, before, limit }, socket }) => {
      this.member(socket, roomId);
      const page = await this.stored(() => this.store.search(roomId, query, { before, limit }));
      const budget = new AnswerBudget(this.maxAnswerBytes);
      budget.reserve(jsonBytes({ messages: [], hasMore: false }));
      // Newest first: the newest matches stay, the cut ones come with the next page (before the last sent).
      const messages = budget.fit(page.messages.map(clipReactions), 'start');
      return { messages, hasMore: page.hasMore || messages.length < page.messages.length };
    });

    action('sync', async ({ payload, socket }) => {
      const requested = Object.keys(payload.rooms);
      if (requested.length > this.maxRoomsPerSocket) {
        throw new ChatwireError('VALIDATION_FAILED', `sync takes at most ${this.maxRoomsPerSocket} rooms`);
      }
      // Taken first: a change made while this answer is put together is also in the next one.
      const serverTime = this.now();
      const roomIds = requested.filter((roomId) => socket.rooms.has(roomKey(roomId)));
      const budget = new AnswerBudget(this.maxAnswerBytes);
      budget.reserve(jsonBytes({ rooms: {}, serverTime }));
      for (const roomId of roomIds) budget.reserve(jsonBytes({ [roomId]: EMPTY_CATCH_UP }));
      const rooms: Record<string, RoomCatchUp> = {};
      for (const roomId of roomIds) {
        const cursor = payload.rooms[roomId] ?? 0;
        const { after, updatedSince } =
          typeof cursor === 'number' ? { after: cursor, updatedSince: undefined } : cursor;
        rooms[roomId] = await this.catchUp(roomId, after, updatedSince, budget);
      }
      return { rooms, serverTime };
    });

    action('read:mark', async ({ payload: { roomId, serial }, socket }) => {
      const user = this.member(socket, roomId);
      // A marker past the last message would stick there (markers never go back): cap it.
      const last = await this.stored(() => this.store.lastSerial(roomId));
      if (last === 0) return {};
      const capped = Math.min(serial, last);
      const marker = await this.stored(() => this.store.markRead(roomId, user.userId, capped));
      // Announced only when it moved: not when it was ahead already, nor again for the same serial.
      const rooms = this.socketRooms.get(socket.id);
      if (marker !== capped || rooms?.get(roomId) === marker) return {};
      rooms?.set(roomId, marker);
      const read = { roomId, userId: user.userId, serial: marker };
      this.room(roomId).emit('read', read);
      // The user's connections that have not joined the room keep its unread count right too.
      this.chat.to(userRoom(user.userId)).except(roomKey(roomId)).emit('read', read);
      return {};
    });

    action('room:moderate', async ({ payload: { roomId, userId, action: what, until, reason }, socket }) => {
      await this.authorize(socket.data.user, roomId, 'moderate');
      const options: RestrictOptions = {};
      if (until !== undefined) options.until = until;
      if (reason !== undefined) options.reason = reason;
      if (what === 'kick') await this.kick(roomId, userId, reason === undefined ? {} : { reason });
      else if (what === 'ban') await this.ban(roomId, userId, options);
      else if (what === 'mute') await this.mute(roomId, userId, options);
      else await this.lift(roomId, userId, what === 'unban' ? 'ban' : 'mute');
      return {};
    });

    action('typing:set', ({ payload: { roomId, isTyping }, socket }) => {
      const user = this.member(socket, roomId);
      if (!isTyping) return this.stopTyping(roomId, user);
      const key = typingKey(roomId, user.userId);
      const current = this.typing.get(key);
      clearTimeout(current?.timer);
      const timer = setTimeout(() => this.expireTyping(roomId, user), this.typingTimeoutMs);
      // A refresh is announced again only now and then, for receivers that expire flags themselves.
      const now = this.now();
      const announce = current === undefined || now - current.announcedAt >= this.typingTimeoutMs / 2;
      this.typing.set(key, { timer, announcedAt: announce ? now : (current?.announcedAt ?? now) });
      if (announce) this.room(roomId).emit('typing', { roomId, user, isTyping: true });
    });
  }

  /**
   * Disconnects `socket` at `expiresAt` (by the injected clock), first telling it why: a
   * `chatwire:error` about `connect`, code `UNAUTHORIZED`. Its client reconnects with fresh credentials.
   */
  private expireAt(socket: ChatSocket, expiresAt: number | undefined): void {
    if (expiresAt === undefined || !socket.connected) return;
    // setTimeout fires at once past 2^31 - 1 ms (~24.8 days): a longer wait is made of steps.
    const delayMs = Math.min(Math.max(0, expiresAt - this.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.expiryTimers.delete(socket.id);
      if (this.now() < expiresAt) return this.expireAt(socket, expiresAt);
      const notice: ErrorEventPayload = { event: 'connect', code: 'UNAUTHORIZED', message: 'Token expired' };
      (socket.raw as unknown as { emit(event: string, payload: ErrorEventPayload): void }).emit(ERROR_EVENT, notice);
      socket.disconnect(true);
    }, delayMs);
    this.expiryTimers.set(socket.id, timer);
  }

  /**
   * The messages after `last` and, given `updatedSince`, the ones up to `last` changed since; or a
   * discontinuity when history no longer covers the gap (or too much changed). Cut to what fits
   * `budget`: `hasMore` then says to ask again from the last serial sent (`updated` comes last).
   */
  private async catchUp(
    roomId: string,
    last: number,
    updatedSince: number | undefined,
    budget: AnswerBudget,
  ): Promise<RoomCatchUp> {
    const discontinuity = { ...EMPTY_CATCH_UP, discontinuity: true };
    const later = { ...EMPTY_CATCH_UP, hasMore: true };
    if (budget.exhausted) return later;
    // Read in pages, so that no more comes from the store than about what the answer can hold.
    const pageOf = (after: number, limit: number) => this.stored(() => this.store.history(roomId, { after, limit }));
    let page = await pageOf(last, Math.min(MAX_PAGE_SIZE, this.syncLimit));
    const newest = await this.stored(() => this.store.lastSerial(roomId));
    // More missing than syncLimit, or the client is ahead of the server (which lost data).
    if (newest - last > this.syncLimit || last > newest) return discontinuity;
    const messages: Message[] = [];
    for (let after = last; after < newest; ) {
      // History no longer holds the first missing message.
      if (page.messages[0]?.serial !== after + 1) return discontinuity;
      const fitted = budget.fit(page.messages.map(clipReactions), 'start');
      messages.push(...fitted);
      if (fitted.length < page.messages.length) return { ...later, messages };
      after = page.messages.at(-1)?.serial ?? newest;
      if (after < newest) page = await pageOf(after, Math.min(MAX_PAGE_SIZE, newest - after));
    }
    if (updatedSince === undefined) return { ...EMPTY_CATCH_UP, messages };
    // A margin, not what makes this right (the client's cursor is): the clocks of several nodes drift
    // a little, and a change stamped just before `serverTime` may be stored just after; twice is harmless.
    const since = updatedSince - CLOCK_SKEW_MS;
    const changed = await this.stored(() => this.store.updatedSince(roomId, since, this.syncLimit + 1));
    if (changed.length > this.syncLimit) return discontinuity;
    const updated = changed.filter((m) => m.serial <= last).map(clipReactions);
    if (budget.fitAll(updated)) return { ...EMPTY_CATCH_UP, messages, updated };
    // The changes do not fit even in an answer of their own: as when too many changed.
    if (budget.empty) return discontinuity;
    return { ...later, messages };
  }

  private member(socket: ChatSocket, roomId: string): ChatUser {
    if (!socket.rooms.has(roomKey(roomId))) throw new ChatwireError('NOT_MEMBER', `Join room "${roomId}" first`);
    return socket.data.user;
  }

  /** A `dm:` room admits its two users only (unless `directRooms: false`). */
  private checkDirect(user: ChatUser, roomId: string): void {
    if (!this.directRooms || !roomId.startsWith(DIRECT_ROOM_PREFIX)) return;
    if (!directRoomUsers(roomId)?.includes(user.userId)) {
      throw new ChatwireError('FORBIDDEN', `Room "${roomId}" is a direct room of other users`);
    }
  }

  /** Makes the user a member of the room (kept across connections), within `maxRoomsPerUser`. */
  private async addMembership(user: ChatUser, roomId: string): Promise<void> {
    const added = await this.stored(() => this.store.addMember(roomId, user.userId, this.maxRoomsPerUser));
    if (added === 'full') {
      throw new ChatwireError(
        'TOO_MANY_ROOMS',
        `A user may be a member of at most ${this.maxRoomsPerUser} rooms: leave one to join "${roomId}"`,
      );
    }
  }

  /**
   * After a message was stored (which moved the sender's read marker to it, as in Stream and Ably):
   * members whose connections have not joined the room hear of it (`room:activity`) when the room is
   * small. The send already succeeded: a failure here is logged, not answered.
   */
  private async sent(message: Message): Promise<void> {
    if (this.activityMaxMembers === 0) return;
    const { roomId } = message;
    try {
      const members = await this.store.roomMembers(roomId, this.activityMaxMembers + 1);
      if (members.length === 0 || members.length > this.activityMaxMembers) return;
      this.chat
        .to(members.map(userRoom))
        .except(roomKey(roomId))
        .emit('room:activity', { roomId, message: clipReactions(message) });
    } catch (error) {
      this.logger.warn('chatwire: after-send bookkeeping failed', { roomId, error });
    }
  }

  private async authorize(user: ChatUser, roomId: string, action: RoomAction): Promise<void> {
    if (!(await this.authorizeRoom({ user, roomId, action }))) {
      throw new ChatwireError('FORBIDDEN', `Not allowed to ${action} in room "${roomId}"`);
    }
  }

  private async moderated(draft: MessageDraft): Promise<string> {
    if (this.moderate === undefined) return draft.text;
    const verdict = await this.moderate(draft);
    if ('reject' in verdict) throw new ChatwireError('MODERATED', verdict.reject);
    // A rewrite must still be a valid text: the hook's bug is the sender's INTERNAL, and nothing is stored.
    const text = parsePayload(messageTextSchema, verdict.text, 'text returned by moderate()');
    if (!text.ok) throw new TypeError(text.error.message, { cause: text.error });
    return text.data;
  }

  /**
   * Stores and delivers a new message: the one path of a client's `message:send` and of
   * {@link ChatServer.send}, from moderation on. A retry of a stored `clientMessageId` answers the
   * original, and nothing is delivered or announced again.
   */
  private async post(draft: Omit<NewMessage, 'createdAt'>): Promise<Message> {
    const { roomId, author, system } = draft;
    const text = system ? draft.text : await this.moderated({ roomId, author, text: draft.text, kind: 'send' });
    // A reply names a message of this room that is there and not deleted.
    if (draft.replyTo !== undefined) await this.existing(roomId, draft.replyTo);
    const { message, created } = await this.stored(() => this.store.append({ ...draft, text, createdAt: this.now() }));
    if (created) {
      this.room(roomId).emit('message:new', message);
      await this.sent(message);
    }
    if (!system) this.stopTyping(roomId, author);
    // A retry answers the stored original, reactions and all.
    const sent = clipReactions(message);
    if (created) this.hooks.fire('message:created', { message: sent, by: system ? 'system' : author });
    return sent;
  }

  /** Ends the user's membership of the room (kept across sessions), as a kick or a ban does. */
  private async endMembership(roomId: string, userId: string): Promise<void> {
    await this.stored(() => this.store.removeMember(roomId, userId));
  }

  /** Refuses with `BANNED` or `MUTED` when the user has a restriction of one of `kinds` in the room. */
  private async unrestricted(user: ChatUser, roomId: string, kinds: RestrictionKind[]): Promise<void> {
    const now = this.now();
    const found = await this.stored(() => this.store.restrictionsOf(roomId, user.userId, now));
    refuseRestricted(found, kinds, roomId, now);
  }

  /** Stores a ban or mute of `userId` in the room, with its reason and end. */
  private async restrict({ roomId, reason, until }: Moderation, userId: string, kind: RestrictionKind) {
    const restriction: RoomRestriction = { roomId, userId, kind, createdAt: this.now() };
    if (until !== undefined) restriction.until = until;
    if (reason !== undefined) restriction.reason = reason;
    await this.stored(() => this.store.restrict(restriction));
  }

  private async lift(roomId: string, userId: string, kind: RestrictionKind): Promise<void> {
    const room = validRoomId(roomId);
    const user = validUserId(userId);
    await this.stored(() => this.store.lift(room, user, kind));
  }

  private async restrictionList(
    roomId: string,
    kind: RestrictionKind,
    { limit = MAX_RESTRICTIONS_LISTED }: RestrictionListOptions,
  ): Promise<RoomRestriction[]> {
    const room = validRoomId(roomId);
    const max = valid(z.number().int().min(1).max(MAX_RESTRICTIONS_LISTED), limit, 'limit');
    return this.stored(() => this.store.restrictions(room, kind, this.now(), max));
  }

  /**
   * Removes `userId` from the notice's room on this node, then tells the other nodes to do the same
   * (they hear {@link REMOVE_EVENT}); `UNAVAILABLE` when the adapter reports they could not be told.
   */
  private async removeEverywhere(notice: RoomRemoval, userId: string): Promise<void> {
    await this.removeHere(notice, userId);
    const adapter = this.server.raw.adapter;
    const packet = [REMOVE_EVENT, notice, userId];
    if (publishesServerSideEmit(adapter)) {
      await this.dependency('Cluster', () => adapter[publishServerSideEmit](packet));
    } else if (reachesOtherNodes(adapter)) {
      (this.server.raw as unknown as { serverSideEmit(...args: unknown[]): void }).serverSideEmit(...packet);
    }
  }

  /**
   * This node's part of a kick or ban: each socket of the user in the room (or joining it) is told
   * (`room:removed`), leaves it, stops typing there, and presence forgets it.
   */
  private async removeHere(notice: RoomRemoval, userId: string): Promise<void> {
    const { roomId } = notice;
    const ids = [...(this.chat.raw.adapter.rooms.get(userRoom(userId)) ?? [])];
    await Promise.all(
      ids.map(async (id) => {
        const socket = this.chat.raw.sockets.get(id);
        const rooms = this.socketRooms.get(id);
        if (socket === undefined || rooms?.has(roomId) !== true) return;
        // A join under way sees this and undoes itself.
        rooms.delete(roomId);
        socket.emit('room:removed', notice);
        await socket.leave(roomKey(roomId));
        this.stopTyping(roomId, socket.data.user);
        // A failure is logged; the entry expires by itself where presence expires (RedisPresence).
        await this.present(() => this.presence.leave(roomId, id)).catch(() => {});
      }),
    );
  }

  /** A message that exists and is not deleted. */
  private async existing(roomId: string, serial: number): Promise<Message> {
    const message = await this.stored(() => this.store.get(roomId, serial));
    return notDeleted(message, roomId, serial);
  }

  private published(message: Message | undefined, roomId: string, serial: number): Message {
    if (message === undefined) throw notFound(roomId, serial);
    const sent = clipReactions(message);
    this.room(roomId).emit('message:updated', sent);
    return sent;
  }

  /** The typing timer: a throw here would be uncaught (and end the process), so it is logged. */
  private expireTyping(roomId: string, user: ChatUser): void {
    try {
      this.stopTyping(roomId, user);
    } catch (error) {
      this.logger.error('chatwire: typing timer failed', { roomId, error });
    }
  }

  private stopTyping(roomId: string, user: ChatUser): void {
    const key = typingKey(roomId, user.userId);
    const entry = this.typing.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.typing.delete(key);
    this.room(roomId).emit('typing', { roomId, user, isTyping: false });
  }

  /** As many of `members` as fit the answer budget beside `rest`, with the total when cut. */
  private boundedMembers(members: ChatUser[], rest: object): { members: ChatUser[]; membersTotal?: number } {
    const budget = new AnswerBudget(this.maxAnswerBytes);
    budget.reserve(jsonBytes({ ...rest, members: [], membersTotal: members.length }));
    const kept = budget.fit(members, 'start');
    return kept.length < members.length ? { members: kept, membersTotal: members.length } : { members };
  }

  /** As many of the room's read markers as fit the answer budget beside `rest` (the highest first), with the total when cut. */
  private boundedReadMarkers(
    markers: Record<string, number>,
    rest: object,
  ): { readMarkers: Record<string, number>; readMarkersTotal?: number } {
    const entries = Object.entries(markers).sort((a, b) => b[1] - a[1]);
    const budget = new AnswerBudget(this.maxAnswerBytes);
    budget.reserve(jsonBytes({ ...rest, readMarkers: {}, readMarkersTotal: entries.length }));
    const kept = budget.fit(entries, 'start');
    const readMarkers = Object.fromEntries(kept);
    return kept.length < entries.length ? { readMarkers, readMarkersTotal: entries.length } : { readMarkers };
  }

  /** Sends the room one change of its members: O(change) bytes to each member, never the whole list. */
  private publishPresence(roomId: string, { version, joined, left }: PresenceChange): void {
    if (this.closing) return;
    const diff: PresenceDiff = { roomId, version };
    if (joined.length > 0) diff.joined = joined;
    if (left.length > 0) diff.left = left;
    try {
      this.room(roomId).emit('presence:diff', diff);
    } catch (error) {
      this.logger.warn('chatwire: presence could not be published', { roomId, error });
    }
    // Presence reports each change on the one node that made it: so do these.
    for (const user of joined) this.hooks.fire('member:joined', { roomId, user });
    for (const userId of left) this.hooks.fire('member:left', { roomId, userId });
  }

  /** Runs a store call; a failure of the store itself becomes a retryable `UNAVAILABLE`. */
  private stored<T>(call: () => Promise<T>): Promise<T> {
    return this.dependency('Storage', call);
  }

  /** Runs a presence call; a failure (Redis down, say) becomes a retryable `UNAVAILABLE`. */
  private present<T>(call: () => Promise<T>): Promise<T> {
    return this.dependency('Presence', call);
  }

  private async dependency<T>(name: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isChatwireError(error)) throw error;
      this.logger.error(`chatwire: ${name.toLowerCase()} call failed`, { error });
      throw new ChatwireError('UNAVAILABLE', `${name} is unavailable, try again`, { retryAfterMs: 1000, cause: error });
    }
  }
}

const typingKey = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;

/** The server-side event (between nodes) that removes a user from a room: `(notice, userId)`. */
const REMOVE_EVENT = 'chatwire:remove';

/** Most bans or mutes one {@link ChatServer.bans} / {@link ChatServer.mutes} call returns. */
const MAX_RESTRICTIONS_LISTED = 1000;

/** Throws `BANNED` or `MUTED` for the first of `found` (in force at `now`) of one of `kinds`. */
function refuseRestricted(found: RoomRestriction[], kinds: RestrictionKind[], roomId: string, now: number): void {
  const restriction = found.find((r) => kinds.includes(r.kind));
  if (restriction === undefined) return;
  const words = restriction.kind === 'ban' ? `Banned from room "${roomId}"` : `Muted in room "${roomId}"`;
  const message = restriction.reason === undefined ? words : `${words}: ${restriction.reason}`;
  const retryAfterMs = restriction.until === undefined ? undefined : restriction.until - now;
  throw new ChatwireError(restriction.kind === 'ban' ? 'BANNED' : 'MUTED', message, { retryAfterMs });
}

/** `value` as `schema` parses it, or a `VALIDATION_FAILED` ChatwireError naming `what`. */
function valid<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = parsePayload(schema, value, what);
  if (!parsed.ok) throw parsed.error;
  return parsed.data;
}

/** The room, reason and end of a kick, ban or mute. */
type Moderation = Omit<RoomRemoval, 'kind'>;

const moderationSchema = omit(roomRemovalSchema, { kind: true });

const validRoomId = (roomId: string): string => valid(roomRemovalSchema.shape.roomId, roomId, 'room id');

const validUserId = (userId: string): string => valid(chatUserSchema.shape.userId, userId, 'user id');

/** The room id, reason and end of a kick, ban or mute, or a `VALIDATION_FAILED` ChatwireError for a bad one. */
function checked(roomId: string, { reason, until }: RestrictOptions): Moderation {
  const moderation: Moderation = { roomId };
  if (reason !== undefined) moderation.reason = reason;
  if (until !== undefined) moderation.until = until;
  return valid(moderationSchema, moderation, 'moderation arguments');
}

/** The `room:removed` notice of a kick or ban, checked. */
function removal(roomId: string, kind: RoomRemoval['kind'], options: RestrictOptions): RoomRemoval {
  return { ...checked(roomId, options), kind };
}

/** Most different reactions one message may carry (each is sent with every update of it). */
const MAX_REACTION_KEYS = 50;

/** The longest delay setTimeout takes as given. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How far `sync` looks back before a room's `updatedSince`, for clock differences between nodes. */
const CLOCK_SKEW_MS = 5000;

/** One room's part of a `sync` answer. */
type RoomCatchUp = { messages: Message[]; discontinuity: boolean; updated: Message[]; hasMore: boolean };

/** A room's part of a `sync` answer with nothing in it, `false`s where the longer word is sent. */
const EMPTY_CATCH_UP: RoomCatchUp = { messages: [], discontinuity: false, updated: [], hasMore: false };

/** Takes a token for `key`, or refuses with `RATE_LIMITED` and when to come back. */
async function throttle(limiter: RateLimiter | undefined, key: string, message: string): Promise<void> {
  const waitMs = (await limiter?.take(key)) ?? 0;
  if (waitMs > 0) throw new ChatwireError('RATE_LIMITED', message, { retryAfterMs: waitMs });
}

/** `value` parsed by `schema`, or a throw of the `VALIDATION_FAILED` error. */
function parsed<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const outcome = parsePayload(schema, value, what);
  if (!outcome.ok) throw outcome.error;
  return outcome.data;
}

function notFound(roomId: string, serial: number): ChatwireError {
  return new ChatwireError('NOT_FOUND', `No message ${serial} in room "${roomId}"`);
}

/** The message, unless it is missing (`NOT_FOUND`) or deleted (`CONFLICT`, also when deleted meanwhile). */
function notDeleted(message: Message | undefined, roomId: string, serial: number): Message {
  if (message === undefined) throw notFound(roomId, serial);
  if (message.deletedAt !== undefined) throw new ChatwireError('CONFLICT', 'The message was deleted');
  return message;
}

/**
 * Makes a {@link ChatServer}.
 * @example
 * const chat = createChatServer({ httpServer, store: new MemoryStore(), authenticate: jwtAuthenticator({ secret }) });
 */
export function createChatServer<C extends AnyChatContract = ChatContract>(
  options: ChatServerOptions<C>,
): ChatServer<C> {
  return new ChatServer(options);
}
