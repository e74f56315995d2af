import { defineContract } from '@chatwire/protocol';
import { z } from 'zod';

/** A second contract, served at `/admin` beside the test contract: its own events, auth and socket data. */
export const adminContract = defineContract({
  clientToServer: {
    kick: { payload: z.object({ userId: z.string().min(1) }), ack: z.object({ kicked: z.string() }) },
    broadcast: { payload: z.object({ text: z.string().min(1) }) },
    join: { payload: z.object({ room: z.string().min(1) }), ack: z.null() },
  },
  serverToClient: { notice: { payload: z.object({ text: z.string() }) } },
  auth: z.object({ token: z.string().min(1) }),
  socketData: z.object({ role: z.literal('admin') }),
});
