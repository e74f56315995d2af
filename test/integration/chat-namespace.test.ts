import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatwireError, defineContract } from '@chatwire/protocol';
import { createChatServer, createServer, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { connectUser, join, openClient, send, startChat } from '../chat/support.js';
import { chatClient, joinRoom, texts } from '../chat-client/support.js';
import { connectClient, connected } from '../support/harness.js';

const adminContract = defineContract({
  clientToServer: { members: { payload: z.object({ roomId: z.string() }), ack: z.array(z.string()) } },
  serverToClient: {},
  auth: z.object({ token: z.string() }),
});
const statusContract = defineContract({
  clientToServer: { ping: { ack: z.literal('pong') } },
  serverToClient: {},
});

/** One HTTP server: an app contract at `/`, the chat at `/chat`, an admin namespace at `/admin`. */
async function startApp() {
  const httpServer = createHttpServer();
  const server = createServer(statusContract, { httpServer });
  server.on('ping', () => 'pong' as const);
  const chat = createChatServer({
    server,
    namespace: '/chat',
    store: new MemoryStore(),
    authenticate: devAuthenticator(),
  });
  const admin = server.of('/admin', adminContract, {
    authenticate: ({ auth }) => {
      if (auth.token !== 'sesame') throw new ChatwireError('FORBIDDEN', 'Not an admin');
      return {};
    },
  });
  admin.on('members', async ({ payload }) => (await chat.members(payload.roomId)).map((user) => user.userId));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  onTestFinished(async () => {
    await chat.close();
    await server.close();
  });
  return { chat, server, url: `http://127.0.0.1:${port}` };
}

describe('the chat on a namespace', () => {
  it('runs on /chat beside /admin and the app at / on one server', async () => {
    const { url } = await startApp();
    const ana = await connectUser(`${url}/chat`, 'ana');
    await join(ana, 'lobby');
    expect((await send(ana, 'lobby', 'hello')).serial).toBe(1);
    const admin = connectClient(adminContract, `${url}/admin`, { auth: { token: 'sesame' } });
    await connected(admin);
    expect(await admin.request('members', { roomId: 'lobby' })).toEqual({ ok: true, data: ['ana'] });
    const app = connectClient(statusContract, url);
    await connected(app);
    expect(await app.request('ping')).toEqual({ ok: true, data: 'pong' });
    // The chat's events do not exist at `/`.
    const wrong = openClient(url);
    await connected(wrong);
    expect(await wrong.request('room:join', { roomId: 'lobby' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('lets ChatClient connect to url + namespace', async () => {
    const { url } = await startApp();
    const ana = chatClient(`${url}/chat`, 'ana');
    const room = await joinRoom(ana, 'lobby');
    await room.send('from a ChatClient');
    expect(texts(room)).toEqual(['from a ChatClient']);
  });

  it('closing the chat leaves a shared server open', async () => {
    const { chat, url } = await startApp();
    await chat.close();
    const app = connectClient(statusContract, url);
    await connected(app);
    expect(await app.request('ping')).toEqual({ ok: true, data: 'pong' });
  });

  it('makes its own server and serves only the namespace when given one without server', async () => {
    const { url } = await startChat({ namespace: '/chat' });
    const ana = await connectUser(`${url}/chat`, 'ana');
    expect(await join(ana, 'lobby')).toMatchObject({ roomId: 'lobby' });
    const client = connectClient(statusContract, `${url}/elsewhere`);
    await expect(connected(client)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
