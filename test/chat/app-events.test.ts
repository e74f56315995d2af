import { chatContract, defineChatContract } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { nextValue } from '../support/harness.js';
import { ok, startChat } from './support.js';

/** An app's own events beside the chat's: polls. */
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

describe('app events beside the chat', () => {
  it('handles and sends typed app events on the chat server and client, on the same connection as the chat', async () => {
    const { chat, url } = await startChat({ contract });
    const votes = new Map<string, number[]>();
    const voters: string[] = [];
    chat.server.on('poll:vote', ({ payload, socket }) => {
      voters.push(socket.data.user.userId);
      const counts = votes.get(payload.pollId) ?? Array.from({ length: 10 }, () => 0);
      counts[payload.option] = (counts[payload.option] ?? 0) + 1;
      votes.set(payload.pollId, counts);
      chat.server.emit('poll:results', { pollId: payload.pollId, votes: counts });
      return { votes: counts[payload.option] ?? 0 };
    });
    const ana = chatClient(url, 'ana', { contract });
    const ben = chatClient(url, 'ben', { contract });
    const room = await joinRoom(ana, 'r');
    await joinRoom(ben, 'r');
    const results = nextValue<{ pollId: string; votes: number[] }>((fn) => ben.client.on('poll:results', fn));
    const answer = ok(await ana.client.request('poll:vote', { pollId: 'p1', option: 2 }));
    expect(answer).toEqual({ votes: 1 });
    expect((await results).votes[2]).toBe(1);
    expect(voters).toEqual(['ana']);
    // The chat goes on on the same connection.
    ok(await room.send('after the vote'));
    await eventually(() => expect(ben.rooms.get('r')?.messages.map((m) => m.text)).toEqual(['after the vote']));
  });

  it('refuses an app event whose payload breaks its schema with VALIDATION_FAILED; the handler never runs', async () => {
    const { chat, url } = await startChat({ contract });
    let calls = 0;
    chat.server.on('poll:vote', () => {
      calls += 1;
      return { votes: 0 };
    });
    const ana = chatClient(url, 'ana', { contract });
    await ana.ready();
    const refused = await (ana.raw as unknown as { emitWithAck(...args: unknown[]): Promise<unknown> }).emitWithAck(
      'poll:vote',
      { pollId: 'p1', option: 99 },
    );
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: ['option'] })] },
    });
    expect(calls).toBe(0);
    // The typed client refuses it before it leaves (the types refuse it too: app-events.test-d.ts).
    // @ts-expect-error option is a number
    const typed = await ana.client.request('poll:vote', { pollId: 'p1', option: 'two' });
    expect(typed).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses an app event named like a chat event, in either direction, when the contract is defined', () => {
    const payload = z.object({});
    expect(() => defineChatContract({ clientToServer: { 'message:send': { payload } } })).toThrow(TypeError);
    expect(() => defineChatContract({ serverToClient: { 'message:new': { payload } } })).toThrow(TypeError);
    // 'typing' is a chat event from server to client: an app's client event of that name would confuse both.
    expect(() => defineChatContract({ clientToServer: { typing: { payload } } })).toThrow(/"typing" is a chat event/);
    expect(() => defineChatContract({ serverToClient: { disconnect: { payload } } })).toThrow(TypeError);
    expect(() => defineChatContract({ maxMetaBytes: 1 })).toThrow(TypeError);
  });

  it('keeps chatContract the plain chat: the same events as defineChatContract({})', () => {
    const plain = defineChatContract({});
    expect(Object.keys(chatContract.clientToServer)).toEqual(Object.keys(plain.clientToServer));
    expect(Object.keys(chatContract.serverToClient)).toEqual(Object.keys(plain.serverToClient));
    expect(Object.keys(contract.clientToServer)).toEqual([...Object.keys(plain.clientToServer), 'poll:vote']);
    expect(Object.keys(contract.serverToClient)).toEqual([...Object.keys(plain.serverToClient), 'poll:results']);
  });

  it('refuses app events on a server and client made without the contract', async () => {
    const { chat, url } = await startChat();
    // @ts-expect-error the plain chat has no app events
    expect(() => chat.server.on('poll:vote', () => ({ votes: 0 }))).toThrow();
    const ana = chatClient(url, 'ana');
    // @ts-expect-error the plain chat has no app events
    const refused = await ana.client.request('poll:vote', { pollId: 'p', option: 1 });
    expect(refused.ok).toBe(false);
  });
});
