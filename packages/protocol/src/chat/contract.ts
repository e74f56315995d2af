import { z } from 'zod';
import { defineContract } from '../contract/define-contract.js';

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

/** The highest `unread` a room summary gives: more unread messages are still reported as this. */
export const MAX_UNREAD = 999;

/** Most rooms one `rooms:list` answer carries (fewer when the answer budget is reached first). */
export const MAX_ROOMS_PAGE = 100;

/** One room the user is a member of, as `rooms:list` gives it. */
export const roomSummarySchema = z.object({
  roomId: roomIdSchema,
  /** The room's highest serial, 0 when it has no message. */
  lastSerial: z.number().int().min(0),
  /** The user's read marker, 0 when they read nothing. */
  readSerial: z.number().int().min(0),
  /**
   * Messages after `readSerial` that others wrote and that are not deleted, at most {@link MAX_UNREAD}
   * (more are reported as {@link MAX_UNREAD}). The user's own send moves their marker to it.
   */
  unread: z.number().int().min(0).max(MAX_UNREAD),
  /** The message with serial `lastSerial` (a tombstone when deleted); absent when the room has none left. */
  lastMessage: messageSchema.optional(),
});

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
        /** The joining user's read marker in the room, 0 for none. */
        readSerial: z.number().int().min(0),
        /** The room's read markers, userId → serial (as many as fit the answer budget: see `readMarkersTotal`). */
        readMarkers: z.record(z.string(), serialSchema),
        /** How many read markers the room has, given only when `readMarkers` was cut to fit the answer budget. */
        readMarkersTotal: z.number().int().min(0).optional(),
      }),
    },
    'room:leave': { payload: roomRef, ack: z.object({}) },
    'rooms:list': {
      payload: z.object({
        /** Rooms after this room id (the last one of the previous page); absent for the first page. */
        after: roomIdSchema.optional(),
        limit: z.number().int().min(1).max(MAX_ROOMS_PAGE).default(MAX_ROOMS_PAGE),
      }),
      ack: z.object({
        /** The user's rooms in ascending room id order. */
        rooms: z.array(roomSummarySchema),
        /** More rooms follow: ask again with `after` set to the last room id of this page. */
        hasMore: z.boolean(),
      }),
    },
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
    /**
     * A message was stored in a room the user is a member of but this connection has not joined
     * (sent only for rooms with few members; see docs/protocol.md).
     */
    'room:activity': { payload: z.object({ roomId: roomIdSchema, message: messageSchema }) },
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
/** One room of the user's, as `rooms:list` gives it. */
export type RoomSummary = z.infer<typeof roomSummarySchema>;
/** One change of a room's members: what the `presence:diff` event carries. */
export type PresenceDiff = z.infer<typeof presenceDiff>;
