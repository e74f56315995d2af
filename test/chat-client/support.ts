import { type ChatClient, type ChatClientOptions, type ChatRoom, createChatClient } from '@chatwire/client';
import type { AnyChatContract, ChatContract } from '@chatwire/protocol';
import type { ChatwireNamespace } from '@chatwire/server';
import { expect, onTestFinished, vi } from 'vitest';
import { userOf } from '../chat/support.js';

/** A ChatClient as `user` that reconnects quickly; closed when the test finishes. */
export function chatClient<C extends AnyChatContract = ChatContract>(
  url: string,
  user: string,
  options: Partial<ChatClientOptions<C>> = {},
): ChatClient<C> {
  const chat = createChatClient<C>(url, {
    auth: userOf(user),
    transports: ['websocket'],
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
    ...options,
  });
  onTestFinished(() => chat.close());
  return chat;
}

/** Joins and returns the room, failing the test on a refusal. */
export async function joinRoom<C extends AnyChatContract>(chat: ChatClient<C>, roomId: string): Promise<ChatRoom<C>> {
  const joined = await chat.join(roomId);
  if (!joined.ok) throw new Error(`join refused: ${joined.error.code} ${joined.error.message}`);
  return joined.data;
}

/** Texts of the room's messages in list order, with their status when not sent. */
export function texts(room: ChatRoom): string[] {
  return room.messages.map((m) => (m.status === 'sent' ? m.text : `${m.text} (${m.status})`));
}

/** Asserts the list is every serial 1..n once, in order. */
export function expectGapless(room: ChatRoom, count: number): void {
  const serials = room.messages.map((m) => (m.status === 'sent' ? m.serial : -1));
  expect(serials).toEqual(Array.from({ length: count }, (_, i) => i + 1));
}

/** Cuts the transport of every socket of `userId` (like a network drop: the client reconnects). */
export async function dropConnections(server: ChatwireNamespace<ChatContract>, userId: string): Promise<void> {
  const sockets = await server.in(`user/${userId}`).fetchSockets();
  for (const socket of sockets) server.socket(socket.id)?.raw.conn.close();
}

/** Waits until `check` passes (polling), for state that converges asynchronously. */
export function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 20 });
}
