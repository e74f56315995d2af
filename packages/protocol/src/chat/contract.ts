import { z } from 'zod';
import { defineContract } from '../contract/define-contract.js';
import { MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_LENGTH, MAX_SEARCH_TERMS, searchTerms } from './search.js';

/** Keys that would reach an object's prototype when used as a property name. */
const prototypeKeys = ['__proto__', 'constructor', 'prototype'];

/** Room ids: 1–128 characters of letters, digits and `_ - . : @ #` (not `__proto__` and the like). */
export const roomIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w\-.:@#]+$/, 'Room ids use letters, digits and _ - . : @ #')
  .refine((id) => !prototypeKeys.includes(id), 'Reserved room id');

/** The highest serial a room can reach (a 32-bit signed integer, what SQL stores index). */
export const MAX_SERIAL = 2 ** 31 - 1;

/** A room serial: 1, 2, 3 … per room, assigned by the server, without gaps. */
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

/** A user as others see it. */
export const chatUserSchema = z.object({ userId: storable(128), name: storable(64) });

/** The longest message text, in characters. */
export const MAX_TEXT_LENGTH = 4000;

/** Message text: 1–4000 characters. */
export const messageTextSchema = storable(MAX_TEXT_LENGTH);

/** An emoji (or any short reaction key). */
export const emojiSchema = storable(32).refine((emoji) => !prototypeKeys.includes(emoji), 'Reserved reaction key');

/**
 * Most user ids a message carries per emoji in `reactions` (the first to react); when more reacted,
 * `reactionCounts` says how many.
 */
export const MAX_REACTION_USERS = 20;

/** A stored message, as every client receives it. Times are milliseconds since the epoch (UTC). */
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
});

/** Most messages one `history:fetch` returns. */
export const MAX_PAGE_SIZE = 100;

const page = z.object({ messages: z.array(messageSchema), hasMore: z.boolean() });

/**
 * A `history:search` query: 1–200 characters, no NUL, with 1–10 words (see {@link searchTerms}).
 */
export const searchQuerySchema = storable(MAX_SEARCH_QUERY_LENGTH)
  .refine((query) => searchTerms(query).length > 0, 'Search for at least one word (letters or digits)')
  .refine((query) => searchTerms(query).length <= MAX_SEARCH_TERMS, `Search for at most ${MAX_SEARCH_TERMS} words`);
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
/** The server's clock (ms since the epoch) when it answered: what a client passes as `updatedSince` later. */
const serverTime = z.number().int().min(0);

/**
 * The chat contract: rooms, messages with history, edit/delete, reactions, typing, presence and read
 * markers, with serials per room so that clients lose nothing and duplicate nothing.
 * The wire protocol it defines is written down in docs/protocol.md.
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
    'history:search': {
      payload: z.object({
        roomId: roomIdSchema,
        query: searchQuerySchema,
        /** Only messages older than this serial: the `serial` of the last message of the previous page. */
        before: serialSchema.optional(),
        limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(20),
      }),
      /** The matching messages, newest first; `hasMore`: older ones match too. */
      ack: page,
    },
    sync: {
      payload: z.object({
        rooms: z.record(roomIdSchema, seenSerialSchema),
        /** Also send the messages (up to each given serial) edited, deleted or reacted to since this server time. */
        updatedSince: serverTime.optional(),
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
             * same `updatedSince`); `updated` comes with the last part.
             */
            hasMore: z.boolean(),
          }),
        ),
        serverTime,
      }),
    },
    'read:mark': { payload: z.object({ roomId: roomIdSchema, serial: serialSchema }), ack: z.object({}) },
    'typing:set': { payload: z.object({ roomId: roomIdSchema, isTyping: z.boolean() }) },
  },
  serverToClient: {
    session: { payload: z.object({ user: chatUserSchema }) },
    'message:new': { payload: messageSchema },
    'message:updated': { payload: messageSchema },
    typing: { payload: z.object({ roomId: roomIdSchema, user: chatUserSchema, isTyping: z.boolean() }) },
    'presence:diff': { payload: presenceDiff },
    read: { payload: z.object({ roomId: roomIdSchema, userId: z.string(), serial: serialSchema }) },
    reaction: { payload: reactionChange },
  },
  auth: z.record(z.string(), z.unknown()),
  socketData: z.object({ user: chatUserSchema }),
});

/** The chat contract's type. */
export type ChatContract = typeof chatContract;
/** A user as others see it. */
export type ChatUser = z.infer<typeof chatUserSchema>;
/** A stored message. */
export type Message = z.infer<typeof messageSchema>;
/** A page of history. */
export type MessagePage = z.infer<typeof page>;
/** One reaction toggled: what the `reaction` event carries. */
export type ReactionChange = z.infer<typeof reactionChange>;
/** One change of a room's members: what the `presence:diff` event carries. */
export type PresenceDiff = z.infer<typeof presenceDiff>;
