import type { ChatClient } from '@chatwire/client';
import { defineChatContract, type Result } from '@chatwire/protocol';
import type { ChatServer } from '@chatwire/server';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

/** The same poll contract as app-events.test.ts. */
const contract = defineChatContract({
  clientToServer: {
    'poll:vote': {
      payload: z.object({ pollId: z.string().min(1).max(64), option: z.number().int().min(0).max(9) }),
      ack: z.object({ votes: z.number().int() }),
    },
  },
  serverToClient: {
    'poll:results': { payload: z.object({ pollId: z.string(), votes: z.array(z.number().int()) }) },
  },
});

declare const chat: ChatServer<typeof contract>;
declare const ana: ChatClient<typeof contract>;
declare const plainChat: ChatServer;
declare const plainAna: ChatClient;

describe('app event types', () => {
  it('types an app event handler payload and a request answer by the contract', () => {
    chat.server.on('poll:vote', ({ payload }) => {
      expectTypeOf(payload.option).toEqualTypeOf<number>();
      expectTypeOf(payload.pollId).toEqualTypeOf<string>();
      return { votes: 0 };
    });
    ana.client.on('poll:results', (results) => {
      expectTypeOf(results).toEqualTypeOf<{ pollId: string; votes: number[] }>();
    });
    const answer = ana.client.request('poll:vote', { pollId: 'p1', option: 2 });
    expectTypeOf(answer).resolves.toEqualTypeOf<Result<{ votes: number }>>();
    // @ts-expect-error option is a number
    void ana.client.request('poll:vote', { pollId: 'p1', option: 'two' });
  });

  it('types app events only on a server and client made with the contract', () => {
    // @ts-expect-error the plain chat has no app events
    plainChat.server.on('poll:vote', () => ({ votes: 0 }));
    // @ts-expect-error the plain chat has no app events
    void plainAna.client.request('poll:vote', { pollId: 'p', option: 1 });
  });
});
