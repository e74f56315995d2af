import {
  type AnyChatContract,
  type AnyContract,
  type ChatContract,
  type ChatUser,
  type ChatwireError,
  chatContract,
  directRoomId,
  type ErrorPayload,
  isRetryable,
  type Result,
  type RoomRemoval,
  type RoomSummary,
  type WideChatContract,
} from '@chatwire/protocol';
import { type Backoff, backoffDelayMs } from '../backoff.js';
import {
  type ChatwireClient,
  type ChatwireClientOptions,
  type ConnectionStatus,
  createClient,
} from '../create-client.js';
import { Emitter, type ListenerErrorHandler, rethrowLater } from '../emitter.js';
import { gate } from '../gate.js';
import { ChatRoom, type RoomHost, type RoomSettings } from './chat-room.js';
import { RoomList } from './room-list.js';

/** One room's part of a `sync` request. */
type SyncCursor = ChatRoom['syncCursor_'];

/**
 * Options of {@link createChatClient}; other options go to the typed client and socket.io-client.
 *
 * @example
 * ```ts
 * const options: ChatClientOptions = { auth: { token }, pageSize: 30 };
 * const chat = createChatClient('https://chat.example.com', options);
 * ```
 */
export interface ChatClientOptions<C extends AnyChatContract = ChatContract>
  extends Omit<ChatwireClientOptions<C>, 'auth'> {
  /**
   * The chat contract the server was made with (`defineChatContract`): the app's message `meta`
   * schema, checked on both ends, and its own events, typed on {@link ChatClient.client}.
   * @default chatContract (no meta, no app events)
   */
  contract?: C;
  /** The handshake `auth` your server's authenticator reads, e.g. `{ token }`, or a function making it. */
  auth: Record<string, unknown> | (() => Record<string, unknown> | Promise<Record<string, unknown>>);
  /** How long one send attempt waits for its ack before trying again. @default 10000 */
  sendTimeoutMs?: number;
  /** Messages per history page. @default 50 */
  pageSize?: number;
  /** At most one "typing" per this many ms while typing. @default 2000 */
  typingThrottleMs?: number;
  /** Say "stopped typing" after this long without a keystroke. @default 4000 */
  typingIdleMs?: number;
  /** Forget another user's typing flag after this long without a refresh. @default 8000 */
  typingExpiryMs?: number;
  /** How long to wait for a missing serial before fetching it. @default 300 */
  gapFillDelayMs?: number;
  /**
   * How often to check, while connected, that no message was missed (one `sync`); each wait is
   * jittered by ±20 % so that clients that reconnected together do not sync together.
   * @default 30000
   */
  syncIntervalMs?: number;
  /**
   * The first wait before trying again after a passing failure (rate limited, storage unavailable,
   * timeout) of a send, or of the re-join and catch-up after a reconnect; it doubles per failure up to
   * `maxRetryDelayMs`, with full jitter, never shorter than the server's `retryAfterMs`, and starts
   * over after a success.
   * @default 1000
   */
  retryDelayMs?: number;
  /** The longest wait between such retries. @default 30000 */
  maxRetryDelayMs?: number;
  /** Random numbers in [0, 1) for the jitter of reconnects, retries and periodic syncs (for tests). @default Math.random */
  random?: () => number;
  /**
   * Called when one of your listeners (on the client, a room, or `client.client`) throws. The error
   * never stops the other listeners, reconnects, the catch-up after a reconnect, nor pending sends.
   * @default rethrown asynchronously, as an uncaught error (the browser console, Node's `uncaughtException`)
   */
  onError?: ListenerErrorHandler;
  /** Makes clientMessageIds. @default crypto.randomUUID */
  newId?: () => string;
  /** Clock. @default Date.now */
  now?: () => number;
}

/**
 * What a {@link ChatClient} tells the app.
 *
 * @example
 * ```ts
 * const stop = chat.on('status', (status: ConnectionStatus) => console.log(status));
 * chat.on('roomList', (rooms) => renderRooms(rooms));
 * ```
 */
