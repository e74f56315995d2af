import { describe, expectTypeOf, it } from 'vitest';
import {
  type AckInput,
  type AckOutput,
  type AuthInput,
  type ChatContract,
  type ClientEvent,
  type ClientToServerEvents,
  defineContract,
  type EmitEventName,
  type PayloadArgs,
  type PayloadInput,
  type PayloadOutput,
  type RequestEventName,
  type Result,
  type RoomRemoval,
  type ServerEmitEventName,
  type ServerEvent,
  type ServerRequestEventName,
  type ServerToClientEvents,
  type SocketDataOf,
} from '../src/index.js';
import type { contract } from './support/example-contract.js';

type C = typeof contract;

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

  it('types server requests: sent with zod input, answered with zod input, received as zod output', () => {
    expectTypeOf<ServerRequestEventName<C>>().toEqualTypeOf<'confirm' | 'ready'>();
    expectTypeOf<ServerEmitEventName<C>>().toEqualTypeOf<'login' | 'tick'>();
    type Confirm = ServerEvent<C, 'confirm'>;
    expectTypeOf<AckInput<Confirm>>().toEqualTypeOf<{ yes: boolean; note?: string | undefined }>();
    expectTypeOf<AckOutput<Confirm>>().toEqualTypeOf<{ yes: boolean; note: string }>();
    // socket.io's map: an event with an ack takes the answer callback last, one without takes none.
    expectTypeOf<Parameters<ServerToClientEvents<C>['confirm']>>().toEqualTypeOf<
      [payload: { text: string }, ack: (result: Result<{ yes: boolean; note?: string | undefined }>) => void]
    >();
    expectTypeOf<Parameters<ServerToClientEvents<C>['ready']>>().toEqualTypeOf<[ack: (result: Result<true>) => void]>();
    expectTypeOf<Parameters<ServerToClientEvents<C>['login']>>().toEqualTypeOf<[payload: string]>();
  });

  it('falls back to a plain record for socket data and undefined auth', () => {
    const bare = defineContract({ clientToServer: {}, serverToClient: {} });
    expectTypeOf<SocketDataOf<typeof bare>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<AuthInput<typeof bare>>().toEqualTypeOf<undefined>();
  });

  it('types the moderation actions and removal kinds as their unions of literals', () => {
    type Moderate = PayloadInput<ClientEvent<ChatContract, 'room:moderate'>>;
    expectTypeOf<Moderate['action']>().toEqualTypeOf<'kick' | 'ban' | 'unban' | 'mute' | 'unmute'>();
    expectTypeOf<RoomRemoval['kind']>().toEqualTypeOf<'kicked' | 'banned'>();
  });
});
