import type { ChatClient } from '@chatwire/client';
import type { RoomSummary } from '@chatwire/protocol';
import { describe, expectTypeOf, it } from 'vitest';

declare const phone: ChatClient;

describe('ChatClient room list types', () => {
  it('types roomList as read-only summaries with a numeric unread count', () => {
    expectTypeOf(phone.roomList).toEqualTypeOf<readonly RoomSummary[]>();
    expectTypeOf(phone.roomList[0]?.unread).toEqualTypeOf<number | undefined>();
  });
});
