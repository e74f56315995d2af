import * as z from 'zod/mini';
import {
  type ClientEventSpec,
  type Contract,
  defineContract,
  type ServerEventSpec,
} from '../contract/define-contract.js';
import { boundedMeta, DEFAULT_MAX_META_BYTES, type MessageMeta, type MetaSchema } from './meta.js';
import { MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_LENGTH, MAX_SEARCH_TERMS, searchTerms } from './search.js';

/** Keys that would reach an object's prototype when used as a property name. */
const prototypeKeys = ['__proto__', 'constructor', 'prototype'];

/**
 * Room ids: 1–128 characters of letters, digits and `_ - . : @ #` (not `__proto__` and the like).
 *
 * @example
 * ```ts
 * roomIdSchema.safeParse('general').success; // true; '__proto__' and 'a b' fail
 * ```
 */
export const roomIdSchema = z.string().check(
  z.minLength(1),
  z.maxLength(128),
  z.regex(/^[\w\-.:@#]+$/, 'Room ids use letters, digits and _ - . : @ #'),
  z.refine((id) => !prototypeKeys.includes(id), 'Reserved room id'),
);

/**
 * The highest serial a room can reach (a 32-bit signed integer, what SQL stores index).
 *
 * @example
 * ```ts
 * if (serial > MAX_SERIAL) throw new RangeError('Not a room serial');
 * ```
 */
export const MAX_SERIAL = 2 ** 31 - 1;

/**
 * A room serial: 1, 2, 3 … per room, assigned by the server, without gaps.
 *
 * @example
 * ```ts
 * serialSchema.safeParse(0).success; // false: serials start at 1
 * ```
 */
export const serialSchema = z.number().check(z.int(), z.positive(), z.lte(MAX_SERIAL));

/** A serial a client has seen: 0 for none. */
const seenSerialSchema = z.number().check(z.int(), z.gte(0), z.lte(MAX_SERIAL));

/** Text that databases can store: no NUL characters. */
const storable = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => !value.includes('\u0000'), 'Must not contain NUL characters'),
  );

/**
 * A user as others see it.
 *
 * @example
 * ```ts
 * const user = chatUserSchema.parse({ userId: 'ana', name: 'Ana' });
 * ```
 */
export const chatUserSchema = z.object({ userId: storable(128), name: storable(64) });

/**
 * The longest message text, in characters.
 *
 * @example
 * ```ts
 * const tooLong = draft.length > MAX_TEXT_LENGTH;
 * ```
 */
export const MAX_TEXT_LENGTH = 4000;

/**
 * Message text: 1–4000 characters.
 *
 * @example
 * ```ts
 * messageTextSchema.safeParse('').success; // false: 1–4000 characters
 * ```
 */
export const messageTextSchema = storable(MAX_TEXT_LENGTH);

/**
 * An emoji (or any short reaction key).
 *
 * @example
 * ```ts
 * emojiSchema.safeParse('👍').success; // true
 * ```
 */
export const emojiSchema = storable(32).check(
  z.refine((emoji) => !prototypeKeys.includes(emoji), 'Reserved reaction key'),
);

/**
 * Most user ids a message carries per emoji in `reactions` (the first to react); when more reacted,
 * `reactionCounts` says how many.
 *
 * @example
 * ```ts
 * const cutShort = (message.reactionCounts?.['👍'] ?? 0) > MAX_REACTION_USERS;
 * ```
 */
export const MAX_REACTION_USERS = 20;

/**
 * Most user ids one message mentions (25 ids of 128 characters keep the largest valid send well under the frame limit).
 *
 * @example
 * ```ts
 * const mentions = [...new Set(picked)].slice(0, MAX_MENTIONS);
 * ```
 */
export const MAX_MENTIONS = 25;

/**
 * The users a message mentions: up to {@link MAX_MENTIONS} distinct user ids.
 *
 * @example
 * ```ts
 * mentionsSchema.safeParse(['ana', 'ana']).success; // false: mention each user once
 * ```
 */
