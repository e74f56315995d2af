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
  private readonly bySerial_ = new Map<number, Message>();
  private readonly pending_ = new Map<string, LocalMessage<MessageMeta | undefined>>();
  private readonly typingUsers_ = new Map<string, { user: ChatUser; timer: ReturnType<typeof setTimeout> }>();
  private readonly markers_ = new Map<string, number>();
  private memberList_: ChatUser[] = [];
  /** How many members the room has: more than `memberList` holds when the server cut the list. */
  private memberTotal_ = 0;
  /** The version of `memberList` (-1: none yet on this connection; the join answer brings it). */
  private membersVersion_ = -1;
  /** Member changes past `membersVersion + 1`, by version: they wait for the ones before them. */
  private readonly pendingDiffs_ = new Map<number, PresenceDiff>();
  /** Set while a missing member change is given a moment before the list is fetched again. */
  private resyncTimer_: ReturnType<typeof setTimeout> | undefined;
  private sorted_: RoomMessage<C>[] | undefined;
  /** Every serial from the oldest loaded one up to this one is here. */
  private synced_ = 0;
  /** The list starts here (the oldest loaded serial): an older message can only be a stale answer. */
  private floor_ = 1;
  /** Counts reloads after a discontinuity: a page asked for before one no longer fits the list. */
  private reloads_ = 0;
  /**
   * The server time of the last answer that covered this room (its first join, then each complete
   * sync): edits, deletes and reactions from then on are asked for at the next sync.
   */
  private coveredSince_: number | undefined;
  /** The first page is in: until then live messages wait without moving `synced`. */
  private loaded_ = false;
  /** The first join completed: from then on every reconnect re-joins the room, loaded or not. */
  private everLoaded_ = false;
  private older_ = false;
  private loadingOlder_: Promise<Result<boolean>> | undefined;
  private gapTimer_: ReturnType<typeof setTimeout> | undefined;
  /** Gap fills refused in a row: the next wait grows with them. */
  private gapFillFailures_ = 0;
  private typingSentAt_ = 0;
  private typingIdleTimer_: ReturnType<typeof setTimeout> | undefined;
  private active_ = true;
  /** Opens when the server answered the first join (or the room was given up): sends wait for it. */
  private readonly firstJoined_ = gate();
  private removedBy_: RoomRemoval | undefined;

  readonly id: string;
  private readonly host_: RoomHost;
  private readonly settings_: RoomSettings;

  constructor(id: string, host: RoomHost, settings: RoomSettings) {
    super(settings.onError);
    this.id = id;
    this.host_ = host;
    this.settings_ = settings;
  }

  /** Stored messages by serial, then our pending and failed sends in the order they were made. */
  get messages(): readonly RoomMessage<C>[] {
    if (this.sorted_ === undefined) {
      const stored = [...this.bySerial_.values()]
        .sort((a, b) => a.serial - b.serial)
        .map((message) => ({ ...message, status: 'sent' as const }));
      // Checked against the contract's schema when received (or sent, for the pending ones).
      this.sorted_ = [...stored, ...this.pending_.values()] as RoomMessage<C>[];
    }
    return this.sorted_;
  }

  /** The room's members, each user once (in a very large room, as many as fit one answer: see `memberCount`). */
  get members(): readonly ChatUser[] {
    return this.memberList_;
  }

  /** How many members the room has (more than `members` lists when the server cut the list). */
  get memberCount(): number {
    return this.memberTotal_;
  }

  /** The other users typing now. */
  get typing(): readonly ChatUser[] {
    return [...this.typingUsers_.values()].map((entry) => entry.user);
  }

  /** Read markers: userId → the last serial they read. */
  get readMarkers(): ReadonlyMap<string, number> {
    return this.markers_;
  }

  /** The highest serial up to which this room has every message. */
  get lastSerial(): number {
    return this.synced_;
  }

  /** Older history exists beyond the loaded messages (see {@link ChatRoom.loadOlder}). */
  get hasOlder(): boolean {
    return this.older_;
  }

  /** False once left. */
  get joined(): boolean {
    return this.active_;
  }

  /** Why a moderator removed us from the room (kicked or banned), once they did. */
  get removal(): RoomRemoval | undefined {
    return this.removedBy_;
  }

  /** @internal True once the first page is in (the first join is complete); false again while a reload is unfinished. */
  get isLoaded_(): boolean {
    return this.loaded_;
  }

  /** @internal True once the first join completed, even if a reload after a discontinuity has not finished since. */
  get wasLoaded_(): boolean {
    return this.everLoaded_;
  }

  /**
   * Sends a message: text, or `{ text, replyTo?, mentions?, meta? }`. The message shows at once as
   * `pending` (with its reply, mentions and meta); it is retried with the same `clientMessageId` (so
   * it is stored once) across timeouts and reconnects until the server answers; a refusal marks it
   * `failed` with the error. Resolves with the outcome.
   * @example room.send({ text: 'Look', replyTo: 12, mentions: ['ana'], meta: { attachments: [image] } });
   */
  send(message: string | SendInput<MetaOf<C>>): Promise<Result<MessageOf<C>>> {
    const user = this.host_.user;
    const { text, ...extras } = typeof message === 'string' ? { text: message } : message;
    const local: LocalMessage<MessageMeta | undefined> = {
      status: 'pending',
      roomId: this.id,
      clientMessageId: this.settings_.newId(),
      // Before the server said who we are (the first `session`), filled in when it does.
      author: user ?? { userId: '', name: '' },
      text,
      createdAt: this.settings_.now(),
      ...extras,
    };
    this.pending_.set(local.clientMessageId, local);
    this.stopTypingLocally_();
    this.changed_();
    return this.deliver_(local);
  }

  /** Sends a failed message again (same clientMessageId). */
  retry(clientMessageId: string): Promise<Result<MessageOf<C>>> {
    const local = this.pending_.get(clientMessageId);
    if (local === undefined || local.status !== 'failed') {
      return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'No failed message with that id' } });
    }
    local.status = 'pending';
    delete local.error;
    this.changed_();
    return this.deliver_(local);
  }

  /** Forgets a failed message. */
  discard(clientMessageId: string): void {
    if (this.pending_.get(clientMessageId)?.status === 'failed') {
      this.pending_.delete(clientMessageId);
      this.changed_();
    }
  }

  /**
   * Edits one of our messages: new text, or `{ text, mentions?, meta? }` where the mentions and
   * `meta` given replace the old ones (left out, they stay).
   */
  async edit(serial: number, edit: string | EditInput<MetaOf<C>>): Promise<Result<MessageOf<C>>> {
    const changes = typeof edit === 'string' ? { text: edit } : edit;
    return this.applied_(await this.host_.client.request('message:edit', { roomId: this.id, serial, ...changes }));
  }

  /** Deletes a message (ours, or any when moderating). */
  async delete(serial: number): Promise<Result<MessageOf<C>>> {
    return this.applied_(await this.host_.client.request('message:delete', { roomId: this.id, serial }));
  }

  /** Adds our reaction, or removes it if we had it. */
  async react(serial: number, emoji: string): Promise<Result<MessageOf<C>>> {
    return this.applied_(await this.host_.client.request('reaction:toggle', { roomId: this.id, serial, emoji }));
  }

  /** Loads the page before the oldest loaded message; resolves with whether there is more. */
  loadOlder(limit = this.settings_.pageSize): Promise<Result<boolean>> {
    // One page at a time: a second call while one is loading gets the same answer.
    this.loadingOlder_ ??= this.fetchOlder_(limit).finally(() => {
      this.loadingOlder_ = undefined;
    });
    return this.loadingOlder_;
  }

  private async fetchOlder_(limit: number): Promise<Result<boolean>> {
    const oldest = this.oldestSerial_();
    if (oldest === undefined || oldest <= 1) {
      this.older_ = false;
      return { ok: true, data: false };
    }
    const reloads = this.reloads_;
    const result = await this.host_.client.request('history:fetch', { roomId: this.id, before: oldest, limit });
    if (!result.ok) return result;
    // A discontinuity reloaded the list meanwhile: this page no longer joins onto it.
    if (reloads !== this.reloads_) return { ok: true, data: this.older_ };
    this.older_ = result.data.hasMore;
    for (const message of result.data.messages) this.add_(message);
    this.floor_ = Math.min(this.floor_, result.data.messages[0]?.serial ?? this.floor_);
    this.changed_();
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
    return this.host_.client.request('history:search', { roomId: this.id, query, ...options });
  }

  /**
   * Says whether we are typing. Call it on every keystroke: it sends at most once per
   * `typingThrottleMs`, and sends "stopped" by itself after `typingIdleMs` without a call.
   */
  setTyping(isTyping: boolean): void {
    if (!isTyping) {
      this.stopTypingLocally_(true);
      return;
    }
    clearTimeout(this.typingIdleTimer_);
    this.typingIdleTimer_ = setTimeout(() => this.stopTypingLocally_(true), this.settings_.typingIdleMs);
    const now = this.settings_.now();
    if (now - this.typingSentAt_ < this.settings_.typingThrottleMs) return;
    // Throttled only once it really went out: a keystroke while offline does not delay the next one.
    if (this.emitTyping_(true)) this.typingSentAt_ = now;
  }

  /** Marks the room read up to `serial` (default: the last message). */
  async markRead(serial = this.synced_): Promise<Result<Record<string, never>>> {
    if (serial < 1) return { ok: true, data: {} };
    return this.host_.client.request('read:mark', { roomId: this.id, serial });
  }

  /** Leaves the room: the user is no longer a member of it, on any device (it leaves their room list). */
  async leave(): Promise<Result<Record<string, never>>> {
    this.deactivate_();
    this.host_.forget(this.id);
    const left = await this.host_.client.request('room:leave', { roomId: this.id });
    if (left.ok) this.host_.left(this.id);
    return left;
  }

  // ——— called by ChatClient ———

  /** @internal This room's part of a `sync`: the last serial held, and since when changes are asked for. */
  get syncCursor_(): number | { after: number; updatedSince: number } {
    return this.coveredSince_ === undefined ? this.synced_ : { after: this.synced_, updatedSince: this.coveredSince_ };
  }

  /**
   * @internal An answer started at `serverTime` covered the room: the first join's, or a complete
   * sync's. Never a re-join's after a reconnect: that one comes after the changes missed.
   */
  coveredAt_(serverTime: number): void {
    this.coveredSince_ = serverTime;
  }

  /**
   * @internal After a (re)join: members, and the latest page on first join (or when a reload after a
   * discontinuity did not finish).
   */
  joinedWith_(
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
    this.firstJoined_.open();
    this.setMembers_(joined.members, joined.presenceVersion, joined.membersTotal);
    this.setReadMarkers_(joined.readMarkers, this.host_.user?.userId, joined.readSerial);
    const { lastSerial } = joined;
    if (!firstJoin) return undefined;
    return this.loadLatest_(lastSerial);
  }

  /**
   * @internal The sync answer for this room. False when a discontinuity's reload failed: the room is
   * then not loaded, and the next resume loads it again.
   */
  async synchronize_({
    messages,
    discontinuity,
    updated,
  }: {
    messages: Message[];
    discontinuity: boolean;
    updated: Message[];
  }): Promise<boolean> {
    if (discontinuity) {
      this.reloads_ += 1;
      this.bySerial_.clear();
      this.synced_ = 0;
      this.loaded_ = false;
      const reloaded = await this.loadLatest_(0);
      this.emit('discontinuity');
      this.changed_();
      return reloaded.ok;
    }
    for (const message of messages) this.receive_(message, false);
    for (const message of updated) this.update_(message);
    this.changed_();
    return true;
  }

  /** @internal */
  receive_(message: Message, notify = true): void {
    if (this.bySerial_.has(message.serial)) return;
    // Older than the list: the answer to a request made before a discontinuity reloaded the list
    // (a retried send's ack, say). Listing it would leave a hole between it and the list.
    if (this.loaded_ && message.serial < this.floor_) return;
    this.add_(message);
    this.emit('message', message as MessageOf<C>);
    if (this.typingUsers_.has(message.author.userId)) this.setRemoteTyping_(message.author, false);
    if (this.loaded_ && message.serial > this.synced_ + 1) this.scheduleGapFill_();
    if (notify) this.changed_();
  }

  /** @internal */
  update_(message: Message): void {
    const current = this.bySerial_.get(message.serial);
    if (current === undefined) return;
    // Copies can arrive out of order (a sync answer after a live update, several nodes): the later
    // change wins; a sync may also replay a change already seen live.
    if ((current.updatedAt ?? 0) > (message.updatedAt ?? 0)) return;
    if (JSON.stringify(current) === JSON.stringify(message)) return;
    this.bySerial_.set(message.serial, message);
    this.emit('updated', message as MessageOf<C>);
    this.changed_();
  }

  /** @internal One reaction toggled: applied to our copy unless that copy changed later. */
  applyReaction_({ serial, emoji, userId, added, count, updatedAt }: ReactionChange): void {
    const current = this.bySerial_.get(serial);
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
    this.bySerial_.set(serial, message);
    this.emit('updated', message as MessageOf<C>);
    this.changed_();
  }

  /** @internal The server said who we are: sends made before that get their author. */
  sessionStarted_(user: ChatUser): void {
    let changed = false;
    for (const local of this.pending_.values()) {
      if (local.author.userId !== '') continue;
      local.author = user;
      changed = true;
    }
    if (changed) this.changed_();
  }

  /** @internal The connection dropped: the re-join answer brings the list again. */
  disconnected_(): void {
    this.membersVersion_ = -1;
    this.pendingDiffs_.clear();
    clearTimeout(this.resyncTimer_);
    this.resyncTimer_ = undefined;
  }

  /** @internal A whole member list (a join answer), unless the one here is newer. */
  setMembers_(members: ChatUser[], version: number, total = members.length): void {
    if (version < this.membersVersion_) return;
    this.membersVersion_ = version;
    this.memberList_ = members;
    this.memberTotal_ = total;
    this.applyPendingDiffs_();
    this.emit('presence', this.memberList_);
    this.changed_();
  }

  /**
   * @internal One change of the members. Applied when it follows the version here; a later one waits
   * for those before it (changes from several nodes can overtake each other) and, if they do not
   * come within `gapFillDelayMs`, the list is fetched again (a re-join). An older one is stale.
   */
  applyDiff_(diff: PresenceDiff): void {
    if (diff.version <= this.membersVersion_) return;
    // The resync brings every change before it: what waits need not be kept without bound.
    if (this.pendingDiffs_.size >= MAX_PENDING_DIFFS) this.pendingDiffs_.clear();
    this.pendingDiffs_.set(diff.version, diff);
    // Before the join answer there is no list to apply it to: it waits for the answer.
    if (this.membersVersion_ < 0) return;
    const before = this.membersVersion_;
    this.applyPendingDiffs_();
    if (this.membersVersion_ === before) return;
    this.emit('presence', this.memberList_);
    this.changed_();
  }

  /** Applies the waiting changes that follow the list's version; a gap left waits a moment, then resyncs. */
  private applyPendingDiffs_(): void {
    for (let diff = this.pendingDiffs_.get(this.membersVersion_ + 1); diff !== undefined; ) {
      this.pendingDiffs_.delete(diff.version);
      const left = new Set(diff.left);
      const joined = diff.joined ?? [];
      const ids = new Set(joined.map((user) => user.userId));
      this.memberList_ = [
        ...this.memberList_.filter((user) => !left.has(user.userId) && !ids.has(user.userId)),
        ...joined,
      ];
      this.memberTotal_ = Math.max(0, this.memberTotal_ - left.size + joined.length);
      this.membersVersion_ = diff.version;
      diff = this.pendingDiffs_.get(this.membersVersion_ + 1);
    }
    for (const version of this.pendingDiffs_.keys())
      if (version <= this.membersVersion_) this.pendingDiffs_.delete(version);
    if (this.pendingDiffs_.size === 0) {
      clearTimeout(this.resyncTimer_);
      this.resyncTimer_ = undefined;
    } else {
      this.resyncTimer_ ??= setTimeout(() => {
        this.resyncTimer_ = undefined;
        void this.resyncMembers_();
      }, this.settings_.gapFillDelayMs);
    }
  }

  /** A member change stayed missing: the re-join answer (to us only) carries the whole list. */
  private async resyncMembers_(): Promise<void> {
    if (!this.active_ || this.membersVersion_ < 0 || this.pendingDiffs_.size === 0) return;
    const waiting = Math.max(...this.pendingDiffs_.keys());
    const joined = await this.host_.client.request('room:join', { roomId: this.id });
    // A failure (offline, rate limited) waits for the next change or the reconnect's re-join.
    if (!joined.ok || !this.active_ || this.membersVersion_ < 0) return;
    // The answer covers every change that was waiting: one it does not reach is dropped, so a server
    // behind its own changes cannot make this ask again and again.
    for (const version of this.pendingDiffs_.keys()) if (version <= waiting) this.pendingDiffs_.delete(version);
    this.setMembers_(joined.data.members, joined.data.presenceVersion, joined.data.membersTotal);
  }

  /** @internal */
  setRemoteTyping_(user: ChatUser, isTyping: boolean): void {
    if (user.userId === this.host_.user?.userId) return;
    const entry = this.typingUsers_.get(user.userId);
    if (entry !== undefined) clearTimeout(entry.timer);
    if (isTyping) {
      // The server clears typing flags itself; this only guards against a lost "stopped".
      const timer = setTimeout(() => this.setRemoteTyping_(user, false), this.settings_.typingExpiryMs);
      this.typingUsers_.set(user.userId, { user, timer });
    } else if (entry === undefined) {
      return;
    } else {
      this.typingUsers_.delete(user.userId);
    }
    this.emit('typing', this.typing as ChatUser[]);
    this.changed_();
  }

  /**
   * @internal How many loaded messages after `readSerial` others wrote and did not delete; undefined
   * when the loaded messages do not reach back to `readSerial`.
   */
  unreadAfter_(readSerial: number, userId: string): number | undefined {
    if (!this.loaded_ || readSerial + 1 < this.floor_) return undefined;
    let unread = 0;
    for (const message of this.bySerial_.values()) {
      if (message.serial > readSerial && message.author.userId !== userId && message.deletedAt === undefined)
        unread += 1;
    }
    return unread;
  }

  /** @internal The read markers a join answer carries (ours as `readSerial`, in case the list was cut). */
  setReadMarkers_(readMarkers: Record<string, number>, userId: string | undefined, readSerial: number): void {
    const markers = userId === undefined || readSerial === 0 ? readMarkers : { ...readMarkers, [userId]: readSerial };
    for (const [id, serial] of Object.entries(markers)) this.setRead_(id, serial);
  }

  /** @internal */
  setRead_(userId: string, serial: number): void {
    if ((this.markers_.get(userId) ?? 0) >= serial) return;
    this.markers_.set(userId, serial);
    this.emit('read', { userId, serial });
    this.changed_();
  }

  /** @internal The server refused to let us back in. */
  expel_(error: ErrorPayload): void {
    this.deactivate_();
    for (const local of this.pending_.values()) this.fail_(local, error);
    this.emit('left', error);
    this.changed_();
  }

  /** @internal A moderator removed us (`room:removed`). */
  removed_(removal: RoomRemoval): void {
    this.removedBy_ = removal;
    this.deactivate_();
    const words = removal.kind === 'banned' ? 'Banned from the room' : 'Removed from the room';
    const error: ErrorPayload = { code: 'NOT_MEMBER', message: removal.reason ?? words };
    for (const local of this.pending_.values()) this.fail_(local, error);
    this.emit('removed', removal);
    this.changed_();
  }

  /** @internal */
  deactivate_(): void {
    this.active_ = false;
    this.firstJoined_.open();
    clearTimeout(this.gapTimer_);
    clearTimeout(this.resyncTimer_);
    clearTimeout(this.typingIdleTimer_);
    for (const { timer } of this.typingUsers_.values()) clearTimeout(timer);
    this.typingUsers_.clear();
  }

  private async loadLatest_(lastSerial: number): Promise<Result<null>> {
    const result = await this.host_.client.request('history:fetch', {
      roomId: this.id,
      limit: this.settings_.pageSize,
    });
    if (!result.ok) return result;
    this.older_ = result.data.hasMore;
    for (const message of result.data.messages) this.add_(message);
    const newest = result.data.messages.at(-1)?.serial ?? 0;
    this.synced_ = Math.max(this.synced_, newest, lastSerial);
    // The list starts at this page. Older messages that came in while it loaded are stale answers to
    // requests made before a discontinuity cleared the list: they would leave a hole, so drop them.
    this.floor_ = result.data.messages[0]?.serial ?? this.synced_ + 1;
    for (const serial of this.bySerial_.keys()) if (serial < this.floor_) this.bySerial_.delete(serial);
    this.loaded_ = true;
    this.everLoaded_ = true;
    this.advance_();
    if (this.hasGap_()) this.scheduleGapFill_();
    this.changed_();
    return { ok: true, data: null };
  }

  private async deliver_(local: LocalMessage<MessageMeta | undefined>): Promise<Result<MessageOf<C>>> {
    const { roomId, clientMessageId, text, replyTo, mentions, meta } = local;
    const payload = { roomId, clientMessageId, text, replyTo, mentions, meta };
    for (let attempt = 0; ; attempt++) {
      if (this.host_.closed || !this.active_) {
        return this.fail_(local, { code: 'DISCONNECTED', message: 'The room was left or the client closed' });
      }
      await this.host_.ready();
      // A send made while the first join is under way would reach the server before it: NOT_MEMBER.
      await this.firstJoined_.promise;
      if (this.host_.closed || !this.active_) continue;
      const result = await this.host_.client.request('message:send', payload, {
        timeoutMs: this.settings_.sendTimeoutMs,
      });
      if (result.ok) {
        this.pending_.delete(local.clientMessageId);
        this.receive_(result.data, false);
        this.changed_();
        return result as Result<MessageOf<C>>;
      }
      if (!isRetryable(result.error)) return this.fail_(local, result.error);
      // Jittered and growing even when the server names a wait: pending sends do not retry in step.
      await sleep(backoffDelayMs(attempt, this.settings_.backoff, result.error.retryAfterMs));
    }
  }

  private fail_(local: LocalMessage<MessageMeta | undefined>, error: ErrorPayload): Result<MessageOf<C>> {
    local.status = 'failed';
    local.error = error;
    this.changed_();
    return { ok: false, error };
  }

  private applied_(result: Result<Message>): Result<MessageOf<C>> {
    if (result.ok) this.update_(result.data);
    return result as Result<MessageOf<C>>;
  }

  private add_(message: Message): void {
    this.bySerial_.set(message.serial, message);
    if (message.author.userId === this.host_.user?.userId) this.pending_.delete(message.clientMessageId);
    this.advance_();
    this.sorted_ = undefined;
  }

  /** Moves `synced` over every serial now present right after it. */
  private advance_(): void {
    if (!this.loaded_) return;
    while (this.bySerial_.has(this.synced_ + 1)) this.synced_ += 1;
  }

  private oldestSerial_(): number | undefined {
    let oldest: number | undefined;
    for (const serial of this.bySerial_.keys()) if (oldest === undefined || serial < oldest) oldest = serial;
    return oldest;
  }

  /**
   * Live messages can overtake each other (several nodes, concurrent writers): give the missing ones
   * a moment to arrive, then fetch what is still missing.
   */
  private scheduleGapFill_(delayMs = this.settings_.gapFillDelayMs): void {
    if (this.gapTimer_ !== undefined) return;
    this.gapTimer_ = setTimeout(() => {
      this.gapTimer_ = undefined;
      void this.fillGap_();
    }, delayMs);
  }

  private async fillGap_(): Promise<void> {
    while (this.active_ && this.hasGap_()) {
      const reloads = this.reloads_;
      const result = await this.host_.client.request('history:fetch', {
        roomId: this.id,
        after: this.synced_,
        limit: 100,
      });
      // A discontinuity reloaded the list meanwhile: the reload fills its own gaps.
      if (reloads !== this.reloads_) return;
      if (!result.ok) {
        // A refusal that will not pass is left to the next sync; a passing one is retried, later each time.
        if (!isRetryable(result.error)) return;
        const delayMs = backoffDelayMs(this.gapFillFailures_++, this.settings_.backoff, result.error.retryAfterMs);
        return this.scheduleGapFill_(delayMs);
      }
      this.gapFillFailures_ = 0;
      const before = this.synced_;
      for (const message of result.data.messages) this.receive_(message, false);
      this.advance_();
      this.changed_();
      // No progress: history no longer holds the missing serial. The next sync reports a discontinuity.
      if (this.synced_ === before) return;
    }
  }

  private hasGap_(): boolean {
    // Until the (re)loaded page is in, `synced` does not say where the list starts.
    if (!this.loaded_) return false;
    for (const serial of this.bySerial_.keys()) if (serial > this.synced_) return true;
    return false;
  }

  private stopTypingLocally_(tell = false): void {
    clearTimeout(this.typingIdleTimer_);
    this.typingIdleTimer_ = undefined;
    const wasTyping = this.typingSentAt_ !== 0;
    this.typingSentAt_ = 0;
    if (tell && wasTyping) this.emitTyping_(false);
  }

  /** Sends our typing flag when connected; false when it could not go out. */
  private emitTyping_(isTyping: boolean): boolean {
    if (this.host_.client.status !== 'connected' || !this.active_) return false;
    this.host_.client.emit('typing:set', { roomId: this.id, isTyping });
    return true;
  }

  private changed_(): void {
    this.sorted_ = undefined;
    this.emit('change');
  }
}
