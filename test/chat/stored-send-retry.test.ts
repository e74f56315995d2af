import type { RoomAuthorization } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { connectUser, join, ok, record, send, startChat } from './support.js';

describe('a retry of a stored send', () => {
  it('answers the stored original with the allowance used up, without charging it or running policy again', async () => {
    let clock = 1_800_000_000_000;
    const asked: RoomAuthorization[] = [];
    const moderated: string[] = [];
    let maySend = true;
    const { url } = await startChat({
      now: () => clock,
      rateLimit: { ratePerSecond: 1, burst: 2 },
      authorizeRoom: (request) => {
        asked.push(request);
        return request.action !== 'send' || maySend;
      },
      moderate: ({ text }) => {
        moderated.push(text);
        return { text };
      },
    });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const original = await send(ana, 'lobby', 'first', 'c-1');
    await send(ana, 'lobby', 'second', 'c-2');
    const resend = (clientMessageId: string, text: string) =>
      ana.request('message:send', { roomId: 'lobby', clientMessageId, text });
    expect(await resend('c-3', 'third')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const reacted = ok(await ana.request('reaction:toggle', { roomId: 'lobby', serial: original.serial, emoji: '👍' }));

    const delivered = record(ana, 'message:new');
    maySend = false; // the policy changed since: the stored message stays what it is
    // The original as it is now (reacted to), not the retry's text.
    expect(ok(await resend('c-1', 'changed on retry'))).toEqual(reacted);
    expect(ok(await resend('c-1', 'again'))).toEqual(reacted);
    expect(asked.filter((request) => request.action === 'send')).toHaveLength(2);
    expect(moderated).toEqual(['first', 'second']);

    // One token came back; had the retries used it, this send would be refused.
    maySend = true;
    clock += 1000;
    expect(ok(await resend('c-3', 'third'))).toMatchObject({ serial: 3, text: 'third' });
    expect(delivered.map((message) => message.clientMessageId)).toEqual(['c-3']);
  });
});
