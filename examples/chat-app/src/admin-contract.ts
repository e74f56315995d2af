import { chatUserSchema, defineContract } from '@chatwire/protocol';
import { z } from 'zod';

const roomId = z.string().min(1).max(128);

/** How often each chat event ended with each outcome (`ok` or an error code), since the server started. */
export const metricsSchema = z.object({
  events: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
});

/** Chat event metrics, as `metrics:get` answers them. */
export type ChatMetrics = z.infer<typeof metricsSchema>;

/**
 * The demo's `/admin` namespace, beside the chat on the same port: list rooms and members, kick a
 * user (every connection of theirs), read the chat's event metrics. Admins connect with
 * `auth: { token }`, the server's `ADMIN_TOKEN`.
 */
export const adminContract = defineContract({
  clientToServer: {
    'rooms:list': { ack: z.array(z.object({ roomId, members: z.number().int().nonnegative() })) },
    'room:members': { payload: z.object({ roomId }), ack: z.array(chatUserSchema) },
    'user:kick': {
      payload: z.object({ userId: z.string().min(1).max(128) }),
      ack: z.object({ kicked: z.literal(true) }),
    },
    'metrics:get': { ack: metricsSchema },
  },
  serverToClient: {},
  auth: z.object({ token: z.string().max(1024) }),
});

export type AdminContract = typeof adminContract;
