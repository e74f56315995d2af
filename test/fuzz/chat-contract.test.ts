import { createClient } from '@chatwire/client';
import { chatContract, roomIdSchema, serialSchema } from '@chatwire/protocol';
import fc from 'fast-check';
import { beforeAll, describe, expect } from 'vitest';
import type * as z from 'zod/v4/core';
import { connected } from '../support/harness.js';
import { Fuzzer, type FuzzServer, fuzzEveryEvent, startFuzzServer } from './support.js';
import { arbitraryOf } from './zod-arbitrary.js';

/** Rooms the bystander is in and the fuzz client re-joins before each batch. */
const rooms = ['lobby', 'fuzz-room'];

describe('fuzzing the chat contract (ChatServer)', () => {
  let server: FuzzServer;
  let bystander: ReturnType<typeof createClient<typeof chatContract>>;
  let fuzzer: Fuzzer;

  beforeAll(async () => {
    server = await startFuzzServer({ kind: 'chat' });
    bystander = createClient(chatContract, server.url, {
      transports: ['websocket'],
      reconnection: false,
      auth: { userId: 'bystander', name: 'Bystander' },
    });
    await connected(bystander);
    for (const roomId of rooms) expect((await bystander.request('room:join', { roomId })).ok).toBe(true);
    fuzzer = new Fuzzer({
      contract: chatContract,
      server,
      auth: { userId: 'fuzz', name: 'Fuzz' },
      // Mostly rooms both are in and serials that exist, so valid cases reach the store and fan out.
      overrides: new Map<z.$ZodType, fc.Arbitrary<unknown>>([
        [roomIdSchema, fc.oneof(fc.constantFrom(...rooms), arbitraryOf(roomIdSchema))],
        [serialSchema, fc.oneof(fc.integer({ min: 1, max: 30 }), arbitraryOf(serialSchema))],
      ]),
      bystander: bystander.raw as never,
      prepare: async (fuzz) => {
        for (const roomId of rooms) {
          await new Promise((resolve) => fuzz.timeout(10_000).emit('room:join', { roomId }, resolve));
        }
      },
      probe: async () => {
        const page = await bystander.request('history:fetch', { roomId: 'lobby', limit: 1 });
        expect(page.ok).toBe(true);
      },
    });
  });

  fuzzEveryEvent(chatContract, () => ({ fuzzer, bystander, server }));
});
