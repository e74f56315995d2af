import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatClient, ChatRoom } from '@chatwire/client';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { DemoContract } from '../src/chat-contract.js';
import { rollCommand } from '../src/dice-bot.js';
import { startApp, user } from './support.js';

async function joinRoom(chat: ChatClient<DemoContract>, roomId: string): Promise<ChatRoom<DemoContract>> {
  const joined = await chat.join(roomId);
  if (!joined.ok) throw new Error(`join refused: ${joined.error.code} ${joined.error.message}`);
  return joined.data;
}

/** [author's name, text] of each sent message of the room. */
const lines = (room: ChatRoom<DemoContract>) => room.messages.map((m) => [m.author.name, m.text]);

/** A local HTTP endpoint on port 0 that answers `status` and keeps every JSON body POSTed to it. */
async function startEndpoint(status = 204) {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method === 'POST' && req.headers['content-type'] === 'application/json') bodies.push(JSON.parse(body));
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { bodies, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

describe('the demo’s dice bot', () => {
  it('answers /roll and /roll 20 in the room, as the Dice user, from the injected random source', async () => {
    const { url } = await startApp({ random: () => 0.5 });
    const room = await joinRoom(user(url, 'Ana'), 'general');
    await room.send('/roll');
    await vi.waitFor(() => expect(room.messages).toHaveLength(2));
    await room.send('hello');
    await room.send('/roll 20');
    await vi.waitFor(() => expect(room.messages).toHaveLength(5));
    expect(lines(room)).toEqual([
      ['Ana', '/roll'],
      ['Dice', '🎲 Ana rolled 4 (d6)'],
      ['Ana', 'hello'],
      ['Ana', '/roll 20'],
      ['Dice', '🎲 Ana rolled 11 (d20)'],
    ]);
    expect(room.messages.map((m) => (m.status === 'sent' ? m.serial : m.status))).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads only a whole /roll command with 2 sides or more', () => {
    expect([rollCommand('/roll'), rollCommand('/roll 100'), rollCommand(' /roll')]).toEqual([6, 100, undefined]);
    expect([rollCommand('/roll 1'), rollCommand('/rollover'), rollCommand('/roll 12345')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('the demo’s webhook', () => {
  it('POSTs each chat event as JSON to CHAT_WEBHOOK_URL', async () => {
    const endpoint = await startEndpoint();
    const { url } = await startApp({ webhookUrl: endpoint.url });
    const room = await joinRoom(user(url, 'Ana'), 'general');
    const sent = await room.send('hi');
    if (!sent.ok) throw new Error(sent.error.message);
    await vi.waitFor(() => expect(endpoint.bodies).toHaveLength(2));
    // Two requests under way together: either may arrive first.
    expect(endpoint.bodies).toEqual(
      expect.arrayContaining([
        { event: 'member:joined', roomId: 'general', user: { userId: 'ana', name: 'Ana' } },
        { event: 'message:created', message: sent.data, by: { userId: 'ana', name: 'Ana' } },
      ]),
    );
  });

  it('logs an endpoint that fails; the chat goes on', async () => {
    const endpoint = await startEndpoint(500);
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { url } = await startApp({ webhookUrl: endpoint.url, logger });
    const room = await joinRoom(user(url, 'Ana'), 'general');
    expect((await room.send('one')).ok).toBe(true);
    expect((await room.send('two')).ok).toBe(true);
    await vi.waitFor(() =>
      expect(logger.error).toHaveBeenCalledWith('chatwire: hook "message:created" failed', {
        error: new Error('webhook answered 500'),
      }),
    );
    expect(endpoint.bodies.map((body) => body.event)).toContain('message:created');
  });
});