export type ChatClientEvents = {
  /** The server told us who we are (after each connect). */
  session: (user: ChatUser) => void;
  /** The connection status changed (with the server's reason when refused or dropped). */
  status: (status: ConnectionStatus, error: ChatwireError | undefined) => void;
  /** Every room is re-joined and caught up after a (re)connect. */
  ready: () => void;
  /** A moderator removed us from a room (kicked or banned): it is left and not joined again on reconnect. */
  removed: (removal: RoomRemoval) => void;
  /** The user's room list ({@link ChatClient.roomList}) changed: a message, a read marker, a join, a leave, a refresh. */
  roomList: (rooms: readonly RoomSummary[]) => void;
};

/**
 * The chat client: rooms with ordered, de-duplicated message lists, sends that survive reconnects,
 * automatic catch-up (`sync`) after every reconnect, typing, presence and read markers. A subclass
 * may add members of any name not starting with `_` (those are the package's own).
 * @example
 * const chat = createChatClient('https://chat.example.com', { auth: { token } });
 * const joined = await chat.join('general');
 * if (joined.ok) joined.data.on('change', () => render(joined.data.messages));
 */
export class ChatClient<C extends AnyChatContract = ChatContract> extends Emitter<ChatClientEvents> {
  /**
   * The typed chatwire client underneath, typed by the contract: `client.request(...)`,
   * `client.emit(...)` and `client.on(...)` for the app's own events too.
   */
  readonly client: ChatwireClient<C>;
  /** The socket.io-client socket underneath (escape hatch); the same as `client.raw`. */
  readonly raw: ChatwireClient<C>['raw'];
  /** The same client, as the chat's own code sees it (any app's `meta`). */
  private readonly chat_: ChatwireClient<WideChatContract>;
  private readonly joinedRooms_ = new Map<string, ChatRoom<C>>();
  private readonly joining_ = new Map<string, Promise<Result<ChatRoom<C>>>>();
  private readonly settings_: RoomSettings;
  private readonly host_: RoomHost;
  private readonly roomSummaries_: RoomList;
  private me_: ChatUser | undefined;
  private gate_ = gate();
  private generation_ = 0;
  private isClosed_ = false;
  private syncTimer_: ReturnType<typeof setTimeout> | undefined;
  private readonly syncIntervalMs_: number;
  private readonly backoff_: Backoff;
  /** Resume attempts that failed in a row: the next wait grows with them. */
  private resumeFailures_ = 0;

  constructor(url: string, options: ChatClientOptions<C>) {
    const onError = options.onError ?? rethrowLater;
    super(onError);
    const {
      contract = chatContract,
      sendTimeoutMs,
      pageSize,
      typingThrottleMs,
      typingIdleMs,
      typingExpiryMs,
      gapFillDelayMs,
      syncIntervalMs,
      retryDelayMs,
      maxRetryDelayMs,
      random,
      newId,
      now,
      onError: _onError,
      ...clientOptions
    } = options;
    this.backoff_ = { baseMs: retryDelayMs ?? 1000, maxMs: maxRetryDelayMs ?? 30_000, random: random ?? Math.random };
    this.settings_ = {
      sendTimeoutMs: sendTimeoutMs ?? 10_000,
      pageSize: pageSize ?? 50,
      typingThrottleMs: typingThrottleMs ?? 2000,
      typingIdleMs: typingIdleMs ?? 4000,
      typingExpiryMs: typingExpiryMs ?? 8000,
      gapFillDelayMs: gapFillDelayMs ?? 300,
      newId: newId ?? randomId,
      now: now ?? Date.now,
      onError,
      backoff: this.backoff_,
    };
    this.chat_ = createClient(contract as AnyContract as WideChatContract, url, {
      ...(clientOptions as ChatwireClientOptions<WideChatContract>),
      random: this.backoff_.random,
      onError,
    });
    this.client = this.chat_ as unknown as ChatwireClient<C>;
    this.raw = this.client.raw;
    const self = this;
    this.host_ = {
      client: this.chat_,
      get user() {
        return self.me_;
      },
      get closed() {
        return self.isClosed_;
      },
      ready: () => this.gate_.promise,
      forget: (roomId) => this.joinedRooms_.delete(roomId),
      left: (roomId) => this.roomSummaries_.left_(roomId),
    };
    this.roomSummaries_ = new RoomList({
      client: this.chat_,
      get userId() {
        return self.me_?.userId;
      },
      joined: (roomId) => this.joinedRooms_.get(roomId),
      changed: (rooms) => this.emit('roomList', rooms),
    });
    this.syncIntervalMs_ = syncIntervalMs ?? 30_000;
    this.listen_();
    this.scheduleSync_();
  }