export const mentionsSchema = z.array(storable(128)).check(
  z.maxLength(MAX_MENTIONS),
  z.refine((ids) => new Set(ids).size === ids.length, 'Mention each user once'),
);

/**
 * A stored message, as every client receives it, in a chat without `meta` (see
 * {@link defineChatContract} for one with). Times are milliseconds since the epoch (UTC).
 *
 * @example
 * ```ts
 * const message = messageSchema.parse(JSON.parse(raw));
 * ```
 */
export const messageSchema = z.object({
  id: z.string(),
  roomId: roomIdSchema,
  serial: serialSchema,
  clientMessageId: z.string(),
  author: chatUserSchema,
  /** Empty once the message is deleted. */
  text: z.string().check(z.maxLength(MAX_TEXT_LENGTH)),
  createdAt: z.number().check(z.int()),
  editedAt: z.optional(z.number().check(z.int())),
  deletedAt: z.optional(z.number().check(z.int())),
  /** When it last changed after it was sent (edit, delete, reaction): of two copies, the later wins. */
  updatedAt: z.optional(z.number().check(z.int())),
  /** emoji → ids of the users who reacted with it, in the order they did (at most {@link MAX_REACTION_USERS}). */
  reactions: z.record(z.string(), z.array(z.string()).check(z.maxLength(MAX_REACTION_USERS))),
  /** emoji → how many users reacted with it, for each emoji whose `reactions` list is cut short. */
  reactionCounts: z.optional(z.record(z.string(), z.number().check(z.int(), z.gte(0)))),
  /** Present (true) only on a message the server posted as itself; its author is then {@link SYSTEM_AUTHOR}. */
  system: z.optional(z.literal(true)),
  /** The serial of the message (in the same room) this one replies to. */
  replyTo: z.optional(serialSchema),
  /** Ids of the users this message mentions; absent when none (and once deleted). */
  mentions: z.optional(z.array(z.string())),
  /** The app's own fields, of the contract's `meta` schema; a chat without one has none. Gone once deleted. */
  meta: z.optional(z.undefined()),
});

/**
 * The author of a system message (`system: true`). A connection can never be this user: the chat
 * server refuses to authenticate the user id `chatwire:system`.
 *
 * @example
 * ```ts
 * const label = message.system ? SYSTEM_AUTHOR.name : message.author.name;
 * ```
 */
export const SYSTEM_AUTHOR = { userId: 'chatwire:system', name: 'System' } as const;

/** The message schema of a chat whose messages carry `meta` of schema `meta`. */
const messageOf = <M extends MetaSchema>(meta: M) => z.object({ ...messageSchema.shape, meta: z.optional(meta) });

/**
 * Most messages one `history:fetch` returns.
 *
 * @example
 * ```ts
 * const page = await chat.client.request('history:fetch', { roomId: 'general', limit: MAX_PAGE_SIZE });
 * ```
 */
export const MAX_PAGE_SIZE = 100;

const pageOf = <M extends MetaSchema>(message: MessageSchemaOf<M>) =>
  z.object({ messages: z.array(message), hasMore: z.boolean() });
/** The message schema of a chat with `meta` of schema `M`. */
type MessageSchemaOf<M extends MetaSchema> = ReturnType<typeof messageOf<M>>;

/**
 * A `history:search` query: 1–200 characters, no NUL, with 1–10 words (see {@link searchTerms}).
 *
 * @example
 * ```ts
 * searchQuerySchema.safeParse('hello world').success; // true; '?!' (no word) fails
 * ```
 */
export const searchQuerySchema = storable(MAX_SEARCH_QUERY_LENGTH).check(
  z.refine((query) => searchTerms(query).length > 0, 'Search for at least one word (letters or digits)'),
  z.refine((query) => searchTerms(query).length <= MAX_SEARCH_TERMS, `Search for at most ${MAX_SEARCH_TERMS} words`),
);

