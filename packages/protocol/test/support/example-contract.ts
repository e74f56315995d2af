import { z } from 'zod';
import { defineContract } from '../../src/index.js';

const Page = z.object({ items: z.array(z.string()), hasMore: z.boolean() });

/** A contract with every kind of event: payload or none, ack or none, defaults, both directions. */
export const contract = defineContract({
  clientToServer: {
    login: { payload: z.object({ name: z.string().min(1), userid: z.string() }) },
    chat: { payload: z.object({ msg: z.string().trim().min(1) }) },
    forceDisconnect: {},
    history: { payload: z.object({ limit: z.number().int().default(20) }), ack: Page },
    ping: { ack: z.literal('pong') },
  },
  serverToClient: {
    login: { payload: z.string() },
    tick: {},
    confirm: {
      payload: z.object({ text: z.string() }),
      ack: z.object({ yes: z.boolean(), note: z.string().default('') }),
    },
    ready: { ack: z.literal(true) },
  },
  auth: z.object({ token: z.string() }),
  socketData: z.object({ userId: z.string() }),
});