  /** Who we are, once the server said so. */
  get user(): ChatUser | undefined {
    return this.me_;
  }

  /** The connection status. */
  get status(): ConnectionStatus {
    return this.chat_.status;
  }

  /** The rooms we are in. */
  get rooms(): ReadonlyMap<string, ChatRoom<C>> {
    return this.joinedRooms_;
  }

  /**
   * The rooms the user is a member of (on any device, until they leave), newest activity first, with
   * unread counts: empty until {@link ChatClient.listRooms} is called, then kept live (`roomList` event)
   * and fetched again after each reconnect.
   */
  get roomList(): readonly RoomSummary[] {
    return this.roomSummaries_.rooms;
  }

  /** Fetches the user's rooms (every page of `rooms:list`) and from then on keeps {@link ChatClient.roomList} live. */
  listRooms(): Promise<Result<readonly RoomSummary[]>> {
    return this.roomSummaries_.fetch();
  }

  /**
   * Joins the direct (1:1) room of the signed-in user and `userId` (see `directRoomId`), once the
   * server said who we are. Fails with `VALIDATION_FAILED` for ids a direct room id cannot hold.
   */
  async openDirect(userId: string): Promise<Result<ChatRoom<C>>> {
    if (this.me_ === undefined) await this.ready();
    const me = this.me_ as ChatUser | undefined;
    if (me === undefined) return { ok: false, error: { code: 'DISCONNECTED', message: 'Not connected' } };
    let roomId: string;
    try {
      roomId = directRoomId(me.userId, userId);
    } catch (error) {
      return { ok: false, error: { code: 'VALIDATION_FAILED', message: (error as Error).message } };
    }
    return this.join(roomId);
  }

  /**
   * Joins a room (or returns it if already joined) with its latest page of history loaded. Calls
   * for a room whose join is under way get the same answer.
   */
  join(roomId: string): Promise<Result<ChatRoom<C>>> {
    const existing = this.joinedRooms_.get(roomId);
    if (existing !== undefined && !this.joining_.has(roomId)) return Promise.resolve({ ok: true, data: existing });
    let joining = this.joining_.get(roomId);
    if (joining === undefined) {
      joining = this.firstJoin_(roomId).finally(() => this.joining_.delete(roomId));
      this.joining_.set(roomId, joining);
    }
    return joining;
  }

  private async firstJoin_(roomId: string): Promise<Result<ChatRoom<C>>> {
    const room = new ChatRoom<C>(roomId, this.host_, this.settings_);
    // Registered first, so live messages that arrive while the join is answered are kept.
    this.joinedRooms_.set(roomId, room);
    const joined = await this.chat_.request('room:join', { roomId });
    if (!joined.ok) {
      this.forget_(room);
      return joined;
    }
    room.coveredAt_(joined.data.serverTime);
    const loaded = await room.joinedWith_(joined.data, true);
    if (loaded !== undefined && !loaded.ok) {
      this.forget_(room);
      return loaded;
    }
    this.roomSummaries_.joined_(room, joined.data.lastSerial, joined.data.readSerial);
    return { ok: true, data: room };
  }

  /** Resolves when connected with every room re-joined and caught up. */
  ready(): Promise<void> {
    return this.gate_.promise;
  }

  /**
   * Connects: needed only when made with `autoConnect: false` (otherwise the client connects at once
   * and reconnects by itself), or to try again once the status is `disconnected` (refused for good,
   * or given up reconnecting). Rooms joined before are re-joined and caught up. Does nothing when
   * connected or after `close()`.
   */
  connect(): void {
    if (this.isClosed_) return;
    this.chat_.connect();
  }

