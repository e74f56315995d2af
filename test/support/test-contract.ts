import { defineContract } from '@chatwire/protocol';
import { z } from 'zod';

const Text = z.string().min(1).max(100);

/** A contract that exercises every feature of the generic layer. */
export const testContract = defineContract({
  clientToServer: {
    shout: { payload: z.object({ text: Text }) },
    say: { payload: z.object({ text: Text }) },
    reply: { payload: z.object({ text: Text }) },
    whisper: { payload: z.object({ to: z.string(), text: Text }) },
    join: { payload: z.object({ room: z.string().min(1) }), ack: z.object({ rooms: z.array(z.string()) }) },
    leave: { payload: z.object({ room: z.string().min(1) }), ack: z.object({ rooms: z.array(z.string()) }) },
    toRoom: { payload: z.object({ room: z.string(), text: Text, includeSelf: z.boolean().default(false) }) },
    echo: { payload: z.object({ n: z.number().int() }), ack: z.object({ n: z.number().int(), by: z.string() }) },
    whoami: { ack: z.object({ userId: z.string() }) },
    slow: { payload: z.object({ ms: z.number() }), ack: z.null() },
    boom: { ack: z.null() },
    forbidden: {},
    badAck: { ack: z.object({ n: z.number() }) },
    badEmit: {},
    unhandled: {},
  },
  serverToClient: {
    said: { payload: z.object({ from: z.string(), text: Text }) },
    tick: {},
  },
  auth: z.object({ userId: z.string().min(1) }),
  socketData: z.object({ userId: z.string() }),
});
