import type { ChatClient, ChatwireClient } from '@chatwire/client';
import { type chatContract, defineChatContract, type MessageOf, type Result } from '@chatwire/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

/** The same attachments meta as rich-messages.test.ts. */
const attachment = z.object({
  url: z.url(),
  name: z.string().min(1).max(200),
  size: z.number().int().min(0),
  type: z.string().min(1).max(100),
});
const contract = defineChatContract({
  meta: z.object({ attachments: z.array(attachment).max(10).optional(), pinned: z.boolean().optional() }),
  maxMetaBytes: 512,
});
type AppMessage = MessageOf<typeof contract>;

declare const app: ChatwireClient<typeof contract>;
declare const plain: ChatwireClient<typeof chatContract>;
declare const chat: ChatClient<typeof contract>;

describe('rich message types', () => {
  it("types meta by the app's schema on the typed client", () => {
    expectTypeOf<AppMessage['meta']>().toEqualTypeOf<
      { attachments?: z.infer<typeof attachment>[]; pinned?: boolean } | undefined
    >();
    expectTypeOf(app.request<'message:send'>).returns.resolves.toEqualTypeOf<Result<AppMessage>>();
  });

  it('types a plain chat message without meta, and refuses meta in its send', () => {
    expectTypeOf<MessageOf<typeof chatContract>['meta']>().toEqualTypeOf<undefined>();
    // @ts-expect-error the plain chat contract has no meta
    void plain.request('message:send', { roomId: 'r', clientMessageId: 'd', text: 'x', meta: { a: 1 } });
  });

  it("types a ChatRoom send's answer as the app's message, and its meta by the schema", () => {
    const room = chat.rooms.get('r');
    if (room === undefined) return;
    expectTypeOf(room.send).returns.resolves.toEqualTypeOf<Result<AppMessage>>();
    // @ts-expect-error meta must match the contract's schema
    void room.send({ text: 'y', meta: { pinned: 'yes' } });
  });
});
