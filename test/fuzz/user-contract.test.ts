import { createClient } from '@chatwire/client';
import { ChatwireError, defineContract } from '@chatwire/protocol';
import { beforeAll, describe, expect } from 'vitest';
import { z } from 'zod';
import { connected } from '../support/harness.js';
import { Fuzzer, type FuzzServer, fuzzEveryEvent, startFuzzServer } from './support.js';

const Shape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('circle'), r: z.number().positive().max(1000) }),
  z.object({ kind: z.literal('rect'), w: z.number().min(0).max(1000), h: z.number().min(0).max(1000) }),
  z.object({
    kind: z.literal('path'),
    points: z
      .array(z.tuple([z.number(), z.number()]))
      .min(2)
      .max(20),
  }),
]);

/** An app's own contract, with the schema kinds apps use beside the chat. */
const userContract = defineContract({
  clientToServer: {
    'profile:update': {
      payload: z.object({
        name: z.string().min(1).max(40),
        age: z.number().int().min(0).max(150).optional(),
        tags: z.array(z.string().min(1).max(10)).max(5),
        contact: z.union([
          z.object({
            email: z
              .string()
              .regex(/^[^@\s]+@[^@\s]+$/)
              .max(80),
          }),
          z.object({ phone: z.string().regex(/^\+?\d{6,15}$/) }),
        ]),
        theme: z.enum(['light', 'dark']).nullable().default(null),
      }),
      ack: z.object({ version: z.number().int().positive() }),
    },
    'shape:draw': { payload: Shape },
    'score:add': { payload: z.number().int().min(-100).max(100), ack: z.number().int() },
    'flags:set': { payload: z.record(z.enum(['sound', 'vibrate', 'badge']), z.boolean()) },
    ping: {},
    'clock:get': { ack: z.object({ nowMs: z.number().int() }) },
  },
  serverToClient: {
    drawn: { payload: Shape },
  },
});

describe('fuzzing an app contract (unions, optionals, arrays, bounds, no payload, acks)', () => {
  let server: FuzzServer;
  let bystander: ReturnType<typeof createClient<typeof userContract>>;
  let fuzzer: Fuzzer;

  beforeAll(async () => {
    let version = 0;
    let score = 0;
    server = await startFuzzServer({
      kind: 'contract',
      contract: userContract,
      register: (app) => {
        app
          .on('profile:update', () => ({ version: ++version }))
          .on('shape:draw', ({ payload, socket }) => socket.broadcast.emit('drawn', payload))
          .on('score:add', ({ payload }) => {
            if (score + payload > 1000) throw new ChatwireError('CONFLICT', 'Score is full');
            score += payload;
            return score;
          })
          .on('flags:set', () => {})
          .on('ping', () => {})
          .on('clock:get', () => ({ nowMs: Date.now() }));
      },
    });
    bystander = createClient(userContract, server.url, { transports: ['websocket'], reconnection: false });
    await connected(bystander);
    fuzzer = new Fuzzer({
      contract: userContract,
      server,
      bystander: bystander.raw as never,
      probe: async () => {
        const clock = await bystander.request('clock:get');
        expect(clock.ok).toBe(true);
      },
    });
  });

  fuzzEveryEvent(userContract, () => ({ fuzzer, bystander, server }));
});