const roomRef = z.object({ roomId: roomIdSchema });
const members = z.array(chatUserSchema);
/** How many members the room has, given only when `members` was cut to fit the answer budget. */
const membersTotal = z.optional(z.number().check(z.int(), z.gte(0)));
/**
 * The version of a room's member list: each change of the room's members adds exactly 1, so a client
 * holding version v applies the change numbered v + 1 next and sees a gap when one is missing.
 */
const presenceVersion = z.number().check(z.int(), z.gte(0));
/** One change of a room's members: who came, who went (user ids), and the version it leads to. */
const presenceDiff = z.object({
  roomId: roomIdSchema,
  /** The list's version after this change; it applies to the list of version `version - 1`. */
  version: presenceVersion,
  /** Users now present who were not. */
  joined: z.optional(z.array(chatUserSchema)),
  /** Ids of users no longer present. */
  left: z.optional(z.array(z.string())),
});
/** One reaction toggled: sent instead of the whole message. */
const reactionChange = z.object({
  roomId: roomIdSchema,
  serial: serialSchema,
  emoji: z.string(),
  userId: z.string(),
  /** True: the user now reacts with `emoji`; false: they no longer do. */
  added: z.boolean(),
  /** How many users now react with `emoji`. */
  count: z.number().check(z.int(), z.gte(0)),
  /** The message's `updatedAt` after this change. */
  updatedAt: z.number().check(z.int()),
});
/**
 * The longest reason a moderator gives for removing a user from a room, in characters.
 *
 * @example
 * ```ts
 * await chat.client.request('room:moderate', {
 *   roomId: 'general',
 *   userId: 'ben',
 *   action: 'kick',
 *   reason: reason.slice(0, MAX_REASON_LENGTH),
 * });
 * ```
 */
export const MAX_REASON_LENGTH = 500;

/**
 * Why a user was removed from a room: what the `room:removed` event carries.
 *
 * @example
 * ```ts
 * const removal = roomRemovalSchema.parse({ roomId: 'general', kind: 'banned', reason: 'spam' });
 * ```
 */
export const roomRemovalSchema = z.object({
  roomId: roomIdSchema,
  /** `kicked`: may join again; `banned`: may not until `until` (or until unbanned). */
  kind: z.literal(['kicked', 'banned']),
  /** The moderator's words, for the user. */
  reason: z.optional(storable(MAX_REASON_LENGTH)),
  /** For a ban that ends by itself: when (ms since the epoch). */
  until: z.optional(z.number().check(z.int())),
});

/** The server's clock (ms since the epoch) when it answered: what a client passes as a room's `updatedSince` later. */
const serverTime = z.number().check(z.int(), z.gte(0));

/**
 * The highest `unread` a room summary gives: more unread messages are still reported as this.
 *
 * @example
 * ```ts
 * const badge = summary.unread >= MAX_UNREAD ? `${MAX_UNREAD}+` : String(summary.unread);
 * ```
 */
export const MAX_UNREAD = 999;

/**
 * Most rooms one `rooms:list` answer carries (fewer when the answer budget is reached first).
 *
 * @example
 * ```ts
 * const page = await chat.client.request('rooms:list', { limit: MAX_ROOMS_PAGE });
 * ```
 */
export const MAX_ROOMS_PAGE = 100;

/**
 * One room the user is a member of, as `rooms:list` gives it.
 *
 * @example
 * ```ts
 * const summary = roomSummarySchema.parse({ roomId: 'general', lastSerial: 3, readSerial: 1, unread: 2 });
 * ```
 */
export const roomSummarySchema = z.object({
  roomId: roomIdSchema,
  /** The room's highest serial, 0 when it has no message. */
  lastSerial: z.number().check(z.int(), z.gte(0)),
  /** The user's read marker, 0 when they read nothing. */
  readSerial: z.number().check(z.int(), z.gte(0)),
  /**
   * Messages after `readSerial` that others wrote and that are not deleted, at most {@link MAX_UNREAD}
   * (more are reported as {@link MAX_UNREAD}). The user's own send moves their marker to it.
   */
  unread: z.number().check(z.int(), z.gte(0), z.lte(MAX_UNREAD)),
  /** The message with serial `lastSerial` (a tombstone when deleted); absent when the room has none left. */
  lastMessage: z.optional(messageSchema),
});

