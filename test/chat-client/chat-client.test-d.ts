import type { ChatClient } from '@chatwire/client';
import { describe, expectTypeOf, it } from 'vitest';

declare const chat: ChatClient;

describe('ChatClient types', () => {
  it('knows its event names and listener signatures', () => {
    chat.on('session', (user) => expectTypeOf(user.userId).toEqualTypeOf<string>());
    // @ts-expect-error: a misspelt event name does not type-check
    chat.on('sesion', () => {});
  });
});
