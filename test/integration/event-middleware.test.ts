import { ChatwireError } from '@chatwire/protocol';
import type { EventOutcome } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { connectRaw, rawConnected } from '../support/harness.js';
import { connectAs, startTestServer } from '../support/test-server.js';

describe('per-event middleware (useEvent)', () => {
  it('wraps every valid event in registration order, onion-style, and sees the outcome', async () => {
    const { url, server } = await startTestServer();
    const log: string[] = [];
    server
      .useEvent(async ({ event }, next) => {
        log.push(`outer in ${event}`);
        const outcome = await next();
        log.push(`outer out ${event} ${outcome.ok ? 'ok' : outcome.code}`);
      })
      .useEvent(async ({ event }, next) => {
        log.push(`inner in ${event}`);
        const outcome = await next();
        log.push(`inner out ${event} ${outcome.ok ? 'ok' : outcome.code}`);
      });
    const client = await connectAs(url, 'alice');
    expect(await client.request('echo', { n: 1 })).toEqual({ ok: true, data: { n: 1, by: 'alice' } });
    expect(await client.request('boom')).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(log).toEqual([
      'outer in echo',
      'inner in echo',
      'inner out echo ok',
      'outer out echo ok',
      'outer in boom',
      'inner in boom',
      'inner out boom INTERNAL',
      'outer out boom INTERNAL',
    ]);
  });

  it('gets the parsed payload and the socket; invalid events never reach it', async () => {
    const { url, server } = await startTestServer();
    const seen: unknown[] = [];
    server.useEvent(async ({ event, payload, socket }, next) => {
      seen.push({ event, payload, userId: socket.data.userId });
      await next();
    });
    const client = await connectAs(url, 'alice');
    const raw = connectRaw(url, { userId: 'bob' });
    await rawConnected(raw);
    expect(await raw.emitWithAck('echo', { n: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await raw.emitWithAck('nope', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // `includeSelf` gets its default from the schema: the middleware sees zod's output.
    client.emit('toRoom', { room: 'r', text: 'hi' });
    await client.request('echo', { n: 3 });
    expect(seen).toEqual([
      { event: 'toRoom', payload: { room: 'r', text: 'hi', includeSelf: false }, userId: 'alice' },
      { event: 'echo', payload: { n: 3 }, userId: 'alice' },
    ]);
  });

  it('refuses with a thrown ChatwireError: the sender gets it, outer middlewares see its code', async () => {
    const { url, server } = await startTestServer();
    const outcomes: EventOutcome[] = [];
    server
      .useEvent(async (_context, next) => {
        outcomes.push(await next());
      })
      .useEvent(({ event, socket }, next) => {
        if (event === 'whoami' && socket.data.userId === 'mallory') throw new ChatwireError('FORBIDDEN', 'No');
        return next().then(() => undefined);
      });
    const mallory = await connectAs(url, 'mallory');
    const refusal = await mallory.request('whoami');
    expect(refusal).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'No' } });
    const alice = await connectAs(url, 'alice');
    expect(await alice.request('whoami')).toEqual({ ok: true, data: { userId: 'alice' } });
    expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.code))).toEqual(['FORBIDDEN', 'ok']);
  });

  it('does not run the handler of a refused event', async () => {
    const { url, server } = await startTestServer();
    server.useEvent(({ event }, next) => {
      if (event === 'toRoom') throw new ChatwireError('FORBIDDEN', 'Not here');
      return next().then(() => undefined);
    });
    const client = await connectAs(url, 'alice');
    let said = 0;
    client.on('said', () => {
      said += 1;
    });
    const error = new Promise((resolve) => client.onError(resolve));
    client.emit('toRoom', { room: client.id ?? '', text: 'hi', includeSelf: true });
    expect(await error).toMatchObject({ event: 'toRoom', code: 'FORBIDDEN' });
    expect(await client.request('echo', { n: 1 })).toMatchObject({ ok: true });
    expect(said).toBe(0);
  });

  it('measures durationMs with the injected clock', async () => {
    let clock = 1000;
    const { url, server } = await startTestServer({ now: () => clock });
    const outcomes: EventOutcome[] = [];
    server.useEvent(async (_context, next) => {
      outcomes.push(await next());
    });
    server.useEvent(async ({ event }, next) => {
      if (event === 'echo') clock += 42;
      await next();
    });
    const client = await connectAs(url, 'alice');
    await client.request('echo', { n: 1 });
    await client.request('boom');
    expect(outcomes).toEqual([
      { ok: true, durationMs: 42 },
      { ok: false, code: 'INTERNAL', durationMs: 0 },
    ]);
  });

  it('answers INTERNAL when a middleware returns without calling next()', async () => {
    const { url, server } = await startTestServer();
    server.useEvent(() => undefined);
    const client = await connectAs(url, 'alice');
    expect(await client.request('echo', { n: 1 })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