/** The room summary of a chat whose messages have schema `message` (with the app's `meta`). */
const roomSummaryOf = <M extends MetaSchema>(message: MessageSchemaOf<M>) =>
  z.object({ ...roomSummarySchema.shape, lastMessage: z.optional(message) });

/**
 * One room of a `sync`: the last serial held (`after`) and, to also get the messages up to it that
 * were edited, deleted or reacted to meanwhile, the `serverTime` of the last answer that covered the
 * room before (never that of a re-join after a reconnect: it comes after what was missed).
 */
const syncCursor = z.object({ after: seenSerialSchema, updatedSince: z.optional(serverTime) });

/**
 * The chat's events, for messages of schema `message` whose `meta` is sent as `sendMeta` (the app's
 * schema, bounded in size).
 */
const chatSpec = <M extends MetaSchema>(message: MessageSchemaOf<M>, sendMeta: M) => ({
  clientToServer: {
    'room:join': {
      payload: roomRef,
      ack: z.object({
        roomId: roomIdSchema,
        lastSerial: z.number().check(z.int(), z.gte(0)),
        members,
        membersTotal,
        presenceVersion,
        serverTime,
        /** The joining user's read marker in the room, 0 for none. */
        readSerial: z.number().check(z.int(), z.gte(0)),
        /** The room's read markers, userId → serial (as many as fit the answer budget: see `readMarkersTotal`). */
        readMarkers: z.record(z.string(), serialSchema),
        /** How many read markers the room has, given only when `readMarkers` was cut to fit the answer budget. */
        readMarkersTotal: z.optional(z.number().check(z.int(), z.gte(0))),
      }),
    },
    'room:leave': { payload: roomRef, ack: z.object({}) },
    'rooms:list': {
      payload: z.object({
        /** Rooms after this room id (the last one of the previous page); absent for the first page. */
        after: z.optional(roomIdSchema),
        limit: z._default(z.number().check(z.int(), z.gte(1), z.lte(MAX_ROOMS_PAGE)), MAX_ROOMS_PAGE),
      }),
      ack: z.object({
        /** The user's rooms in ascending room id order. */
        rooms: z.array(roomSummaryOf(message)),
        /** More rooms follow: ask again with `after` set to the last room id of this page. */
        hasMore: z.boolean(),
      }),
    },
    'message:send': {
      payload: z.object({
        roomId: roomIdSchema,
        clientMessageId: storable(128),
        text: messageTextSchema,
        replyTo: z.optional(serialSchema),
        mentions: z.optional(mentionsSchema),
        meta: z.optional(sendMeta),
      }),
      ack: message,
    },
    'message:edit': {
      /** `mentions` and `meta`, when given, replace the message's; left out, they stay. */
      payload: z.object({
        roomId: roomIdSchema,
        serial: serialSchema,
        text: messageTextSchema,
        mentions: z.optional(mentionsSchema),
        meta: z.optional(sendMeta),
      }),
      ack: message,
    },
    'message:delete': { payload: z.object({ roomId: roomIdSchema, serial: serialSchema }), ack: message },
    'reaction:toggle': {
      payload: z.object({ roomId: roomIdSchema, serial: serialSchema, emoji: emojiSchema }),
      ack: message,
    },
    'history:fetch': {
      payload: z
        .object({
          roomId: roomIdSchema,
          before: z.optional(serialSchema),
          after: z.optional(seenSerialSchema),
          limit: z._default(z.number().check(z.int(), z.gte(1), z.lte(MAX_PAGE_SIZE)), 50),
        })
        .check(
          z.refine((query) => query.before === undefined || query.after === undefined, {
            message: 'Give before or after, not both',
          }),
        ),
      ack: pageOf(message),
    },
    'history:search': {
      payload: z.object({
        roomId: roomIdSchema,
        query: searchQuerySchema,
        /** Only messages older than this serial: the `serial` of the last message of the previous page. */
        before: z.optional(serialSchema),
        limit: z._default(z.number().check(z.int(), z.gte(1), z.lte(MAX_SEARCH_LIMIT)), 20),
      }),
      /** The matching messages, newest first; `hasMore`: older ones match too. */
      ack: pageOf(message),
    },
    sync: {
      payload: z.object({
        /** Per room: the last serial held, alone or with the server time since which to send changes. */
        rooms: z.record(roomIdSchema, z.union([seenSerialSchema, syncCursor])),
      }),
      ack: z.object({
        rooms: z.record(
          z.string(),
          z.object({
            messages: z.array(message),
            discontinuity: z.boolean(),
            /** With `updatedSince`: the changed messages, each in its current state. */
            updated: z.array(message),
            /**
             * The answer was cut to fit its byte budget: ask again with the last serial now held (and the
             * room's same `updatedSince`); `updated` comes with the last part.
             */
            hasMore: z.boolean(),
          }),
        ),
        serverTime,
      }),
    },
    'read:mark': { payload: z.object({ roomId: roomIdSchema, serial: serialSchema }), ack: z.object({}) },
    'typing:set': { payload: z.object({ roomId: roomIdSchema, isTyping: z.boolean() }) },
    'room:moderate': {
      payload: z.object({
        roomId: roomIdSchema,
        userId: chatUserSchema.shape.userId,
        action: z.literal(['kick', 'ban', 'unban', 'mute', 'unmute']),
        /** For `ban` and `mute`: when it ends (ms since the epoch); none: until lifted. */
        until: z.optional(z.number().check(z.int())),
        /** For `kick`, `ban` and `mute`: told to the user. */
        reason: z.optional(storable(MAX_REASON_LENGTH)),
      }),
      ack: z.object({}),
    },
  },
  serverToClient: {
    session: { payload: z.object({ user: chatUserSchema }) },
    'message:new': { payload: message },
    'message:updated': { payload: message },
    typing: { payload: z.object({ roomId: roomIdSchema, user: chatUserSchema, isTyping: z.boolean() }) },
    'presence:diff': { payload: presenceDiff },
    read: { payload: z.object({ roomId: roomIdSchema, userId: z.string(), serial: serialSchema }) },
    reaction: { payload: reactionChange },
    'room:removed': { payload: roomRemovalSchema },
    /**
     * A message was stored in a room the user is a member of but this connection has not joined
     * (sent only for rooms with few members; see docs/protocol.md).
     */
    'room:activity': { payload: z.object({ roomId: roomIdSchema, message }) },
  },
  auth: z.record(z.string(), z.unknown()),
  socketData: z.object({ user: chatUserSchema }),
});

