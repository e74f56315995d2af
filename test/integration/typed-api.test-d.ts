import type { ChatwireClient } from '@chatwire/client';
import type { ErrorCode, Result } from '@chatwire/protocol';
import type {
  BroadcastAnswers,
  ChatwireNamespace,
  ChatwireServer,
  ChatwireSocket,
  EventContext,
  EventOutcome,
} from '@chatwire/server';
import { describe, expectTypeOf, it } from 'vitest';
import type { adminContract } from '../support/admin-contract.js';
import type { serverRequestContract } from '../support/server-request-contract.js';
import type { testContract } from '../support/test-contract.js';

type T = typeof testContract;
type Admin = typeof adminContract;
type Requests = typeof serverRequestContract;

declare const client: ChatwireClient<T>;
declare const server: ChatwireServer<T>;
declare const admin: Admin;
declare const requester: ChatwireServer<Requests>;
declare const socket: ChatwireSocket<Requests>;
declare const answerer: ChatwireClient<Requests>;

describe('client → server', () => {
  it('types a request answer as the ack schema output in a Result', () => {
    expectTypeOf(client.request<'echo'>).returns.resolves.toEqualTypeOf<Result<{ n: number; by: string }>>();
  });

  it('types emit to events without an ack, returning a Result', () => {
    expectTypeOf(client.emit<'say'>).returns.toEqualTypeOf<Result<void>>();
    expectTypeOf(client.emit)
      .parameter(0)
      .toEqualTypeOf<'shout' | 'say' | 'reply' | 'whisper' | 'toRoom' | 'forbidden' | 'badEmit' | 'unhandled'>();
    // @ts-expect-error an event with an ack goes through request
    client.emit('echo', { n: 1 });
    // @ts-expect-error an event with an ack goes through request, even without a payload
    client.emit('whoami');
  });
});

describe('server hooks', () => {
  it('types socket.data by the contract socketData schema', () => {
    server.onConnection((socket) => {
      expectTypeOf(socket.data).toEqualTypeOf<{ userId: string }>();
    });
  });

  it('types the event middleware context per event and the outcome', () => {
    server.useEvent((context, next) => {
      expectTypeOf(context).toEqualTypeOf<EventContext<T>>();
      expectTypeOf(context.socket).toEqualTypeOf<ChatwireSocket<T>>();
      if (context.event === 'echo') expectTypeOf(context.payload).toEqualTypeOf<{ n: number }>();
      if (context.event === 'whoami') expectTypeOf(context.payload).toEqualTypeOf<undefined>();
      expectTypeOf(next).returns.resolves.toEqualTypeOf<EventOutcome>();
      return next().then(() => undefined);
    });
    expectTypeOf<Extract<EventOutcome, { ok: false }>['code']>().toEqualTypeOf<ErrorCode>();
  });

  it('types a namespace by its own contract', () => {
    const namespace = server.of('/admin', admin);
    expectTypeOf(namespace).toEqualTypeOf<ChatwireNamespace<Admin>>();
    namespace.onConnection((socket) => {
      expectTypeOf(socket).toEqualTypeOf<ChatwireSocket<Admin>>();
      expectTypeOf(socket.data).toEqualTypeOf<{ role: 'admin' }>();
    });
    expectTypeOf(namespace.on).parameter(0).toEqualTypeOf<'kick' | 'broadcast' | 'join'>();
    expectTypeOf(namespace.emit<'notice'>).parameters.toEqualTypeOf<['notice', { text: string }]>();
    // @ts-expect-error `said` belongs to the default namespace's contract
    namespace.emit('said', { from: 'x', text: 'y' });
    // @ts-expect-error `echo` is not an event of /admin
    namespace.on('echo', () => null);
  });
});

describe('server → client requests', () => {
  type ConfirmAnswer = { yes: boolean; note: string };
  type ConfirmAnswerInput = { yes: boolean; note?: string | undefined };

  it('sends z.input, hands the client handler z.output, answers the server with the ack output', () => {
    answerer.handle('confirm', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<{ text: string }>();
      return { yes: true };
    });
    expectTypeOf(socket.request<'confirm'>).returns.resolves.toEqualTypeOf<Result<ConfirmAnswer>>();
    expectTypeOf(requester.to('room').request<'confirm'>).returns.resolves.toEqualTypeOf<
      Result<BroadcastAnswers<ConfirmAnswer>>
    >();
    // @ts-expect-error requests are answered with handle(), not listened to
    answerer.on('confirm', () => {});
    // @ts-expect-error only events with an ack have a handler
    answerer.handle('news', () => undefined);
  });

  it('keeps the socket.io escape hatch typed: emitWithAck on the server, an ack callback on the client', () => {
    answerer.raw.on('confirm', (payload, ack) => {
      expectTypeOf(payload).toEqualTypeOf<{ text: string }>();
      expectTypeOf(ack).toEqualTypeOf<(result: Result<ConfirmAnswerInput>) => void>();
    });
    expectTypeOf(socket.raw.timeout(1000).emitWithAck('ready')).toEqualTypeOf<Promise<Result<true>>>();
  });
});
