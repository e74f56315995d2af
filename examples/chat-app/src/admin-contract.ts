import { chatUserSchema, defineContract } from '@chatwire/protocol';
import { z } from 'zod';

const roomId = z.string().min(1).max(128);
const userId = z.string().min(1).max(128);
const reason = z.string().min(1).max(500).optional();
/** A ban or mute: `for` minutes (none: until lifted). */
const restriction = z.object({ roomId, userId, minutes: z.number().int().positive().max(525_600).optional(), reason });
const roomUser = z.object({ roomId, userId });
/** A ban or mute in force, as `room:restrictions` lists it. */
const restricted = z.object({
  userId: z.string(),
  until: z.number().int().optional(),
  reason: z.string().optional(),
  createdAt: z.number().int(),
});

/** How often each chat event ended with each outcome (`ok` or an error code), since the server started. */
export const metricsSchema = z.object({
  events: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
});

/** Chat event metrics, as `metrics:get` answers them. */
export type ChatMetrics = z.infer<typeof metricsSchema>;

/**
 * The demo's `/admin` namespace, beside the chat on the same port: list rooms and members, kick a
 * user (every connection of theirs), kick, ban or mute a user in one room (bans and mutes for some
 * minutes or until lifted), list a room's bans and mutes, read the chat's event metrics. Admins
 * connect with `auth: { token }`, the server's `ADMIN_TOKEN`.
 */
export const adminContract = defineContract({
  clientToServer: {
    'rooms:list': { ack: z.array(z.object({ roomId, members: z.number().int().nonnegative() })) },
    'room:members': { payload: z.object({ roomId }), ack: z.array(chatUserSchema) },
    'user:kick': {
      payload: z.object({ userId: z.string().min(1).max(128) }),
      ack: z.object({ kicked: z.literal(true) }),
    },
    'room:kick': { payload: z.object({ roomId, userId, reason }), ack: z.object({}) },
    'room:ban': { payload: restriction, ack: z.object({}) },
    'room:unban': { payload: roomUser, ack: z.object({}) },
    'room:mute': { payload: restriction, ack: z.object({}) },
    'room:unmute': { payload: roomUser, ack: z.object({}) },
    'room:restrictions': {
      payload: z.object({ roomId }),
      ack: z.object({ bans: z.array(restricted), mutes: z.array(restricted) }),
    },
    'metrics:get': { ack: metricsSchema },
  },
  serverToClient: {},
  auth: z.object({ token: z.string().max(1024) }),
});

export type AdminContract = typeof adminContract;
