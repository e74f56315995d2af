import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineContract } from '@chatwire/protocol';
import { createChatServer, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { io as rawIo } from 'socket.io-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { connectUser, startChat } from '../chat/support.js';
import { nextRaw, rawConnected, startServer } from '../support/harness.js';

/** A plain socket.io client sending `auth` as given, however wrong; closed when the test finishes. */
function rawWith(url: string, auth: unknown) {
  const socket = rawIo(url, { transports: ['websocket'], reconnection: false, auth: auth as Record<string, unknown> });
  onTestFinished(() => {
    socket.disconnect();
  });
  return socket;
}

/** The first frame the server answers to the Engine.IO frame `packet`, sent right after the open packet. */
async function answerTo(url: string, packet: string): Promise<string> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  onTestFinished(() => ws.terminate());
  const frames: string[] = [];
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const queued = frames.shift();
      if (queued !== undefined) return resolve(queued);
      ws.once('message', () => resolve(frames.shift() ?? ''));
      ws.once('close', () => reject(new Error('closed without an answer')));
    });
  ws.on('message', (data) => frames.push(String(data)));
  await next(); // the Engine.IO open packet
  ws.send(packet);
  return next();
}

const noAuthContract = defineContract({
  clientToServer: { ping: { ack: z.object({}) } },
  serverToClient: {},
});

describe('a handshake auth that is not a JSON object', () => {
  it.each([
    ['a string', 'token', 'The handshake auth must be a JSON object, not a string'],
    ['an array', ['token'], 'The handshake auth must be a JSON object, not an array'],
  ])('is refused with CONNECT_ERROR UNAUTHORIZED by a server that reads no auth (%s)', async (_, auth, message) => {
    const { url } = await startServer(noAuthContract);
    const socket = rawWith(url, auth);
    const [error] = await nextRaw(socket, 'connect_error');
    expect(error).toMatchObject({ message, data: { code: 'UNAUTHORIZED', message } });
    // The server lives on: a well-formed handshake still connects.
    await rawConnected(rawWith(url, {}));
  });

  it.each([
    ['a string', 'ana'],
    ['an array', [{ userId: 'ana', name: 'Ana' }]],
    ['a number', 42],
    ['null', null],
  ])('is refused by the chat with CONNECT_ERROR UNAUTHORIZED (%s, socket.io-client)', async (_, auth) => {
    const { url } = await startChat();
    const [error] = await nextRaw(rawWith(url, auth), 'connect_error');
    expect(error).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await connectUser(url, 'bob');
  });

  it.each([
    [
      '40"ana"',
      '44{"message":"The handshake auth must be a JSON object, not a string","data":{"code":"UNAUTHORIZED","message":"The handshake auth must be a JSON object, not a string"}}',
    ],
    [
      '40[1]',
      '44{"message":"The handshake auth must be a JSON object, not an array","data":{"code":"UNAUTHORIZED","message":"The handshake auth must be a JSON object, not an array"}}',
    ],
    [
      '40null',
      '44{"message":"The handshake auth must be a JSON object, not null","data":{"code":"UNAUTHORIZED","message":"The handshake auth must be a JSON object, not null"}}',
    ],
    [
      '40true',
      '44{"message":"The handshake auth must be a JSON object, not a boolean","data":{"code":"UNAUTHORIZED","message":"The handshake auth must be a JSON object, not a boolean"}}',
    ],
    [
      '40{"userId":',
      '44{"message":"The handshake auth must be a JSON object, not invalid JSON","data":{"code":"UNAUTHORIZED","message":"The handshake auth must be a JSON object, not invalid JSON"}}',
    ],
  ])('answers the CONNECT packet %s with a CONNECT_ERROR on the wire', async (packet, answer) => {
    const { url } = await startChat();
    expect(await answerTo(url, packet)).toBe(answer);
  });

  it('is refused on the namespace it was sent to, the chat on /chat included', async () => {
    const httpServer = createHttpServer();
    const chat = createChatServer({
      httpServer,
      namespace: '/chat',
      store: new MemoryStore(),
      authenticate: devAuthenticator(),
    });
    onTestFinished(() => chat.close());
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    expect(await answerTo(url, '40/chat,"ana"')).toBe(
      '44/chat,{"message":"The handshake auth must be a JSON object, not a string","data":{"code":"UNAUTHORIZED","message":"The handshake auth must be a JSON object, not a string"}}',
    );
  });
});
