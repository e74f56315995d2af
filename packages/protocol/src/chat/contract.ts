import { z } from 'zod';
import { defineContract } from '../contract/define-contract.js';

/** Keys that would reach an object's prototype when used as a property name. */
const prototypeKeys = ['__proto__', 'constructor', 'prototype'];

/**
 * Room ids: 1–128 characters of letters, digits and `_ - . : @ #` (not `__proto__` and the like).
 *
 * @example
 * ```ts
 * roomIdSchema.safeParse('general').success; // true
 * roomIdSchema.safeParse('no spaces').success; // false
 * ```
 */
export const roomIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w\-.:@#]+$/, 'Room ids use letters, digits and _ - . : @ #')
  .refine((id) => !prototypeKeys.includes(id), 'Reserved room id');

/**
 * The highest serial a room can reach (a 32-bit signed integer, what SQL stores index).
 *
 * @example
 * ```ts
 * serialSchema.safeParse(MAX_SERIAL + 1).success; // false
 * ```
 */
export const MAX_SERIAL = 2 ** 31 - 1;

/**
 * A room serial: 1, 2, 3 … per room, assigned by the server, without gaps.
 *
 * @example
 * ```ts
 * const before = serialSchema.parse(42); // a history page before message 42
 * ```
 */
export const serialSchema = z.number().int().positive().max(MAX_SERIAL);

/** A serial a client has seen: 0 for none. */
const seenSerialSchema = z.number().int().min(0).max(MAX_SERIAL);

/** Text that databases can store: no NUL characters. */
const storable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !value.includes('\u0000'), 'Must not contain NUL characters');

/**
 * A user as others see it.
 *
 * @example
 * ```ts
 * const user = chatUserSchema.parse({ userId: 'u1', name: 'Ana' });
 * ```
 */
export const chatUserSchema = z.object({ userId: storable(128), name: storable(64) });

/**
 * The longest message text, in characters.
 *
 * @example
 * ```ts
 * if (draft.length > MAX_TEXT_LENGTH) showError(`At most ${MAX_TEXT_LENGTH} characters`);
 * ```
 */
export const MAX_TEXT_LENGTH = 4000;

/**
 * Message text: 1–4000 characters.
 *
 * @example
 * ```ts
 * const text = messageTextSchema.safeParse(input.value);
 * if (!text.success) showError(text.error.issues[0]?.message);
 * ```
 */
export const messageTextSchema = storable(MAX_TEXT_LENGTH);

/**
 * An emoji (or any short reaction key).
 *
 * @example
 * ```ts
 * emojiSchema.parse('👍');
 * ```
 */
export const emojiSchema = storable(32).refine((emoji) => !prototypeKeys.includes(emoji), 'Reserved reaction key');

/**
 * Most user ids a message carries per emoji in `reactions` (the first to react); when more reacted,
 * `reactionCounts` says how many.
 *
 * @example
 * ```ts
 * const more = (message.reactionCounts?.['👍'] ?? 0) - MAX_REACTION_USERS; // users not listed
 * ```
 */
export const MAX_REACTION_USERS = 20;

/**
 * A stored message, as every client receives it. Times are milliseconds since the epoch (UTC).
 *
 * @example
 * ```ts
 * const message = messageSchema.parse(JSON.parse(line)); // a Message, checked
 * ```
 */
export const messageSchema = z.object({
  id: z.string(),
  roomId: roomIdSchema,
  serial: serialSchema,
  clientMessageId: z.string(),
  author: chatUserSchema,
  /** Empty once the message is deleted. */
  text: z.string().max(MAX_TEXT_LENGTH),
  createdAt: z.number().int(),
  editedAt: z.number().int().optional(),
  deletedAt: z.number().int().optional(),
  /** When it last changed after it was sent (edit, delete, reaction): of two copies, the later wins. */
  updatedAt: z.number().int().optional(),
  /** emoji → ids of the users who reacted with it, in the order they did (at most {@link MAX_REACTION_USERS}). */
  reactions: z.record(z.string(), z.array(z.string()).max(MAX_REACTION_USERS)),
  /** emoji → how many users reacted with it, for each emoji whose `reactions` list is cut short. */
  reactionCounts: z.record(z.string(), z.number().int().min(0)).optional(),
  /** Present (true) only on a message the server posted as itself; its author is then {@link SYSTEM_AUTHOR}. */
  system: z.literal(true).optional(),
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

/**
 * Most messages one `history:fetch` returns.
 *
 * @example
 * ```ts
 * await client.request('history:fetch', { roomId: 'general', limit: MAX_PAGE_SIZE });
 * ```
 */
export const MAX_PAGE_SIZE = 100;

const page = z.object({ messages: z.array(messageSchema), hasMore: z.boolean() });
const roomRef = z.object({ roomId: roomIdSchema });
const members = z.array(chatUserSchema);
/** How many members the room has, given only when `members` was cut to fit the answer budget. */
const membersTotal = z.number().int().min(0).optional();
/**
 * The version of a room's member list: each change of the room's members adds exactly 1, so a client
 * holding version v applies the change numbered v + 1 next and sees a gap when one is missing.
 */
const presenceVersion = z.number().int().min(0);
/** One change of a room's members: who came, who went (user ids), and the version it leads to. */
const presenceDiff = z.object({
  roomId: roomIdSchema,
  /** The list's version after this change; it applies to the list of version `version - 1`. */
  version: presenceVersion,
  /** Users now present who were not. */
  joined: z.array(chatUserSchema).optional(),
  /** Ids of users no longer present. */
  left: z.array(z.string()).optional(),
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
  count: z.number().int().min(0),
  /** The message's `updatedAt` after this change. */
  updatedAt: z.number().int(),
});
/**
 * The longest reason a moderator gives for removing a user from a room, in characters.
 *
 * @example
 * ```ts
 * const reason = note.slice(0, MAX_REASON_LENGTH);
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
  kind: z.enum(['kicked', 'banned']),
  /** The moderator's words, for the user. */
  reason: storable(MAX_REASON_LENGTH).optional(),
  /** For a ban that ends by itself: when (ms since the epoch). */
  until: z.number().int().optional(),
});

