import type { ChatUser, Message, MessageMeta, MessagePage, RoomSummary } from '@chatwire/protocol';

/**
 * What {@link Store.append} stores: the server fills in the author and the time.
 *
 * @example
 * ```ts
 * const draft: NewMessage = { roomId: 'general', clientMessageId: 'c1', author: ana, text: 'hi', createdAt: Date.now() };
 * const { message, created } = await store.append(draft);
 * ```
 */
export interface NewMessage {
  roomId: string;
  clientMessageId: string;
  author: ChatUser;
  text: string;
  createdAt: number;
  /** Posted by the server as itself (`chat.send(..., { as: 'system' })`): stored and returned as `system: true`. */
  system?: boolean | undefined;
  /** The serial of the message (same room) it replies to. */
  replyTo?: number | undefined;
  /** Ids of the users it mentions (an empty list is stored as none). */
  mentions?: string[] | undefined;
  /** The app's fields (JSON), already checked against the contract's schema. */
  meta?: MessageMeta | undefined;
}

/**
 * What an edit changes besides the text: each field given replaces the stored one (an empty `mentions`: none).
 *
 * @example
 * ```ts
 * const changes: MessageChanges = { mentions: ['ben'] };
 * const edited = await store.edit('lobby', 42, 'ping @ben', Date.now(), changes);
 * ```
 */
export interface MessageChanges {
  mentions?: string[] | undefined;
  meta?: MessageMeta | undefined;
}

/**
 * The stored message, and whether this call stored it (false: a retry of an earlier send).
 *
 * @example
 * ```ts
 * const { message, created }: AppendResult = await store.append(draft);
 * if (!created) console.log('a retry of', message.serial);
 * ```
 */
export interface AppendResult {
  message: Message;
  created: boolean;
}

/**
 * What {@link Store.sendCheck} read for a send: the message this send already stored, if it is a retry,
 * and the author's bans and mutes in force in the room.
 *
 * @example
 * ```ts
 * const { stored, restrictions }: SendCheck = await store.sendCheck('lobby', 'ana', 'c-1', Date.now());
 * if (stored !== undefined) console.log('a retry of', stored.serial);
 * ```
 */
export interface SendCheck {
  stored: Message | undefined;
  restrictions: RoomRestriction[];
}

/**
 * A page request: the latest messages, or those just `before` / `after` a serial.
 *
 * @example
 * ```ts
 * const query: HistoryQuery = { before: 120, limit: 50 };
 * const page = await store.history('general', query);
 * ```
 */
export interface HistoryQuery {
  before?: number | undefined;
  after?: number | undefined;
  limit: number;
}

/**
 * What a restriction keeps a user from: `ban` from the room, `mute` from posting in it.
 *
 * @example
 * ```ts
 * const kind: RestrictionKind = 'mute';
 * await store.lift('general', 'u2', kind);
 * ```
 */
export type RestrictionKind = 'ban' | 'mute';

/**
 * A ban or mute of one user in one room, as {@link Store.restrict} keeps it.
 *
 * @example
 * ```ts
 * await store.restrict({ roomId: 'general', userId: 'u2', kind: 'ban', reason: 'Spam', createdAt: Date.now() } satisfies RoomRestriction);
 * ```
 */
export interface RoomRestriction {
  roomId: string;
  userId: string;
  kind: RestrictionKind;
  /** When it ends by itself (ms since the epoch); undefined: when lifted. */
  until?: number | undefined;
  /** The moderator's reason, for the user. */
  reason?: string | undefined;
  /** When it was imposed (ms since the epoch). */
  createdAt: number;
}

/**
 * A page of search results: the newest `limit` matches, or those just `before` a serial.
 *
 * @example
 * ```ts
 * const query: SearchQuery = { limit: 20 };
 * const page = await store.search('lobby', 'invoice', query);
 * ```
 */
export interface SearchQuery {
  before?: number | undefined;
  limit: number;
}

/**
 * What {@link Store.addMember} did: made the user a member, found them one already, or refused (cap reached).
 *
 * @example
 * ```ts
 * const added: AddMemberResult = await store.addMember('lobby', 'ana', 500); // 'added' | 'member' | 'full'
 * ```
 */
export type AddMemberResult = 'added' | 'member' | 'full';

/**
 * A page of a user's rooms, for {@link Store.userRooms}: rooms after `after` (by room id), at most `limit`.
 *
 * @example
 * ```ts
 * const query: UserRoomsQuery = { limit: 50, maxUnread: 99 };
 * const rooms = await store.userRooms('ana', query);
 * ```
 */
export interface UserRoomsQuery {
  after?: string | undefined;
  limit: number;
  /** `unread` counts up to this many messages, no further. */
  maxUnread: number;
}

/**
 * Where a chat server keeps messages and read markers. Every method may be called from several
 * server processes at once (a shared database implements it for several nodes), so each must be
 * atomic on its own: serials per room are gapless, and one `clientMessageId` per author and room is
 * stored once. Messages returned are copies the caller may keep.
 *
 * @example
 * ```ts
 * async function lastMessage(store: Store, roomId: string) {
 *   const serial = await store.lastSerial(roomId);
 *   return serial === 0 ? undefined : store.get(roomId, serial);
 * }
 * ```
 */
