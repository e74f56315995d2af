import {
  type AnyChatContract,
  type ChatContract,
  type ChatUser,
  type ErrorPayload,
  isRetryable,
  MAX_REACTION_USERS,
  type Message,
  type MessageMeta,
  type MessageOf,
  type MessagePage,
  type MetaOf,
  type PresenceDiff,
  type ReactionChange,
  type Result,
  type RoomRemoval,
  type WideChatContract,
} from '@chatwire/protocol';
import { type Backoff, backoffDelayMs } from '../backoff.js';
import type { ChatwireClient } from '../create-client.js';
import { Emitter, type ListenerErrorHandler } from '../emitter.js';
import { gate } from '../gate.js';

/**
 * What {@link ChatRoom.send} takes besides plain text: a reply, mentions and the app's `meta`.
 *
 * @example
 * ```ts
 * const input: SendInput = { text: 'Agreed, @ana', replyTo: 41, mentions: ['ana'] };
 * await room.send(input);
 * ```
 */
export interface SendInput<Meta extends MessageMeta | undefined = MessageMeta | undefined> {
  text: string;
  /** The serial of the message (in this room) this one replies to: it must be there and not deleted. */
  replyTo?: number | undefined;
  /** Ids of the users it mentions (each once, at most `MAX_MENTIONS`, 25). */
  mentions?: string[] | undefined;
  /** The app's fields, of the contract's `meta` schema. */
  meta?: Meta | undefined;
}

/**
 * What {@link ChatRoom.edit} takes: the new text and, when given, the mentions and `meta` that replace the old.
 *
 * @example
 * ```ts
 * const edit: EditInput = { text: 'See you at 10, @ben', mentions: ['ben'] };
 * await room.edit(42, edit);
 * ```
 */
export interface EditInput<Meta extends MessageMeta | undefined = MessageMeta | undefined> {
  text: string;
  mentions?: string[] | undefined;
  meta?: Meta | undefined;
}

/**
 * A message this client sent that the server has not stored yet (`pending`), or refused (`failed`).
 *
 * @example
 * ```ts
 * const failed = room.messages.filter((m): m is LocalMessage => m.status === 'failed');
 * for (const message of failed) await room.retry(message.clientMessageId);
 * ```
 */
export interface LocalMessage<Meta extends MessageMeta | undefined = MessageMeta | undefined> extends SendInput<Meta> {
  status: 'pending' | 'failed';
  roomId: string;
  clientMessageId: string;
  author: ChatUser;
  createdAt: number;
  /** Why it failed, for `failed`. */
  error?: ErrorPayload;
}

/**
 * Options of {@link ChatRoom.search}.
 *
 * @example
 * ```ts
 * const options: SearchOptions = { limit: 20, before: 1200 };
 * const page = await room.search('invoice', options);
 * ```
 */
export interface SearchOptions {
  /** Most messages in the page (1–100). @default 20 */
  limit?: number;
  /** Only messages older than this serial: the `serial` of the last message of the previous page. */
  before?: number;
}

/**
 * A stored message (with its serial) or one of ours still on its way, in a chat of contract `C`.
 *
 * @example
 * ```ts
 * const list: readonly RoomMessage[] = room.messages;
 * const pending = list.filter((m) => m.status === 'pending').length;
 * ```
 */
export type RoomMessage<C extends AnyChatContract = ChatContract> =
  | (MessageOf<C> & { status: 'sent' })
  | LocalMessage<MetaOf<C>>;

/**
 * What a {@link ChatRoom} tells the app. `change` follows every other event: re-render on it.
 *
 * @example
 * ```ts
 * room.on('message', (message) => notify(message.text));
 * room.on('removed', (removal) => console.log('removed from', removal.roomId));
 * ```
 */
