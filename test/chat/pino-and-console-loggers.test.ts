import { Console } from 'node:console';
import { PassThrough } from 'node:stream';
import { defineContract } from '@chatwire/protocol';
import { type AppendResult, type Logger, MemoryStore } from '@chatwire/server';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectClient, connected, startServer } from '../support/harness.js';
import { connectUser, join, startChat } from './support.js';

const contract = defineContract({
  clientToServer: { explode: { payload: z.object({ why: z.string() }), ack: z.null() } },
  serverToClient: {},
});

/** A pino logger at debug level writing JSON lines into `lines`, as to a file or stdout. */
function pinoInto(lines: Record<string, unknown>[]) {
  return pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
}

/** A server whose `explode` handler throws an Error with the payload's `why`; returns the socket id of a client that sent it. */
async function explodeOnce(logger: Logger): Promise<string> {
  const { server, url } = await startServer(contract, { logger });
  server.on('explode', ({ payload }) => {
    throw new Error(payload.why);
  });
  const client = connectClient(contract, url);
  await connected(client);
  expect(await client.request('explode', { why: 'kaboom' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  return client.raw.id as string;
}

class BrokenStore extends MemoryStore {
  override async append(): Promise<AppendResult> {
    throw new Error('SQLITE_BUSY: database is locked');
  }
}

describe('a pino logger, given as it is', () => {
  it("gets chatwire's meta as fields and the error under err, serialized with its stack", async () => {
    const lines: Record<string, unknown>[] = [];
    const socketId = await explodeOnce(pinoInto(lines));
    expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: 'chatwire: connected', socketId }));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'chatwire: handler of "explode" threw',
        socketId,
        err: expect.objectContaining({ type: 'Error', message: 'kaboom', stack: expect.stringContaining('kaboom') }),
      }),
    );
  });

  it('works as a child logger too, for the chat server and its store failures, its bindings kept', async () => {
    const lines: Record<string, unknown>[] = [];
    const { url } = await startChat({ store: new BrokenStore(), logger: pinoInto(lines).child({ node: 'chat-1' }) });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const sent = await ana.request('message:send', { roomId: 'lobby', clientMessageId: 'c-1', text: 'hi' });
    expect(sent).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        node: 'chat-1',
        msg: expect.stringMatching(/^chatwire: .* call failed$/),
        err: expect.objectContaining({ message: 'SQLITE_BUSY: database is locked' }),
      }),
    );
  });
});

describe('console, given as it is', () => {
  it('prints the message and the meta, error included', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const printed: string[] = [];
    stderr.on('data', (chunk: Buffer) => printed.push(chunk.toString('utf8')));
    stdout.on('data', (chunk: Buffer) => printed.push(chunk.toString('utf8')));
    const socketId = await explodeOnce(new Console({ stdout, stderr }));
    const text = printed.join('');
    expect(text).toContain('chatwire: handler of "explode" threw');
    expect(text).toContain(`socketId: '${socketId}'`);
    expect(text).toContain('Error: kaboom');
  });
});
