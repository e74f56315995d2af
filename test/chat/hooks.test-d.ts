import type { ChatUser, Message } from '@chatwire/protocol';
import type { ChatServer } from '@chatwire/server';
import { describe, expectTypeOf, it } from 'vitest';

declare const chat: ChatServer;

describe('chat hook types', () => {
  it('types each hook by its name', () => {
    chat.on('message:created', ({ message, by }) => {
      expectTypeOf(message).toEqualTypeOf<Message>();
      expectTypeOf(by).toEqualTypeOf<ChatUser | 'system'>();
    });
    chat.on('member:left', (event) => {
      expectTypeOf(event).toEqualTypeOf<{ roomId: string; userId: string }>();
    });
    // @ts-expect-error: no such hook
    chat.on('message:sent', () => {});
  });

  it('types chat.send by who it posts as: a user or the system', () => {
    expectTypeOf(chat.send).parameter(2).toEqualTypeOf<{ as: ChatUser | 'system' }>();
    // @ts-expect-error: a user or 'system'
    void chat.send('r', { text: 'x' }, { as: 'admin' });
  });
});