export type RoomEvents<M = MessageOf<ChatContract>> = {
  change: () => void;
  /** A message arrived (live, by sync or by filling a gap): once per serial. */
  message: (message: M) => void;
  /** A message was edited, deleted or reacted to. */
  updated: (message: M) => void;
  /** The other users typing now. */
  typing: (users: ChatUser[]) => void;
  presence: (members: ChatUser[]) => void;
  read: (marker: { userId: string; serial: number }) => void;
  /** History no longer covered what was missed while offline: the list was reloaded from the latest page. */
  discontinuity: () => void;
  /** The server no longer lets us in (after a reconnect): the room is left. */
  left: (error: ErrorPayload) => void;
  /**
   * A moderator removed us (kicked or banned, see `removal`): the room is left and not joined again
   * on reconnect; pending sends fail with `NOT_MEMBER`. After a kick, `client.join(id)` may join again.
   */
  removed: (removal: RoomRemoval) => void;
};

/** Settings a room gets from its {@link ChatClient}. */
export interface RoomSettings {
  sendTimeoutMs: number;
  pageSize: number;
  typingThrottleMs: number;
  typingIdleMs: number;
  typingExpiryMs: number;
  gapFillDelayMs: number;
  newId: () => string;
  now: () => number;
  onError: ListenerErrorHandler;
  /** Waits between send attempts refused for a passing reason. */
  backoff: Backoff;
}

/** What a room needs from the client that owns it. */
export interface RoomHost {
  readonly client: ChatwireClient<WideChatContract>;
  readonly user: ChatUser | undefined;
  readonly closed: boolean;
  /** Resolves when connected with every room re-joined and synced. */
  ready(): Promise<void>;
  forget(roomId: string): void;
  /** The user left the room (no longer a member). */
  left(roomId: string): void;
}

/** Most member changes a room holds while one before them is missing (past it, the resync brings them all). */
const MAX_PENDING_DIFFS = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One joined room: its messages in serial order without duplicates (our pending sends last), members,
 * typing users and read markers, kept up to date live and across reconnects. Its messages are typed
 * by the chat contract `C` (their `meta`).
 *
 * @example
 * ```ts
 * const joined = await chat.join('general');
 * if (joined.ok) {
 *   const room: ChatRoom = joined.data;
 *   room.on('change', () => render(room.messages));
 *   await room.send('hello');
 * }
 * ```
 */
export class ChatRoom<C extends AnyChatContract = ChatContract> extends Emitter<RoomEvents<MessageOf<C>>> {
  private readonly bySerial = new Map<number, Message>();
  private readonly pending = new Map<string, LocalMessage<MessageMeta | undefined>>();
  private readonly typingUsers = new Map<string, { user: ChatUser; timer: ReturnType<typeof setTimeout> }>();
  private readonly markers = new Map<string, number>();
  private memberList: ChatUser[] = [];
  /** How many members the room has: more than `memberList` holds when the server cut the list. */
  private memberTotal = 0;
  /** The version of `memberList` (-1: none yet on this connection; the join answer brings it). */
  private membersVersion = -1;
  /** Member changes past `membersVersion + 1`, by version: they wait for the ones before them. */
  private readonly pendingDiffs = new Map<number, PresenceDiff>();
  /** Set while a missing member change is given a moment before the list is fetched again. */
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  private sorted: RoomMessage<C>[] | undefined;
  /** Every serial from the oldest loaded one up to this one is here. */
  private synced = 0;
  /** The list starts here (the oldest loaded serial): an older message can only be a stale answer. */
  private floor = 1;
  /** Counts reloads after a discontinuity: a page asked for before one no longer fits the list. */
  private reloads = 0;
  /**
   * The server time of the last answer that covered this room (its first join, then each complete
   * sync): edits, deletes and reactions from then on are asked for at the next sync.
   */
  private coveredSince: number | undefined;
  /** The first page is in: until then live messages wait without moving `synced`. */
  private loaded = false;
  /** The first join completed: from then on every reconnect re-joins the room, loaded or not. */
  private everLoaded = false;
  private older = false;
  private loadingOlder: Promise<Result<boolean>> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  /** Gap fills refused in a row: the next wait grows with them. */
  private gapFillFailures = 0;
  private typingSentAt = 0;
  private typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
  private active = true;
  /** Opens when the server answered the first join (or the room was given up): sends wait for it. */
  private readonly firstJoined = gate();
  private removedBy: RoomRemoval | undefined;