/** The chat's own events for messages with `meta` of schema `M`. */
type ChatSpec<M extends MetaSchema> = ReturnType<typeof chatSpec<M>>;

/**
 * What {@link defineChatContract} takes: the app's message `meta` schema and its own events.
 *
 * @example
 * ```ts
 * const meta = z.object({ pinned: z.boolean() });
 * const spec: ChatContractSpec<typeof meta, Record<never, never>, Record<never, never>> = { meta, maxMetaBytes: 1024 };
 * const contract = defineChatContract(spec);
 * ```
 */
export interface ChatContractSpec<
  M extends MetaSchema,
  CS extends Record<string, ClientEventSpec>,
  SC extends Record<string, ServerEventSpec>,
> {
  /**
   * The zod schema of each message's `meta` (the app's own fields: attachments, a poll, a card…), an
   * object. Checked when a message is sent or edited and when a client receives one. Keep it
   * round-trip safe (what it outputs parses again): stored values are checked again on the way out.
   * @default none: a message carries no `meta`, and one sent with it is refused
   */
  meta?: M;
  /** Most bytes (UTF-8 JSON) of one message's `meta`; a larger one is refused (`VALIDATION_FAILED`). @default 4096 */
  maxMetaBytes?: number;
  /** The app's client → server events, beside the chat's (a name the chat uses is refused). */
  clientToServer?: CS;
  /** The app's server → client events, beside the chat's (a name the chat uses is refused). */
  serverToClient?: SC;
}

