import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatwireClient, type ChatwireClientOptions, createClient } from '@chatwire/client';
import {
  type AnyChatContract,
  type ChatContract,
  type ChatUser,
  chatContract,
  type Message,
  type PayloadOutput,
  type Result,
  type ServerEvent,
  type ServerEventName,
} from '@chatwire/protocol';
import { type ChatServerOptions, createChatServer, MemoryStore } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { onTestFinished } from 'vitest';
import { collect, connected, nextValue } from '../support/harness.js';

/** A typed client of the chat contract. */
export type ChatTestClient = ChatwireClient<ChatContract>;

/** A server → client event of the chat contract. */
export type ChatEvent = ServerEventName<ChatContract>;

/** The payload of server event `E`, as a listener gets it. */
export type ChatEventPayload<E extends ChatEvent> = PayloadOutput<ServerEvent<ChatContract, E>>;

/**
 * Starts a ChatServer on 127.0.0.1, port 0 (MemoryStore and devAuthenticator unless given);
 * the server, and so its store, is closed when the test finishes.
 */
export async function startChat<C extends AnyChatContract = ChatContract>(options: Partial<ChatServerOptions<C>> = {}) {
  const httpServer = createHttpServer();
  const store = options.store ?? new MemoryStore();
  const chat = createChatServer<C>({
    httpServer,
    ...options,
    authenticate: options.authenticate ?? devAuthenticator(),
    store,
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await chat.close();
  };
  onTestFinished(close);
  return { chat, store, close, url: `http://127.0.0.1:${port}` };
}

/** `'ana'` → `{ userId: 'ana', name: 'Ana' }`. */
export function userOf(user: string | ChatUser): ChatUser {
  if (typeof user !== 'string') return user;
  return { userId: user, name: user.charAt(0).toUpperCase() + user.slice(1) };
}

/**
 * A chat client (websocket only, no reconnection) with whatever `auth` is given, not yet connected;
 * closed when the test finishes.
 */
export function openClient(url: string, options: ChatwireClientOptions<ChatContract> = {}): ChatTestClient {
  const client = createClient(chatContract, url, { transports: ['websocket'], reconnection: false, ...options });
  onTestFinished(() => client.close());
  return client;
}

/** A chat client connected as `user` (dev auth), resolved once the server has sent `session`. */
export async function connectUser(url: string, user: string | ChatUser): Promise<ChatTestClient> {
  const client = openClient(url, { auth: userOf(user) });
  const session = nextValue((fn) => client.on('session', fn), 5000);
  await connected(client);
  await session;
  return client;
}

/** The data of a successful result; fails the test with the error otherwise. */
export function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

/** Joins `roomId` and returns the ack data. */
export async function join(client: ChatTestClient, roomId: string) {
  return ok(await client.request('room:join', { roomId }));
}

/** Sends `text` to `roomId` and returns the stored message. */
export async function send(
  client: ChatTestClient,
  roomId: string,
  text: string,
  clientMessageId: string = randomUUID(),
): Promise<Message> {
  return ok(await client.request('message:send', { roomId, clientMessageId, text }));
}

/** Sends `count` messages one after the other (`${prefix} 1`, `${prefix} 2` …). */
export async function sendMany(client: ChatTestClient, roomId: string, count: number, prefix = 'm') {
  const sent: Message[] = [];
  for (let i = 1; i <= count; i++) sent.push(await send(client, roomId, `${prefix} ${i}`));
  return sent;
}

/** Every `event` the client receives from now on. */
export function record<E extends ChatEvent>(client: ChatTestClient, event: E): ChatEventPayload<E>[] {
  return collect<ChatEventPayload<E>>((fn) => client.on(event, fn));
}

/** The next `event` the client receives that matches `where`. */
export function nextEvent<E extends ChatEvent>(
  client: ChatTestClient,
  event: E,
  where: (payload: ChatEventPayload<E>) => boolean = () => true,
  timeoutMs = 3000,
): Promise<ChatEventPayload<E>> {
  return nextValue<ChatEventPayload<E>>(
    (fn) =>
      client.on(event, (payload) => {
        if (where(payload)) fn(payload);
      }),
    timeoutMs,
  );
}

/**
 * Sends an event through the socket under the typed client, without the client's own checks, and
 * resolves with the server's result envelope: for testing what the server itself accepts.
 */
export function unchecked(
  client: { readonly raw: object },
  event: string,
  ...args: unknown[]
): Promise<Result<unknown>> {
  const socket = client.raw as unknown as {
    timeout(ms: number): { emit(event: string, ...args: unknown[]): void };
  };
  return new Promise((resolve, reject) => {
    socket.timeout(5000).emit(event, ...args, (error: Error | null, result: Result<unknown>) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/** The user ids in a member list, sorted. */
export function userIds(members: ChatUser[]): string[] {
  return members.map((member) => member.userId).sort();
}

/** The serials of a list of messages. */
export function serials(messages: Message[]): number[] {
  return messages.map((message) => message.serial);
}

/** `[from, from + 1, …, to]`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Opens a connection as `user`: the client once connected, or the refusal's error. */
export async function attempt(url: string, user: string | ChatUser) {
  const client = openClient(url, { auth: userOf(user) });
  try {
    await connected(client);
    return { client, error: undefined };
  } catch (error) {
    return { client, error: error as { code: string; message: string; retryAfterMs?: number } };
  }
}

/** Opens `count` connections as `user` all at once; the connected clients and the refusals. */
export async function connectAtOnce(url: string, user: string, count: number) {
  const outcomes = await Promise.all(range(1, count).map(() => attempt(url, user)));
  return {
    accepted: outcomes.flatMap((o) => (o.error === undefined ? [o.client] : [])),
    refused: outcomes.flatMap((o) => (o.error === undefined ? [] : [o.error])),
  };
}
