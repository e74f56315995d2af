import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type AckInput,
  type AckOutput,
  type AuthInput,
  type ClientEvent,
  type ClientToServerEvents,
  defineContract,
  type EmitEventName,
  type PayloadArgs,
  type PayloadInput,
  type PayloadOutput,
  type RequestEventName,
  type Result,
  type ServerEvent,
  type SocketDataOf,
} from '../src/index.js';

const Page = z.object({ items: z.array(z.string()), hasMore: z.boolean() });

const contract = defineContract({
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
  },
  auth: z.object({ token: z.string() }),
  socketData: z.object({ userId: z.string() }),
});

type C = typeof contract;

describe('defineContract', () => {
  it('keeps the spec and marks it as a contract', () => {
    expect(contract.kind).toBe('chatwire.contract');
    expect(Object.keys(contract.clientToServer)).toEqual(['login', 'chat', 'forceDisconnect', 'history', 'ping']);
    expect(Object.isFrozen(contract)).toBe(true);
  });

  it('refuses reserved event names', () => {
    expect(() => defineContract({ clientToServer: { disconnect: {} }, serverToClient: {} })).toThrow(/reserved/);
    expect(() =>
      defineContract({ clientToServer: {}, serverToClient: { 'chatwire:error': { payload: z.string() } } }),
    ).toThrow(/reserved/);
  });

  it('refuses a payload that is not a zod schema', () => {
    expect(() =>
      defineContract({ clientToServer: { a: { payload: { parse: () => 1 } as never } }, serverToClient: {} }),
    ).toThrow(/not a zod schema/);
  });

  it('refuses an ack on a server → client event', () => {
    expect(() => defineContract({ clientToServer: {}, serverToClient: { a: { ack: z.string() } as never } })).toThrow(
      /cannot have an ack/,
    );
  });
});

describe('contract types', () => {
  it('types senders with zod input and receivers with zod output', () => {
    type History = ClientEvent<C, 'history'>;
    expectTypeOf<PayloadInput<History>>().toEqualTypeOf<{ limit?: number | undefined }>();
    expectTypeOf<PayloadOutput<History>>().toEqualTypeOf<{ limit: number }>();
    expectTypeOf<AckInput<History>>().toEqualTypeOf<{ items: string[]; hasMore: boolean }>();
    expectTypeOf<AckOutput<ClientEvent<C, 'ping'>>>().toEqualTypeOf<'pong'>();
  });

  it('gives events without a payload no payload argument', () => {
    expectTypeOf<PayloadArgs<ClientEvent<C, 'forceDisconnect'>>>().toEqualTypeOf<[]>();
    expectTypeOf<PayloadArgs<ServerEvent<C, 'tick'>>>().toEqualTypeOf<[]>();
    expectTypeOf<PayloadArgs<ServerEvent<C, 'login'>>>().toEqualTypeOf<[payload: string]>();
  });

  it('splits events into requests (with an ack) and the rest', () => {
    expectTypeOf<RequestEventName<C>>().toEqualTypeOf<'history' | 'ping'>();
    expectTypeOf<EmitEventName<C>>().toEqualTypeOf<'login' | 'chat' | 'forceDisconnect'>();
  });

  it('derives auth, socket data and socket.io event maps', () => {
    expectTypeOf<AuthInput<C>>().toEqualTypeOf<{ token: string }>();
    expectTypeOf<SocketDataOf<C>>().toEqualTypeOf<{ userId: string }>();
    expectTypeOf<Parameters<ClientToServerEvents<C>['chat']>[0]>().toEqualTypeOf<{ msg: string }>();
    expectTypeOf<Parameters<ClientToServerEvents<C>['ping']>[0]>().toEqualTypeOf<
      ((result: Result<'pong'>) => void) | undefined
    >();
  });

  it('falls back to a plain record for socket data and undefined auth', () => {
    const bare = defineContract({ clientToServer: {}, serverToClient: {} });
    expectTypeOf<SocketDataOf<typeof bare>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<AuthInput<typeof bare>>().toEqualTypeOf<undefined>();
  });
});