/** The server's clock (ms since the epoch) when it answered: what a client passes as a room's `updatedSince` later. */
const serverTime = z.number().int().min(0);

/**
 * One room of a `sync`: the last serial held (`after`) and, to also get the messages up to it that
 * were edited, deleted or reacted to meanwhile, the `serverTime` of the last answer that covered the
 * room before (never that of a re-join after a reconnect: it comes after what was missed).
 */
const syncCursor = z.object({ after: seenSerialSchema, updatedSince: serverTime.optional() });

/**
 * The chat contract: rooms, messages with history, edit/delete, reactions, typing, presence and read
 * markers, with serials per room so that clients lose nothing and duplicate nothing.
 * The wire protocol it defines is written down in docs/protocol.md.
 *
 * @example
 * ```ts
 * import { createServer } from '@chatwire/server';
 * const server = createServer(chatContract, { httpServer, authenticate });
 * ```
 */
export const chatContract = defineContract({
  clientToServer: {
    'room:join': {
      payload: roomRef,
      ack: z.object({
        roomId: roomIdSchema,
        lastSerial: z.number().int().min(0),
        members,
        membersTotal,
        presenceVersion,
        serverTime,
      }),
    },
    'room:leave': { payload: roomRef, ack: z.object({}) },
    'message:send': {
      payload: z.object({ roomId: roomIdSchema, clientMessageId: storable(128), text: messageTextSchema }),
      ack: messageSchema,
    },
    'message:edit': {
      payload: z.object({ roomId: roomIdSchema, serial: serialSchema, text: messageTextSchema }),
      ack: messageSchema,
    },
    'message:delete': { payload: z.object({ roomId: roomIdSchema, serial: serialSchema }), ack: messageSchema },
    'reaction:toggle': {
      payload: z.object({ roomId: roomIdSchema, serial: serialSchema, emoji: emojiSchema }),
      ack: messageSchema,
    },
    'history:fetch': {
      payload: z
        .object({
          roomId: roomIdSchema,
          before: serialSchema.optional(),
          after: seenSerialSchema.optional(),
          limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
        })
        .refine((query) => query.before === undefined || query.after === undefined, {
          message: 'Give before or after, not both',
        }),
      ack: page,
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
            messages: z.array(messageSchema),
            discontinuity: z.boolean(),
            /** With `updatedSince`: the changed messages, each in its current state. */
            updated: z.array(messageSchema),
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
        action: z.enum(['kick', 'ban', 'unban', 'mute', 'unmute']),
        /** For `ban` and `mute`: when it ends (ms since the epoch); none: until lifted. */
        until: z.number().int().optional(),
        /** For `kick`, `ban` and `mute`: told to the user. */
        reason: storable(MAX_REASON_LENGTH).optional(),
      }),
      ack: z.object({}),
    },
  },
  serverToClient: {
    session: { payload: z.object({ user: chatUserSchema }) },
    'message:new': { payload: messageSchema },
    'message:updated': { payload: messageSchema },
    typing: { payload: z.object({ roomId: roomIdSchema, user: chatUserSchema, isTyping: z.boolean() }) },
    'presence:diff': { payload: presenceDiff },
    read: { payload: z.object({ roomId: roomIdSchema, userId: z.string(), serial: serialSchema }) },
    reaction: { payload: reactionChange },
    'room:removed': { payload: roomRemovalSchema },
  },
  auth: z.record(z.string(), z.unknown()),
  socketData: z.object({ user: chatUserSchema }),
});

/**
 * The chat contract's type.
 *
 * @example
 * ```ts
 * import type { ChatwireClient } from '@chatwire/client';
 * function watch(client: ChatwireClient<ChatContract>) {
 *   client.on('message:new', (message) => console.log(message.text));
 * }
 * ```
 */
export type ChatContract = typeof chatContract;
/**
 * A user as others see it.
 *
 * @example
 * ```ts
 * const ana: ChatUser = { userId: 'u1', name: 'Ana' };
 * ```
 */
export type ChatUser = z.infer<typeof chatUserSchema>;
/**
 * A stored message.
 *
 * @example
 * ```ts
 * const line = (message: Message) => `${message.author.name}: ${message.text}`;
 * ```
 */
export type Message = z.infer<typeof messageSchema>;
/**
 * A page of history.
 *
 * @example
 * ```ts
 * const oldest = (page: MessagePage) => page.messages[0]?.serial;
 * ```
 */
export type MessagePage = z.infer<typeof page>;
/**
 * One reaction toggled: what the `reaction` event carries.
 *
 * @example
 * ```ts
 * const label = (change: ReactionChange) => `${change.emoji} ×${change.count}`;
 * ```
 */
export type ReactionChange = z.infer<typeof reactionChange>;
/**
 * One change of a room's members: what the `presence:diff` event carries.
 *
 * @example
 * ```ts
 * const left = (diff: PresenceDiff) => diff.left ?? [];
 * ```
 */
export type PresenceDiff = z.infer<typeof presenceDiff>;
/**
 * Why a user was removed from a room: what the `room:removed` event carries.
 *
 * @example
 * ```ts
 * const notice = (removal: RoomRemoval) => (removal.kind === 'banned' ? 'You were banned' : 'You were removed');
 * ```
 */
export type RoomRemoval = z.infer<typeof roomRemovalSchema>;