export interface Store {
  /**
   * Stores a message with the room's next serial, or, when the author already sent this
   * `clientMessageId` in this room, returns the stored one with `created: false`. A new message that is
   * not `system` also moves its author's read marker up to its serial (as {@link Store.markRead}), in the
   * same write: the sender has read what they sent.
   */
  append(message: NewMessage): Promise<AppendResult>;
  /**
   * What a send reads before it is stored, in one call (one round trip for a database): as `stored`,
   * the message `authorId` stored in `roomId` with this `clientMessageId`, if any (deleted ones
   * included), which a retry of that send answers without storing anything; as `restrictions`, the
   * author's bans and mutes in the room in force at `now`, as {@link Store.restrictionsOf} reads them.
   */
  sendCheck(roomId: string, authorId: string, clientMessageId: string, now: number): Promise<SendCheck>;
  /** The message with this serial, if any (deleted ones included, as tombstones). */
  get(roomId: string, serial: number): Promise<Message | undefined>;
  /**
   * Replaces the text (and the `mentions` and `meta` given in `changes`) and sets `editedAt`; a deleted
   * message is returned unchanged; undefined when missing.
   */
  edit(
    roomId: string,
    serial: number,
    text: string,
    editedAt: number,
    changes?: MessageChanges,
  ): Promise<Message | undefined>;
  /**
   * Turns the message into a tombstone: empty text, no reactions, mentions nor meta, `deletedAt` set
   * (kept if already set); `replyTo` stays.
   */
  delete(roomId: string, serial: number, deletedAt: number): Promise<Message | undefined>;
  /**
   * Adds `userId` to the users who reacted with `emoji`, or removes them if they had; `at` is the time.
   * A deleted message is returned unchanged. Adding an emoji the message does not carry yet when it
   * already carries `maxReactionKeys` different ones rejects with a ChatwireError `CONFLICT`; the check
   * and the change are one atomic step, so concurrent toggles never pass the cap.
   */
  toggleReaction(
    roomId: string,
    serial: number,
    emoji: string,
    userId: string,
    at: number,
    maxReactionKeys: number,
  ): Promise<Message | undefined>;
  /**
   * The messages edited, deleted or reacted to after `since` (ms), in the order of their latest
   * change, at most `limit`.
   */
  updatedSince(roomId: string, since: number, limit: number): Promise<Message[]>;
  /**
   * Messages in ascending serial order. No cursor: the latest `limit`. `before`: the `limit` just
   * before it. `after`: the `limit` just after it. `hasMore`: more exist beyond the page in the
   * direction of travel (older for latest/before, newer for after).
   */
  history(roomId: string, query: HistoryQuery): Promise<MessagePage>;
  /**
   * The room's messages whose text holds every word of `query` (`searchTerms` of @chatwire/protocol)
   * as the start of one of its words, ignoring case, newest first: the latest `limit`, or those just
   * `before` a serial. `hasMore`: older ones match too. Deleted messages are never found; edited ones
   * by their new text only. No query syntax: whatever `query` holds is words and separators. No
   * words: no messages.
   */
  search(roomId: string, query: string, options: SearchQuery): Promise<MessagePage>;
  /** The room's highest serial, 0 when it has none. */
  lastSerial(roomId: string): Promise<number>;
  /** Moves the user's read marker forward to `serial` (never back); returns the marker now stored. */
  markRead(roomId: string, userId: string, serial: number): Promise<number>;
  /** The room's read markers: userId → serial. */
  readMarkers(roomId: string): Promise<Record<string, number>>;
  /** Imposes a ban or mute, replacing the user's earlier one of the same kind in that room. */
  restrict(restriction: RoomRestriction): Promise<void>;
  /** Lifts the user's ban or mute (`kind`) in the room; nothing when there is none. */
  lift(roomId: string, userId: string, kind: RestrictionKind): Promise<void>;
  /** The user's restrictions in the room still in force at `now` (no `until`, or `until` later than `now`). */
  restrictionsOf(roomId: string, userId: string, now: number): Promise<RoomRestriction[]>;
  /** The room's restrictions of `kind` in force at `now`, oldest first (then by user id), at most `limit`. */
  restrictions(roomId: string, kind: RestrictionKind, now: number, limit: number): Promise<RoomRestriction[]>;
  /**
   * Makes `userId` a member of `roomId` (kept until {@link Store.removeMember}), unless they are one
   * already, or are a member of `maxRooms` rooms already (`'full'`); the check and the insert are one
   * atomic step, so concurrent joins never pass the cap.
   */
  addMember(roomId: string, userId: string, maxRooms: number): Promise<AddMemberResult>;
  /** Ends the membership (a leave, a kick, a ban); false when the user was not a member. */
  removeMember(roomId: string, userId: string): Promise<boolean>;
  /**
   * The user's rooms in ascending room id order with their last serial, the user's read marker, the
   * unread count (messages after the marker by others, not deleted, at most `maxUnread`) and the last
   * message.
   */
  userRooms(userId: string, query: UserRoomsQuery): Promise<RoomSummary[]>;
  /** Up to `limit` ids of the room's members (any order). */
  roomMembers(roomId: string, limit: number): Promise<string[]>;
  /** Flushes and releases the store. */
  close(): Promise<void>;
}
