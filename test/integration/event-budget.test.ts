import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineContract } from '@chatwire/protocol';
import { createServer, type Logger } from '@chatwire/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { connectRaw, nextRaw, rawConnected } from '../support/harness.js';
import { connectAs, startTestServer } from '../support/test-server.js';

type RawSocket = ReturnType<typeof connectRaw>;

async function rawAs(url: string, userId: string) {
  const socket = connectRaw(url, { userId });
  await rawConnected(socket);
  return socket;
}

function ack(socket: RawSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve) => socket.emit(event, ...args, resolve));
}

/**
 * A server whose one event counts the payloads its schema validated: what validation cost. (The
 * server's compiled schema runs zod's own parser again on a payload its fast path refuses, so one
 * payload may pass through the preprocess twice: it counts once.)
 */
async function startCountingServer(options: Parameters<typeof createServer>[1] = {}) {
  const validated = new WeakSet<object>();
  let validations = 0;
  let handled = 0;
  const contract = defineContract({
    clientToServer: {
      ping: {
        payload: z.preprocess(
          (value) => {
            if (typeof value === 'object' && value !== null && !validated.has(value)) {
              validated.add(value);
              validations += 1;
            }
            return value;
          },
          z.object({ n: z.number() }),
        ),
        ack: z.object({ n: z.number() }),
      },
    },
    serverToClient: {},
  });
  const httpServer = createHttpServer();
  const server = createServer(contract, { httpServer, ...options });
  server.on('ping', ({ payload }) => {
    handled += 1;
    return payload;
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => server.close());
  const { port } = httpServer.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, counts: () => ({ validations, handled }) };
}

describe('per-connection event budget, charged before validation', () => {
  it('6,000 bad events get at most a few hundred replies, then a disconnect with a reason; others are served', async () => {
    const warnings: Array<Record<string, unknown> | undefined> = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (_message, meta) => void warnings.push(meta) };
    const { url } = await startTestServer({ logger });
    const mallory = await rawAs(url, 'mallory');
    const errors: Array<Record<string, unknown>> = [];
    mallory.on('chatwire:error', (error: Record<string, unknown>) => errors.push(error));
    const disconnected = new Promise<string>((resolve) => mallory.once('disconnect', resolve));
    for (let i = 0; i < 6000; i++) {
      if (i % 2) mallory.emit(`nope${i}`);
      else mallory.emit('echo', { n: 'not a number' });
    }
    expect(await disconnected).toBe('io server disconnect');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(300);
    expect(errors.at(-1)).toEqual({
      event: expect.any(String),
      code: 'RATE_LIMITED',
      message: 'Too many refused events: disconnected',
    });
    expect(warnings).toEqual([
      { socketId: expect.any(String), refused: expect.any(Number), droppedReplies: expect.any(Number) },
    ]);
    expect(warnings[0]?.droppedReplies).toBeGreaterThan(0);

    const other = await connectAs(url, 'o');
    expect(await other.request('echo', { n: 6 })).toEqual({ ok: true, data: { n: 6, by: 'o' } });
  });

  it('a normal client is unaffected: 250 requests at once all answered', async () => {
    const { url } = await startTestServer();
    const ana = await connectAs(url, 'ana');
    const answers = await Promise.all(Array.from({ length: 250 }, (_, n) => ana.request('echo', { n })));
    expect(answers.every((answer) => answer.ok)).toBe(true);
  });

  it('past the budget an event is neither validated nor handled, and answers RATE_LIMITED with retryAfterMs', async () => {
    const { url, counts } = await startCountingServer({
      eventRateLimit: { ratePerSecond: 1, burst: 5 },
      errorReplyRateLimit: false,
      refusalLimit: false,
      now: () => 1_000_000,
    });
    const socket = await rawAs(url, 'm');
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, n) => ack(socket, 'ping', n % 2 ? { n } : { n: 'bad' })),
      ack(socket, 'unknown'),
    ]);
    expect(counts()).toEqual({ validations: 5, handled: 2 });
    const rateLimited = { ok: false, error: { code: 'RATE_LIMITED', message: 'Too many events', retryAfterMs: 1000 } };
    expect(answers.slice(5)).toEqual(Array.from({ length: 16 }, () => rateLimited));
  });

  it('error replies have their own budget: past it they are dropped, not sent', async () => {
    const { url } = await startCountingServer({
      errorReplyRateLimit: { ratePerSecond: 1, burst: 3 },
      refusalLimit: false,
      now: () => 1_000_000,
    });
    const socket = await rawAs(url, 'm');
    const errors: unknown[] = [];
    socket.on('chatwire:error', (error: unknown) => errors.push(error));
    for (let i = 0; i < 10; i++) socket.emit('ping', { n: 'bad' });
    // Events are handled in order: once this valid request is answered, every refusal before it was.
    expect(await ack(socket, 'ping', { n: 1 })).toEqual({ ok: true, data: { n: 1 } });
    expect(errors).toHaveLength(3);
  });

  it('refusalLimit says what "sustained" is: one refusal past it disconnects', async () => {
    const { url } = await startCountingServer({ refusalLimit: { ratePerSecond: 1, burst: 3 }, now: () => 1_000_000 });
    const socket = await rawAs(url, 'm');
    for (let i = 0; i < 3; i++) {
      expect(await ack(socket, 'ping', { n: 'bad' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
    const last = nextRaw(socket, 'chatwire:error');
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit('ping', { n: 'bad' }, () => undefined);
    expect((await last)[0]).toEqual({
      event: 'ping',
      code: 'RATE_LIMITED',
      message: 'Too many refused events: disconnected',
    });
    expect(await disconnected).toBe('io server disconnect');
  });

  it('an unknown event name is echoed back truncated, not in full', async () => {
    const { url } = await startTestServer();
    const socket = await rawAs(url, 'm');
    const refused = nextRaw(socket, 'chatwire:error');
    const name = 'x'.repeat(50_000);
    socket.emit(name);
    const [error] = (await refused) as [{ event: string; code: string; message: string }];
    expect(error.code).toBe('NOT_FOUND');
    expect(error.event).toBe(`${'x'.repeat(64)}…`);
    expect(error.message.length).toBeLessThan(100);
  });
});