/**
 * The contract {@link defineChatContract} returns: the chat's events with `meta` of schema `M`, and the app's.
 *
 * @example
 * ```ts
 * const meta = z.object({ pinned: z.boolean() });
 * const contract: ChatContractOf<typeof meta> = defineChatContract({ meta });
 * ```
 */
export type ChatContractOf<
  M extends MetaSchema = z.ZodMiniUndefined,
  CS extends Record<string, ClientEventSpec> = Record<never, never>,
  SC extends Record<string, ServerEventSpec> = Record<never, never>,
> = Contract<{
  clientToServer: ChatSpec<M>['clientToServer'] & CS;
  serverToClient: ChatSpec<M>['serverToClient'] & SC;
  auth: ChatSpec<M>['auth'];
  socketData: ChatSpec<M>['socketData'];
}>;

/**
 * The chat contract with any app's `meta` and none of the app's events: the type chatwire's own chat
 * code (server, stores, client) handles messages with, whatever contract it was given.
 *
 * @example
 * ```ts
 * type AnyAppMessage = MessageOf<WideChatContract>; // meta?: MessageMeta
 * ```
 */
export type WideChatContract = ChatContractOf<MetaSchema>;

/**
 * Any chat contract (made by {@link defineChatContract}), whatever its `meta` and app events: what
 * `ChatServer`, `ChatClient` and `ChatRoom` are generic over.
 *
 * @example
 * ```ts
 * function lastText<C extends AnyChatContract>(messages: MessageOf<C>[]): string {
 *   return messages.at(-1)?.text ?? '';
 * }
 * ```
 */
export type AnyChatContract = Contract & {
  readonly serverToClient: {
    readonly 'message:new': { readonly payload: z.core.$ZodType<Message<MessageMeta | undefined>> };
  };
};

/**
 * The messages of chat contract `C`, with its `meta` type.
 *
 * @example
 * ```ts
 * const contract = defineChatContract({ meta: z.object({ pinned: z.boolean() }) });
 * type AppMessage = MessageOf<typeof contract>; // AppMessage['meta']: { pinned: boolean } | undefined
 * ```
 */
export type MessageOf<C extends AnyChatContract> = z.output<C['serverToClient']['message:new']['payload']>;

/**
 * The `meta` type of chat contract `C` (`undefined` when it has no meta schema).
 *
 * @example
 * ```ts
 * const contract = defineChatContract({ meta: z.object({ pinned: z.boolean() }) });
 * type AppMeta = MetaOf<typeof contract>; // { pinned: boolean } | undefined
 * ```
 */
export type MetaOf<C extends AnyChatContract> = MessageOf<C>['meta'];

/**
 * The chat contract with the app's message `meta` schema and the app's own events beside the chat's,
 * on the same server and connection, typed and checked like the chat's. Give it to
 * `createChatServer({ contract })` and `createChatClient(url, { contract })`. Throws a TypeError when
 * an app event has a name the chat uses (in either direction).
 * @example
 * const contract = defineChatContract({
 *   meta: z.object({ attachments: z.array(z.object({ url: z.url(), name: z.string(), size: z.number(), type: z.string() })) }),
 *   clientToServer: { 'poll:vote': { payload: z.object({ pollId: z.string(), option: z.number() }), ack: z.object({}) } },
 *   serverToClient: { 'poll:results': { payload: z.object({ pollId: z.string(), votes: z.array(z.number()) }) } },
 * });
 */
export function defineChatContract<
  const M extends MetaSchema = z.ZodMiniUndefined,
  const CS extends Record<string, ClientEventSpec> = Record<never, never>,
  const SC extends Record<string, ServerEventSpec> = Record<never, never>,
