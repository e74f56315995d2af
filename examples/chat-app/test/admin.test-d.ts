import type { ChatwireNamespace } from '@chatwire/server';
import { describe, expectTypeOf, it } from 'vitest';
import type { AdminContract } from '../src/admin-contract.js';
import type { ChatApp } from '../src/server.js';

declare const app: ChatApp;
declare const adminContract: AdminContract;

describe('admin namespace types', () => {
  it('chat.of types a namespace by its contract, payloads as the schema output', () => {
    const typed = app.chat.of('/typed', adminContract);
    expectTypeOf(typed).toEqualTypeOf<ChatwireNamespace<AdminContract>>();
    typed.on('room:members', ({ payload }) => {
      expectTypeOf(payload).toEqualTypeOf<{ roomId: string }>();
      return [];
    });
  });
});