  /** Disconnects for good; pending sends fail with `DISCONNECTED`. A closed client cannot connect again. */
  close(): void {
    this.isClosed_ = true;
    clearTimeout(this.syncTimer_);
    for (const room of this.joinedRooms_.values()) room.deactivate_();
    this.chat_.close();
    this.gate_.open();
  }

  private forget_(room: ChatRoom<C>): void {
    room.deactivate_();
    if (this.joinedRooms_.get(room.id) === room) this.joinedRooms_.delete(room.id);
  }

  private listen_(): void {
    const client = this.chat_;
    client.on('session', ({ user }) => {
      this.me_ = user;
      for (const room of this.joinedRooms_.values()) room.sessionStarted_(user);
      this.emit('session', user);
    });
    client.on('message:new', (message) => {
      const room = this.joinedRooms_.get(message.roomId);
      room?.receive_(message);
      // The server moved the sender's read marker to their message.
      room?.setRead_(message.author.userId, message.serial);
      this.roomSummaries_.message_(message);
    });
    client.on('room:activity', ({ message }) => this.roomSummaries_.message_(message));
    client.on('message:updated', (message) => {
      this.joinedRooms_.get(message.roomId)?.update_(message);
      this.roomSummaries_.updated_(message);
    });
    client.on('reaction', (change) => this.joinedRooms_.get(change.roomId)?.applyReaction_(change));
    client.on('presence:diff', (diff) => this.joinedRooms_.get(diff.roomId)?.applyDiff_(diff));
    client.on('typing', ({ roomId, user, isTyping }) =>
      this.joinedRooms_.get(roomId)?.setRemoteTyping_(user, isTyping),
    );
    client.on('read', ({ roomId, userId, serial }) => {
      this.joinedRooms_.get(roomId)?.setRead_(userId, serial);
      if (userId === this.me_?.userId) this.roomSummaries_.read_(roomId, serial);
    });
    client.on('room:removed', (removal) => {
      this.roomSummaries_.left_(removal.roomId);
      const room = this.joinedRooms_.get(removal.roomId);
      if (room === undefined) return;
      this.forget_(room);
      room.removed_(removal);
      this.emit('removed', removal);
    });
    client.onStatus((status, error) => {
      if (status === 'connected') {
        void this.resume_(++this.generation_);
      } else {
        for (const room of this.joinedRooms_.values()) room.disconnected_();
        if (this.gate_.isOpen && !this.isClosed_) this.gate_ = gate();
      }
      this.emit('status', status, error);
    });
  }

  /** After each connect: re-join every room, then catch up with one `sync`, then let sends through. */
  private async resume_(generation: number): Promise<void> {
    const current = () => generation === this.generation_ && this.chat_.status === 'connected';
    /** The longest `retryAfterMs` the server asked for in this attempt. */
    let retryAfterMs = 0;
    const again = () => {
      // A passing failure (store down, timeout): try the whole resume again after a backoff, unless a reconnect did.
      if (!current()) return;
      const delayMs = backoffDelayMs(this.resumeFailures_++, this.backoff_, retryAfterMs);
      setTimeout(() => current() && void this.resume_(generation), delayMs);
    };
    const cursors: Record<string, SyncCursor> = {};
    let passingFailure = false;
    // Rooms still in their first join load their own latest page.
    const rooms = [...this.joinedRooms_.values()].filter((room) => room.wasLoaded_);
    await Promise.all(
      rooms.map(async (room) => {
        const joined = await this.chat_.request('room:join', { roomId: room.id });
        if (joined.ok && room.isLoaded_) {
          // Its serverTime is not the room's cursor: this answer comes after the changes missed.
          room.joinedWith_(joined.data, false);
          cursors[room.id] = room.syncCursor_;
        } else if (joined.ok) {
          // The reload after a discontinuity did not finish (cut by a drop, say): load the latest page again.
          const reloaded = await room.joinedWith_(joined.data, true);
          if (reloaded !== undefined && !reloaded.ok) passingFailure = true;
        } else if (isRetryable(joined.error)) {
          passingFailure = true;
          retryAfterMs = Math.max(retryAfterMs, joined.error.retryAfterMs ?? 0);
        } else {
          this.forget_(room);
          room.expel_(joined.error);
        }
      }),
    );
    if (!current()) return;
    if (passingFailure) return again();
    // A reload after a discontinuity that failed leaves its room unloaded: the next resume loads it.
    const caughtUp = await this.catchUp_(cursors);
    if (caughtUp !== true) {
      retryAfterMs = Math.max(retryAfterMs, caughtUp === false ? 0 : (caughtUp.retryAfterMs ?? 0));
      return again();
    }
    if (!current()) return;
    this.resumeFailures_ = 0;
    this.gate_.open();
    this.roomSummaries_.refresh();
    this.emit('ready');
  }

