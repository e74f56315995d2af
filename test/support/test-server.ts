import { ChatwireError } from '@chatwire/protocol';
import type { ChatwireServerOptions } from '@chatwire/server';
import { connectClient, connected, startServer } from './harness.js';
import { testContract } from './test-contract.js';

type Options = ChatwireServerOptions<typeof testContract>;

/** A server for {@link testContract} with every handler wired as its name says. */
export async function startTestServer(options: Options = {}) {
  const started = await startServer(testContract, {
    authenticate: ({ auth }) => ({ userId: auth.userId }),
    ...options,
  });
  const { server } = started;
  server
    .on('shout', ({ payload, socket }) => server.emit('said', { from: socket.data.userId, text: payload.text }))
    .on('say', ({ payload, socket }) => socket.broadcast.emit('said', { from: socket.data.userId, text: payload.text }))
    .on('reply', ({ payload, socket }) => socket.emit('said', { from: 'server', text: payload.text }))
    .on('whisper', ({ payload, socket }) =>
      server.to(payload.to).emit('said', { from: socket.data.userId, text: payload.text }),
    )
    .on('join', async ({ payload, socket }) => {
      await socket.join(payload.room);
      return { rooms: [...socket.rooms] };
    })
    .on('leave', async ({ payload, socket }) => {
      await socket.leave(payload.room);
      return { rooms: [...socket.rooms] };
    })
    .on('toRoom', ({ payload, socket }) => {
      const target = payload.includeSelf ? server.to(payload.room) : socket.to(payload.room);
      target.emit('said', { from: socket.data.userId, text: payload.text });
    })
    .on('echo', ({ payload, socket }) => ({ n: payload.n, by: socket.data.userId }))
    .on('whoami', ({ socket }) => ({ userId: socket.data.userId }))
    .on('slow', async ({ payload }) => {
      await new Promise((resolve) => setTimeout(resolve, payload.ms));
      return null;
    })
    .on('boom', () => {
      throw new Error('kaboom');
    })
    .on('forbidden', () => {
      throw new ChatwireError('FORBIDDEN', 'Not for you');
    })
    .on('badAck', () => ({ n: 'not a number' }) as never)
    .on('badEmit', ({ socket }) => socket.emit('said', { from: 'x', text: '' }));
  return started;
}

/** A typed client of {@link testContract}, connected as `userId`. */
export async function connectAs(url: string, userId: string) {
  const client = connectClient(testContract, url, { auth: { userId } });
  await connected(client);
  return client;
}
