import type { ChatClient } from '@chatwire/client';
import type { ChatUser } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { nextValue } from '../support/harness.js';
import { chatClient, eventually, joinRoom, texts } from './support.js';

/** Resolves at the client's next status `status`. */
function statusOf(chat: ChatClient, status: string): Promise<void> {
  return new Promise((resolve) => {
    const off = chat.on('status', (next) => {
      if (next !== status) return;
      off();
      resolve();
    });
  });
}

describe('ChatClient.connect() and close()', () => {
  it('with autoConnect: false stays disconnected until connect()', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana', { autoConnect: false });
    expect(ana.status).toBe('disconnected');
    expect(ana.raw).toBe(ana.client.raw);
    expect(ana.raw.active).toBe(false);
    const session = nextValue<ChatUser>((fn) => ana.on('session', fn));
    ana.connect();
    expect((await session).userId).toBe('ana');
    await ana.ready();
    expect(ana.status).toBe('connected');
    expect(ana.raw.connected).toBe(true);
  });

  it('comes back after the server disconnected it for good, rooms re-joined and caught up', async () => {
    const { url, chat } = await startChat();
    const ana = chatClient(url, 'ana');
    const ben = chatClient(url, 'ben');
    const [a, b] = await Promise.all([joinRoom(ana, 'general'), joinRoom(ben, 'general')]);
    const gone = statusOf(ana, 'disconnected');
    const sockets = await chat.server.in('user/ana').fetchSockets();
    for (const socket of sockets) chat.server.socket(socket.id)?.raw.disconnect();
    await gone;
    expect(await b.send('while away')).toMatchObject({ ok: true });
    const back = statusOf(ana, 'connected');
    ana.connect();
    await back;
    await ana.ready();
    await eventually(() => expect(texts(a)).toEqual(['while away']));
  });

  it('close() is for good: status closed, the socket closed, pending sends fail, connect() does nothing', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana');
    const room = await joinRoom(ana, 'general');
    const closed = statusOf(ana, 'closed');
    ana.close();
    await closed;
    expect(ana.status).toBe('closed');
    expect(ana.raw.active).toBe(false);
    expect(await room.send('too late')).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    ana.connect();
    expect(ana.status).toBe('closed');
    expect(ana.raw.active).toBe(false);
  });
});