  /**
   * Catches these rooms (roomId → sync cursor) up with `sync`, asking again for the rooms whose answer
   * was cut (`hasMore`) until none is: true, or the refusal of a sync, or false when a reload it led
   * to failed or the server made no progress.
   */
  private async catchUp_(cursors: Record<string, SyncCursor>): Promise<true | false | ErrorPayload> {
    let rooms = cursors;
    let firstServerTime: number | undefined;
    let complete = true;
    /** The rooms the chain answered in full: their cursor moves to the chain's first serverTime. */
    const covered = new Set<ChatRoom<C>>();
    while (Object.keys(rooms).length > 0) {
      const synced = await this.chat_.request('sync', { rooms });
      if (!synced.ok) return synced.error;
      // The earliest answer's time: changes made while the parts came are asked for again next time.
      firstServerTime ??= synced.data.serverTime;
      const answers = Object.entries(synced.data.rooms);
      const outcomes = await Promise.all(
        answers.map(([roomId, gap]) => this.joinedRooms_.get(roomId)?.synchronize_(gap)),
      );
      if (outcomes.includes(false)) complete = false;
      const next: Record<string, SyncCursor> = {};
      let progress = false;
      for (const [roomId, gap] of answers) {
        progress ||= gap.messages.length > 0 || !gap.hasMore;
        const room = this.joinedRooms_.get(roomId);
        // The room keeps its cursor's updatedSince until its last part is in.
        if (gap.hasMore && room?.isLoaded_) next[roomId] = room.syncCursor_;
        else if (!gap.hasMore && room !== undefined) covered.add(room);
      }
      // A server that keeps answering "more" without sending any: try again at the next resume.
      if (!progress) return false;
      rooms = next;
    }
    if (firstServerTime !== undefined) for (const room of covered) room.coveredAt_(firstServerTime);
    return complete;
  }

  /**
   * Every `syncIntervalMs` while connected: a live message can be lost between server nodes (Redis
   * failing at the wrong moment) and only a later message would reveal the gap; this finds it anyway.
   */
  private periodicCatchUp_(): void {
    this.scheduleSync_();
    if (!this.gate_.isOpen || this.isClosed_) return;
    const cursors: Record<string, SyncCursor> = {};
    for (const room of this.joinedRooms_.values()) if (room.isLoaded_) cursors[room.id] = room.syncCursor_;
    void this.catchUp_(cursors);
  }

  /** The next periodic sync, `syncIntervalMs` ± 20 % from now. */
  private scheduleSync_(): void {
    if (this.isClosed_) return;
    const delayMs = this.syncIntervalMs_ * (0.8 + 0.4 * this.backoff_.random());
    this.syncTimer_ = setTimeout(() => this.periodicCatchUp_(), delayMs);
    // In Node, a client alone must not keep the process alive.
    (this.syncTimer_ as { unref?: () => void }).unref?.();
  }
}

/**
 * A random id for `clientMessageId`. `crypto.randomUUID` exists only in secure contexts (HTTPS or
 * localhost); `getRandomValues` everywhere.
 */
function randomId(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Makes a {@link ChatClient} connected to a chatwire chat server.
 * @example const chat = createChatClient(location.origin, { auth: { name: 'Ana', userId: 'ana' } });
 */
export function createChatClient<C extends AnyChatContract = ChatContract>(
  url: string,
  options: ChatClientOptions<C>,
): ChatClient<C> {
  return new ChatClient(url, options);
}
