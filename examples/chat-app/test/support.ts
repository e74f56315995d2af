import { type ChatClient, createChatClient } from '@chatwire/client';
import { MemoryStore } from '@chatwire/server';
import { onTestFinished } from 'vitest';
import { type DemoContract, demoContract } from '../src/chat-contract.js';
import { type ChatAppOptions, createChatApp } from '../src/server.js';

/** The demo on a free port of 127.0.0.1 (a MemoryStore unless given); closed when the test finishes. */
export async function startApp(options: ChatAppOptions = {}) {
  const app = await createChatApp({ store: new MemoryStore(), ...options });
  const port = await app.listen(0, '127.0.0.1');
  onTestFinished(() => app.close());
  return { app, url: `http://127.0.0.1:${port}` };
}

/** A ChatClient of the demo's contract logged in (dev auth) as `name`; closed when the test finishes. */
export function user(url: string, name: string): ChatClient<DemoContract> {
  const chat = createChatClient(url, {
    auth: { name, userId: name.toLowerCase() },
    transports: ['websocket'],
    reconnection: false,
    contract: demoContract,
  });
  onTestFinished(() => chat.close());
  return chat;
}