>(spec: ChatContractSpec<M, CS, SC>): ChatContractOf<M, CS, SC> {
  const meta = (spec.meta ?? z.undefined()) as M;
  const chat = chatSpec(messageOf(meta), boundedMeta(meta, spec.maxMetaBytes ?? DEFAULT_MAX_META_BYTES));
  const chatNames = [...Object.keys(chat.clientToServer), ...Object.keys(chat.serverToClient)];
  for (const name of [...Object.keys(spec.clientToServer ?? {}), ...Object.keys(spec.serverToClient ?? {})]) {
    if (chatNames.includes(name)) throw new TypeError(`defineChatContract: "${name}" is a chat event`);
  }
  return defineContract({
    ...chat,
    clientToServer: { ...chat.clientToServer, ...spec.clientToServer },
    serverToClient: { ...chat.serverToClient, ...spec.serverToClient },
  }) as ChatContractOf<M, CS, SC>;
}

/**
 * The chat contract: rooms, messages with history, edit/delete, reactions, typing, presence and read
 * markers, with serials per room so that clients lose nothing and duplicate nothing. Messages carry
 * no `meta` and there are no app events: {@link defineChatContract} makes a contract with them.
 * The wire protocol it defines is written down in docs/protocol.md.
 *
 * @example
 * ```ts
 * const doc = toAsyncAPI(chatContract, { title: 'Chat', version: '1.0.0' });
 * ```
 */
export const chatContract: ChatContract = defineChatContract({});

/**
 * The chat contract's type.
 *
 * @example
 * ```ts
 * const contract: ChatContract = chatContract;
 * const events = Object.keys(contract.clientToServer); // 'room:join', 'message:send', …
 * ```
 */
export type ChatContract = ChatContractOf;
/**
 * A user as others see it.
 *
 * @example
 * ```ts
 * const user: ChatUser = { userId: 'ana', name: 'Ana' };
 * ```
 */
export type ChatUser = z.infer<typeof chatUserSchema>;
/**
 * A stored message whose `meta` is of type `Meta`: by default any app's (what the server and the
 * stores handle); {@link MessageOf} gives the exact type for a contract.
 *
 * @example
 * ```ts
 * function preview(message: Message): string {
 *   return message.deletedAt === undefined ? message.text : '(deleted)';
 * }
 * ```
 */
export type Message<Meta extends MessageMeta | undefined = MessageMeta> = Omit<
  z.infer<typeof messageSchema>,
  'meta'
> & {
  meta?: Meta | undefined;
};
/**
 * A page of history.
 *
 * @example
 * ```ts
 * const empty: MessagePage = { messages: [], hasMore: false };
 * ```
 */
export type MessagePage<Meta extends MessageMeta | undefined = MessageMeta> = {
  messages: Message<Meta>[];
  hasMore: boolean;
};
/**
 * One reaction toggled: what the `reaction` event carries.
 *
 * @example
 * ```ts
 * chat.client.on('reaction', (change: ReactionChange) => console.log(change.emoji, change.count));
 * ```
 */
export type ReactionChange = z.infer<typeof reactionChange>;
/**
 * One room of the user's, as `rooms:list` gives it, its last message with `meta` of type `Meta`.
 *
 * @example
 * ```ts
 * const hasUnread = (summary: RoomSummary) => summary.unread > 0;
 * ```
 */
export type RoomSummary<Meta extends MessageMeta | undefined = MessageMeta> = Omit<
  z.infer<typeof roomSummarySchema>,
  'lastMessage'
> & {
  lastMessage?: Message<Meta> | undefined;
};
/**
 * One change of a room's members: what the `presence:diff` event carries.
 *
 * @example
 * ```ts
 * const apply = (diff: PresenceDiff) => diff.left?.forEach((userId) => members.delete(userId));
 * ```
 */
export type PresenceDiff = z.infer<typeof presenceDiff>;
/**
 * Why a user was removed from a room: what the `room:removed` event carries.
 *
 * @example
 * ```ts
 * const notice = (removal: RoomRemoval) => (removal.kind === 'banned' ? 'You were banned' : 'You were kicked');
 * ```
 */
export type RoomRemoval = z.infer<typeof roomRemovalSchema>;