  constructor(
    readonly id: string,
    private readonly host: RoomHost,
    private readonly settings: RoomSettings,
  ) {
    super(settings.onError);
  }

  /** Stored messages by serial, then our pending and failed sends in the order they were made. */
  get messages(): readonly RoomMessage<C>[] {
    if (this.sorted === undefined) {
      const stored = [...this.bySerial.values()]
        .sort((a, b) => a.serial - b.serial)
        .map((message) => ({ ...message, status: 'sent' as const }));
      // Checked against the contract's schema when received (or sent, for the pending ones).
      this.sorted = [...stored, ...this.pending.values()] as RoomMessage<C>[];
    }
    return this.sorted;
  }

  /** The room's members, each user once (in a very large room, as many as fit one answer: see `memberCount`). */
  get members(): readonly ChatUser[] {
    return this.memberList;
  }

  /** How many members the room has (more than `members` lists when the server cut the list). */
  get memberCount(): number {
    return this.memberTotal;
  }

  /** The other users typing now. */
  get typing(): readonly ChatUser[] {
    return [...this.typingUsers.values()].map((entry) => entry.user);
  }

  /** Read markers: userId → the last serial they read. */
  get readMarkers(): ReadonlyMap<string, number> {
    return this.markers;
  }

  /** The highest serial up to which this room has every message. */
  get lastSerial(): number {
    return this.synced;
  }

  /** Older history exists beyond the loaded messages (see {@link ChatRoom.loadOlder}). */
  get hasOlder(): boolean {
    return this.older;
  }

  /** False once left. */
  get joined(): boolean {
    return this.active;
  }

  /** Why a moderator removed us from the room (kicked or banned), once they did. */
  get removal(): RoomRemoval | undefined {
    return this.removedBy;
  }

  /** @internal True once the first page is in (the first join is complete); false again while a reload is unfinished. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** @internal True once the first join completed, even if a reload after a discontinuity has not finished since. */
  get wasLoaded(): boolean {
    return this.everLoaded;
  }

  /**
   * Sends a message: text, or `{ text, replyTo?, mentions?, meta? }`. The message shows at once as
   * `pending` (with its reply, mentions and meta); it is retried with the same `clientMessageId` (so
   * it is stored once) across timeouts and reconnects until the server answers; a refusal marks it
   * `failed` with the error. Resolves with the outcome.
   * @example room.send({ text: 'Look', replyTo: 12, mentions: ['ana'], meta: { attachments: [image] } });
   */
  send(message: string | SendInput<MetaOf<C>>): Promise<Result<MessageOf<C>>> {
    const user = this.host.user;
    const { text, ...extras } = typeof message === 'string' ? { text: message } : message;
    const local: LocalMessage<MessageMeta | undefined> = {
      status: 'pending',
      roomId: this.id,
      clientMessageId: this.settings.newId(),
      // Before the server said who we are (the first `session`), filled in when it does.
      author: user ?? { userId: '', name: '' },
      text,
      createdAt: this.settings.now(),
      ...extras,
    };
    this.pending.set(local.clientMessageId, local);
    this.stopTypingLocally();
    this.changed();
    return this.deliver(local);
  }

