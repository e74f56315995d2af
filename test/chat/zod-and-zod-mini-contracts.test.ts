import { defineChatContract } from '@chatwire/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import * as zm from 'zod/mini';
import { chatClient, joinRoom } from '../chat-client/support.js';
import { ok, startChat } from './support.js';

/** The same app contract (message `meta` and one app event), written with classic zod… */
const classic = defineChatContract({
  meta: z.object({ mood: z.enum(['happy', 'sad']), note: z.string().optional() }),
  maxMetaBytes: 64,
  clientToServer: {
    'poll:vote': {
      payload: z.object({ option: z.number().int().min(0).max(9) }),
      ack: z.object({ votes: z.number() }),
    },
  },
});

/** …and with zod/mini. */
const mini = defineChatContract({
  meta: zm.object({ mood: zm.enum(['happy', 'sad']), note: zm.optional(zm.string()) }),
  maxMetaBytes: 64,
  clientToServer: {
    'poll:vote': {
      payload: zm.object({ option: zm.number().check(zm.int(), zm.gte(0), zm.lte(9)) }),
      ack: zm.object({ votes: zm.number() }),
    },
  },
});

describe.each([
  ['zod', classic],
  ['zod/mini', mini],
] as const)('a contract written with %s', (_flavour, contract) => {
  it('validates message meta and app events on the server and the client', async () => {
    const { chat, url } = await startChat({ contract });
    chat.server.on('poll:vote', ({ payload }) => {
      expectTypeOf(payload.option).toEqualTypeOf<number>();
      return { votes: payload.option + 1 };
    });
    const ana = chatClient(url, 'ana', { contract });
    const room = await joinRoom(ana, 'r');

    const sent = ok(await room.send({ text: 'hi', meta: { mood: 'happy' } }));
    expectTypeOf(sent.meta?.mood).toEqualTypeOf<'happy' | 'sad' | undefined>();
    expect(sent.meta).toEqual({ mood: 'happy' });
    expect(ok(await ana.client.request('poll:vote', { option: 2 }))).toEqual({ votes: 3 });

    // The client refuses what breaks the schemas before it leaves…
    // @ts-expect-error mood is happy or sad
    expect(await room.send({ text: 'x', meta: { mood: 'angry' } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: ['meta', 'mood'] })] },
    });
    expect(await ana.client.request('poll:vote', { option: 10 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: ['option'] })] },
    });

    // …and the server refuses it too, sent around the client's checks, with English messages.
    const raw = ana.raw as unknown as { emitWithAck(...args: unknown[]): Promise<unknown> };
    expect(await raw.emitWithAck('poll:vote', { option: 10 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/Too big/) },
    });
    const tooLong = { mood: 'happy', note: 'x'.repeat(100) };
    expect(
      await raw.emitWithAck('message:send', { roomId: 'r', clientMessageId: 'c1', text: 'x', meta: tooLong }),
    ).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/meta must be at most 64 bytes of JSON/) },
    });
  });
});
