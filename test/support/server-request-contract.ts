import { defineContract } from '@chatwire/protocol';
import { z } from 'zod';

/** Server → client requests (with an ack) and a plain server event; no client → server events. */
export const serverRequestContract = defineContract({
  clientToServer: {},
  serverToClient: {
    confirm: {
      payload: z.object({ text: z.string().min(1) }),
      ack: z.object({ yes: z.boolean(), note: z.string().default('') }),
    },
    ready: { ack: z.literal(true) },
    unanswered: { ack: z.string() },
    news: { payload: z.string() },
  },
  auth: z.object({ userId: z.string() }),
  socketData: z.object({ userId: z.string() }),
});