  /** Sends a failed message again (same clientMessageId). */
  retry(clientMessageId: string): Promise<Result<MessageOf<C>>> {
    const local = this.pending.get(clientMessageId);
    if (local === undefined || local.status !== 'failed') {
      return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'No failed message with that id' } });
    }
    local.status = 'pending';
    delete local.error;
    this.changed();
    return this.deliver(local);
  }

  /** Forgets a failed message. */
  discard(clientMessageId: string): void {
    if (this.pending.get(clientMessageId)?.status === 'failed') {
      this.pending.delete(clientMessageId);
      this.changed();
    }
  }

  /**
   * Edits one of our messages: new text, or `{ text, mentions?, meta? }` where the mentions and
   * `meta` given replace the old ones (left out, they stay).
   */
  async edit(serial: number, edit: string | EditInput<MetaOf<C>>): Promise<Result<MessageOf<C>>> {
    const changes = typeof edit === 'string' ? { text: edit } : edit;
    return this.applied(await this.host.client.request('message:edit', { roomId: this.id, serial, ...changes }));
  }

  /** Deletes a message (ours, or any when moderating). */
  async delete(serial: number): Promise<Result<MessageOf<C>>> {
    return this.applied(await this.host.client.request('message:delete', { roomId: this.id, serial }));
  }

  /** Adds our reaction, or removes it if we had it. */
  async react(serial: number, emoji: string): Promise<Result<MessageOf<C>>> {
    return this.applied(await this.host.client.request('reaction:toggle', { roomId: this.id, serial, emoji }));
  }

  /** Loads the page before the oldest loaded message; resolves with whether there is more. */
  loadOlder(limit = this.settings.pageSize): Promise<Result<boolean>> {
    // One page at a time: a second call while one is loading gets the same answer.
    this.loadingOlder ??= this.fetchOlder(limit).finally(() => {
      this.loadingOlder = undefined;
    });
    return this.loadingOlder;
  }

  private async fetchOlder(limit: number): Promise<Result<boolean>> {
    const oldest = this.oldestSerial();
    if (oldest === undefined || oldest <= 1) {
      this.older = false;
      return { ok: true, data: false };
    }
    const reloads = this.reloads;
    const result = await this.host.client.request('history:fetch', { roomId: this.id, before: oldest, limit });
    if (!result.ok) return result;
    // A discontinuity reloaded the list meanwhile: this page no longer joins onto it.
    if (reloads !== this.reloads) return { ok: true, data: this.older };
    this.older = result.data.hasMore;
    for (const message of result.data.messages) this.add(message);
    this.floor = Math.min(this.floor, result.data.messages[0]?.serial ?? this.floor);
    this.changed();
    return { ok: true, data: result.data.hasMore };
  }

  /**
   * Finds the room's messages holding every word of `query` (each as the start of a word, ignoring
   * case), newest first; `hasMore`: older ones match too, asked for with `before` set to the last
   * message's serial. Deleted messages are never found. The room's message list is left as it is.
   * @example
   * const page = await room.search('lunch friday');
   * const before = page.ok && page.data.hasMore ? page.data.messages.at(-1)?.serial : undefined;
   * if (before !== undefined) await room.search('lunch friday', { before });
   */
  search(query: string, options: SearchOptions = {}): Promise<Result<MessagePage>> {
    return this.host.client.request('history:search', { roomId: this.id, query, ...options });
  }

  /**
   * Says whether we are typing. Call it on every keystroke: it sends at most once per
   * `typingThrottleMs`, and sends "stopped" by itself after `typingIdleMs` without a call.
   */
  setTyping(isTyping: boolean): void {
    if (!isTyping) {
      this.stopTypingLocally(true);
      return;
    }
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTypingLocally(true), this.settings.typingIdleMs);
    const now = this.settings.now();
    if (now - this.typingSentAt < this.settings.typingThrottleMs) return;
    // Throttled only once it really went out: a keystroke while offline does not delay the next one.
    if (this.emitTyping(true)) this.typingSentAt = now;
  }

  /** Marks the room read up to `serial` (default: the last message). */
  async markRead(serial = this.synced): Promise<Result<Record<string, never>>> {
    if (serial < 1) return { ok: true, data: {} };
    return this.host.client.request('read:mark', { roomId: this.id, serial });
  }

  /** Leaves the room: the user is no longer a member of it, on any device (it leaves their room list). */
  async leave(): Promise<Result<Record<string, never>>> {
    this.deactivate();
    this.host.forget(this.id);
    const left = await this.host.client.request('room:leave', { roomId: this.id });
    if (left.ok) this.host.left(this.id);
    return left;
  }

  // ——— called by ChatClient ———

  /** @internal This room's part of a `sync`: the last serial held, and since when changes are asked for. */
  get syncCursor(): number | { after: number; updatedSince: number } {
    return this.coveredSince === undefined ? this.synced : { after: this.synced, updatedSince: this.coveredSince };
  }

  /**
   * @internal An answer started at `serverTime` covered the room: the first join's, or a complete
   * sync's. Never a re-join's after a reconnect: that one comes after the changes missed.
   */
  coveredAt(serverTime: number): void {
    this.coveredSince = serverTime;
  }

  /**
   * @internal After a (re)join: members, and the latest page on first join (or when a reload after a
   * discontinuity did not finish).
   */
  joinedWith(
    joined: {
      members: ChatUser[];
      membersTotal?: number | undefined;
      lastSerial: number;
      presenceVersion: number;
      readSerial: number;
      readMarkers: Record<string, number>;
    },
    firstJoin: boolean,
  ): Promise<Result<null>> | undefined {
    this.firstJoined.open();
    this.setMembers(joined.members, joined.presenceVersion, joined.membersTotal);
    this.setReadMarkers(joined.readMarkers, this.host.user?.userId, joined.readSerial);
    const { lastSerial } = joined;
    if (!firstJoin) return undefined;
    return this.loadLatest(lastSerial);
  }

  /**
   * @internal The sync answer for this room. False when a discontinuity's reload failed: the room is
   * then not loaded, and the next resume loads it again.
   */
  async synchronize({
    messages,
    discontinuity,
    updated,
  }: {
    messages: Message[];
    discontinuity: boolean;
    updated: Message[];
  }): Promise<boolean> {
    if (discontinuity) {
      this.reloads += 1;
      this.bySerial.clear();
      this.synced = 0;
      this.loaded = false;
      const reloaded = await this.loadLatest(0);
      this.emit('discontinuity');
      this.changed();
      return reloaded.ok;
    }
    for (const message of messages) this.receive(message, false);
    for (const message of updated) this.update(message);
    this.changed();
    return true;
  }

  /** @internal */
  receive(message: Message, notify = true): void {
    if (this.bySerial.has(message.serial)) return;
    // Older than the list: the answer to a request made before a discontinuity reloaded the list
    // (a retried send's ack, say). Listing it would leave a hole between it and the list.
    if (this.loaded && message.serial < this.floor) return;
    this.add(message);
    this.emit('message', message as MessageOf<C>);
    if (this.typingUsers.has(message.author.userId)) this.setRemoteTyping(message.author, false);
    if (this.loaded && message.serial > this.synced + 1) this.scheduleGapFill();
    if (notify) this.changed();
  }

  /** @internal */
  update(message: Message): void {
    const current = this.bySerial.get(message.serial);
    if (current === undefined) return;
    // Copies can arrive out of order (a sync answer after a live update, several nodes): the later
    // change wins; a sync may also replay a change already seen live.
    if ((current.updatedAt ?? 0) > (message.updatedAt ?? 0)) return;
    if (JSON.stringify(current) === JSON.stringify(message)) return;
    this.bySerial.set(message.serial, message);
    this.emit('updated', message as MessageOf<C>);
    this.changed();
  }

  /** @internal One reaction toggled: applied to our copy unless that copy changed later. */
  applyReaction({ serial, emoji, userId, added, count, updatedAt }: ReactionChange): void {
    const current = this.bySerial.get(serial);
    if (current === undefined || current.deletedAt !== undefined) return;
    if ((current.updatedAt ?? 0) > updatedAt) return;
    const users = Object.hasOwn(current.reactions, emoji) ? (current.reactions[emoji] ?? []) : [];
    // The server sends the first MAX_REACTION_USERS to react: a newcomer past them is only counted.
    let next = users.filter((id) => id !== userId);
    if (added) next = users.includes(userId) || users.length >= MAX_REACTION_USERS ? users : [...users, userId];
    const reactions = { ...current.reactions };
    const reactionCounts = { ...current.reactionCounts };
    if (count === 0) delete reactions[emoji];
    else reactions[emoji] = next;
    if (count > next.length) reactionCounts[emoji] = count;
    else delete reactionCounts[emoji];
    const { reactionCounts: _previous, ...rest } = current;
    const message: Message = { ...rest, reactions, updatedAt };
    if (Object.keys(reactionCounts).length > 0) message.reactionCounts = reactionCounts;
    this.bySerial.set(serial, message);
    this.emit('updated', message as MessageOf<C>);
    this.changed();
  }

  /** @internal The server said who we are: sends made before that get their author. */
  sessionStarted(user: ChatUser): void {
    let changed = false;
    for (const local of this.pending.values()) {
      if (local.author.userId !== '') continue;
      local.author = user;
      changed = true;
    }
    if (changed) this.changed();
  }

  /** @internal The connection dropped: the re-join answer brings the list again. */
  disconnected(): void {
    this.membersVersion = -1;
    this.pendingDiffs.clear();
    clearTimeout(this.resyncTimer);
    this.resyncTimer = undefined;
  }

  /** @internal A whole member list (a join answer), unless the one here is newer. */
  setMembers(members: ChatUser[], version: number, total = members.length): void {
    if (version < this.membersVersion) return;
    this.membersVersion = version;
    this.memberList = members;
    this.memberTotal = total;
    this.applyPendingDiffs();
    this.emit('presence', this.memberList);
    this.changed();
  }

  /**
   * @internal One change of the members. Applied when it follows the version here; a later one waits
   * for those before it (changes from several nodes can overtake each other) and, if they do not
   * come within `gapFillDelayMs`, the list is fetched again (a re-join). An older one is stale.
   */
  applyDiff(diff: PresenceDiff): void {
    if (diff.version <= this.membersVersion) return;
    // The resync brings every change before it: what waits need not be kept without bound.
    if (this.pendingDiffs.size >= MAX_PENDING_DIFFS) this.pendingDiffs.clear();
    this.pendingDiffs.set(diff.version, diff);
    // Before the join answer there is no list to apply it to: it waits for the answer.
    if (this.membersVersion < 0) return;
    const before = this.membersVersion;
    this.applyPendingDiffs();
    if (this.membersVersion === before) return;
    this.emit('presence', this.memberList);
    this.changed();
  }

  /** Applies the waiting changes that follow the list's version; a gap left waits a moment, then resyncs. */
  private applyPendingDiffs(): void {
    for (let diff = this.pendingDiffs.get(this.membersVersion + 1); diff !== undefined; ) {
      this.pendingDiffs.delete(diff.version);
      const left = new Set(diff.left);
      const joined = diff.joined ?? [];
      const ids = new Set(joined.map((user) => user.userId));
      this.memberList = [
        ...this.memberList.filter((user) => !left.has(user.userId) && !ids.has(user.userId)),
        ...joined,
      ];
      this.memberTotal = Math.max(0, this.memberTotal - left.size + joined.length);
      this.membersVersion = diff.version;
      diff = this.pendingDiffs.get(this.membersVersion + 1);
    }
    for (const version of this.pendingDiffs.keys())
      if (version <= this.membersVersion) this.pendingDiffs.delete(version);
    if (this.pendingDiffs.size === 0) {
      clearTimeout(this.resyncTimer);
      this.resyncTimer = undefined;
    } else {
      this.resyncTimer ??= setTimeout(() => {
        this.resyncTimer = undefined;
        void this.resyncMembers();
      }, this.settings.gapFillDelayMs);
    }
  }

  /** A member change stayed missing: the re-join answer (to us only) carries the whole list. */
  private async resyncMembers(): Promise<void> {
    if (!this.active || this.membersVersion < 0 || this.pendingDiffs.size === 0) return;
    const waiting = Math.max(...this.pendingDiffs.keys());
    const joined = await this.host.client.request('room:join', { roomId: this.id });
    // A failure (offline, rate limited) waits for the next change or the reconnect's re-join.
    if (!joined.ok || !this.active || this.membersVersion < 0) return;
    // The answer covers every change that was waiting: one it does not reach is dropped, so a server
    // behind its own changes cannot make this ask again and again.
    for (const version of this.pendingDiffs.keys()) if (version <= waiting) this.pendingDiffs.delete(version);
    this.setMembers(joined.data.members, joined.data.presenceVersion, joined.data.membersTotal);
  }

  /** @internal */
  setRemoteTyping(user: ChatUser, isTyping: boolean): void {
    if (user.userId === this.host.user?.userId) return;
    const entry = this.typingUsers.get(user.userId);
    if (entry !== undefined) clearTimeout(entry.timer);
    if (isTyping) {
      // The server clears typing flags itself; this only guards against a lost "stopped".
      const timer = setTimeout(() => this.setRemoteTyping(user, false), this.settings.typingExpiryMs);
      this.typingUsers.set(user.userId, { user, timer });
    } else if (entry === undefined) {
      return;
    } else {
      this.typingUsers.delete(user.userId);
    }
    this.emit('typing', this.typing as ChatUser[]);
    this.changed();
  }

  /**
   * @internal How many loaded messages after `readSerial` others wrote and did not delete; undefined
   * when the loaded messages do not reach back to `readSerial`.
   */
  unreadAfter(readSerial: number, userId: string): number | undefined {
    if (!this.loaded || readSerial + 1 < this.floor) return undefined;
    let unread = 0;
    for (const message of this.bySerial.values()) {
      if (message.serial > readSerial && message.author.userId !== userId && message.deletedAt === undefined)
        unread += 1;
    }
    return unread;
  }

  /** @internal The read markers a join answer carries (ours as `readSerial`, in case the list was cut). */
  setReadMarkers(readMarkers: Record<string, number>, userId: string | undefined, readSerial: number): void {
    const markers = userId === undefined || readSerial === 0 ? readMarkers : { ...readMarkers, [userId]: readSerial };
    for (const [id, serial] of Object.entries(markers)) this.setRead(id, serial);
  }

  /** @internal */
  setRead(userId: string, serial: number): void {
    if ((this.markers.get(userId) ?? 0) >= serial) return;
    this.markers.set(userId, serial);
    this.emit('read', { userId, serial });
    this.changed();
  }

  /** @internal The server refused to let us back in. */
  expel(error: ErrorPayload): void {
    this.deactivate();
    for (const local of this.pending.values()) this.fail(local, error);
    this.emit('left', error);
    this.changed();
  }

  /** @internal A moderator removed us (`room:removed`). */
  removed(removal: RoomRemoval): void {
    this.removedBy = removal;
    this.deactivate();
    const words = removal.kind === 'banned' ? 'Banned from the room' : 'Removed from the room';
    const error: ErrorPayload = { code: 'NOT_MEMBER', message: removal.reason ?? words };
    for (const local of this.pending.values()) this.fail(local, error);
    this.emit('removed', removal);
    this.changed();
  }

  /** @internal */
  deactivate(): void {
    this.active = false;
    this.firstJoined.open();
    clearTimeout(this.gapTimer);
    clearTimeout(this.resyncTimer);
    clearTimeout(this.typingIdleTimer);
    for (const { timer } of this.typingUsers.values()) clearTimeout(timer);
    this.typingUsers.clear();
  }

  private async loadLatest(lastSerial: number): Promise<Result<null>> {
    const result = await this.host.client.request('history:fetch', { roomId: this.id, limit: this.settings.pageSize });
    if (!result.ok) return result;
    this.older = result.data.hasMore;
    for (const message of result.data.messages) this.add(message);
    const newest = result.data.messages.at(-1)?.serial ?? 0;
    this.synced = Math.max(this.synced, newest, lastSerial);
    // The list starts at this page. Older messages that came in while it loaded are stale answers to
    // requests made before a discontinuity cleared the list: they would leave a hole, so drop them.
    this.floor = result.data.messages[0]?.serial ?? this.synced + 1;
    for (const serial of this.bySerial.keys()) if (serial < this.floor) this.bySerial.delete(serial);
    this.loaded = true;
    this.everLoaded = true;
    this.advance();
    if (this.hasGap()) this.scheduleGapFill();
    this.changed();
    return { ok: true, data: null };
  }

  private async deliver(local: LocalMessage<MessageMeta | undefined>): Promise<Result<MessageOf<C>>> {
    const { roomId, clientMessageId, text, replyTo, mentions, meta } = local;
    const payload = { roomId, clientMessageId, text, replyTo, mentions, meta };
    for (let attempt = 0; ; attempt++) {
      if (this.host.closed || !this.active) {
        return this.fail(local, { code: 'DISCONNECTED', message: 'The room was left or the client closed' });
      }
      await this.host.ready();
      // A send made while the first join is under way would reach the server before it: NOT_MEMBER.
      await this.firstJoined.promise;
      if (this.host.closed || !this.active) continue;
      const result = await this.host.client.request('message:send', payload, {
        timeoutMs: this.settings.sendTimeoutMs,
      });
      if (result.ok) {
        this.pending.delete(local.clientMessageId);
        this.receive(result.data, false);
        this.changed();
        return result as Result<MessageOf<C>>;
      }
      if (!isRetryable(result.error)) return this.fail(local, result.error);
      // Jittered and growing even when the server names a wait: pending sends do not retry in step.
      await sleep(backoffDelayMs(attempt, this.settings.backoff, result.error.retryAfterMs));
    }
  }

  private fail(local: LocalMessage<MessageMeta | undefined>, error: ErrorPayload): Result<MessageOf<C>> {
    local.status = 'failed';
    local.error = error;
    this.changed();
    return { ok: false, error };
  }

  private applied(result: Result<Message>): Result<MessageOf<C>> {
    if (result.ok) this.update(result.data);
    return result as Result<MessageOf<C>>;
  }

  private add(message: Message): void {
    this.bySerial.set(message.serial, message);
    if (message.author.userId === this.host.user?.userId) this.pending.delete(message.clientMessageId);
    this.advance();
    this.sorted = undefined;
  }

  /** Moves `synced` over every serial now present right after it. */
  private advance(): void {
    if (!this.loaded) return;
    while (this.bySerial.has(this.synced + 1)) this.synced += 1;
  }

  private oldestSerial(): number | undefined {
    let oldest: number | undefined;
    for (const serial of this.bySerial.keys()) if (oldest === undefined || serial < oldest) oldest = serial;
    return oldest;
  }

  /**
   * Live messages can overtake each other (several nodes, concurrent writers): give the missing ones
   * a moment to arrive, then fetch what is still missing.
   */
  private scheduleGapFill(delayMs = this.settings.gapFillDelayMs): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      void this.fillGap();
    }, delayMs);
  }

  private async fillGap(): Promise<void> {
    while (this.active && this.hasGap()) {
      const reloads = this.reloads;
      const result = await this.host.client.request('history:fetch', {
        roomId: this.id,
        after: this.synced,
        limit: 100,
      });
      // A discontinuity reloaded the list meanwhile: the reload fills its own gaps.
      if (reloads !== this.reloads) return;
      if (!result.ok) {
        // A refusal that will not pass is left to the next sync; a passing one is retried, later each time.
        if (!isRetryable(result.error)) return;
        const delayMs = backoffDelayMs(this.gapFillFailures++, this.settings.backoff, result.error.retryAfterMs);
        return this.scheduleGapFill(delayMs);
      }
      this.gapFillFailures = 0;
      const before = this.synced;
      for (const message of result.data.messages) this.receive(message, false);
      this.advance();
      this.changed();
      // No progress: history no longer holds the missing serial. The next sync reports a discontinuity.
      if (this.synced === before) return;
    }
  }

  private hasGap(): boolean {
    // Until the (re)loaded page is in, `synced` does not say where the list starts.
    if (!this.loaded) return false;
    for (const serial of this.bySerial.keys()) if (serial > this.synced) return true;
    return false;
  }

  private stopTypingLocally(tell = false): void {
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = undefined;
    const wasTyping = this.typingSentAt !== 0;
    this.typingSentAt = 0;
    if (tell && wasTyping) this.emitTyping(false);
  }

  /** Sends our typing flag when connected; false when it could not go out. */
  private emitTyping(isTyping: boolean): boolean {
    if (this.host.client.status !== 'connected' || !this.active) return false;
    this.host.client.emit('typing:set', { roomId: this.id, isTyping });
    return true;
  }

  private changed(): void {
    this.sorted = undefined;
    this.emit('change');
  }
}
