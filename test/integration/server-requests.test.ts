import type { ChatwireClient } from '@chatwire/client';
import { ChatwireError } from '@chatwire/protocol';
import type { ChatwireServer, ChatwireSocket } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { connectClient, connected, connectRaw, gate, rawConnected, startServer } from '../support/harness.js';
import { serverRequestContract as contract } from '../support/server-request-contract.js';

type C = typeof contract;

async function setup(options: { validateOutgoing?: boolean } = {}) {
  const { server, url } = await startServer(contract, {
    authenticate: ({ auth }) => ({ userId: auth.userId }),
    ...options,
  });
  const join = async (userId: string, clientOptions: Parameters<typeof connectClient<C>>[2] = {}) => {
    const client = connectClient(contract, url, { auth: { userId }, ...clientOptions });
    await connected(client);
    return { client, socket: serverSocket(server, client) };
  };
  return { server, url, join };
}

function serverSocket(server: ChatwireServer<C>, client: ChatwireClient<C>): ChatwireSocket<C> {
  const socket = server.socket(client.id ?? '');
  if (socket === undefined) throw new Error('no server socket for the client');
  return socket;
}

describe('server → client requests', () => {
  it('round-trips a typed request: z.input out, z.output back, sync and async handlers', async () => {
    const { join } = await setup();
    const { client, socket } = await join('alice');
    client.handle('confirm', (payload) => {
      return { yes: payload.text === 'sure?' };
    });
    client.handle('ready', async () => true as const);

    const result = await socket.request('confirm', { text: 'sure?' });
    expect(result).toEqual({ ok: true, data: { yes: true, note: '' } });
    expect(await socket.request('ready', { timeoutMs: 1000 })).toEqual({ ok: true, data: true });
  });

  it('answers TIMEOUT when the client does not answer in time, and ignores the late answer', async () => {
    const { join } = await setup();
    const { client, socket } = await join('a');
    const held = gate();
    const started = gate();
    let calls = 0;
    client.handle('confirm', async () => {
      calls += 1;
      if (calls === 1) {
        started.open();
        await held.promise;
      }
      return { yes: true };
    });
    const result = await socket.request('confirm', { text: 'x' }, { timeoutMs: 50 });
    expect(result).toEqual({ ok: false, error: { code: 'TIMEOUT', message: expect.any(String) } });
    await started.promise;
    held.open();
    expect(await socket.request('confirm', { text: 'y' })).toEqual({ ok: true, data: { yes: true, note: '' } });
  });

  it('answers DISCONNECTED as soon as the socket goes with a request in flight, and after it', async () => {
    const { join } = await setup();
    const { client, socket } = await join('a');
    const started = gate();
    client.handle('confirm', async () => {
      started.open();
      return new Promise<never>(() => {});
    });
    // The test's own timeout (5 s) is shorter than the request's: only the disconnect can settle it.
    const pending = socket.request('confirm', { text: 'x' }, { timeoutMs: 60_000 });
    await started.promise;
    client.close();
    expect(await pending).toEqual({ ok: false, error: { code: 'DISCONNECTED', message: expect.any(String) } });
    expect(await socket.request('confirm', { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'DISCONNECTED' },
    });
  });

  it("refuses a handler's invalid answer on the client: the server gets VALIDATION_FAILED, onError is told", async () => {
    const { join } = await setup();
    const reported: unknown[] = [];
    const { client, socket } = await join('a', { onError: (error) => reported.push(error) });
    client.handle('confirm', () => ({ yes: 'maybe' }) as never);
    const result = await socket.request('confirm', { text: 'x' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: ['yes'] }] },
    });
    expect(reported).toEqual([expect.objectContaining({ name: 'ChatwireError', code: 'VALIDATION_FAILED' })]);
  });

  it('refuses an invalid answer on the server too (a client that skips the checks)', async () => {
    const { server, url } = await setup();
    const raw = connectRaw(url, { userId: 'raw' });
    await rawConnected(raw);
    const answers: unknown[] = [{ ok: true, data: { yes: 'nope' } }, 'not an envelope', { ok: false, error: {} }];
    raw.on('confirm', (_payload: unknown, ack: (answer: unknown) => void) => ack(answers.shift()));
    const socket = server.socket(raw.id ?? '');
    if (socket === undefined) throw new Error('no server socket');
    expect(await socket.request('confirm', { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: ['yes'] }] },
    });
    expect(await socket.request('confirm', { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await socket.request('confirm', { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });

  it('validates the payload both ways: before it leaves the server, and on the client when the server does not', async () => {
    const checked = await setup();
    const a = await checked.join('a');
    let calls = 0;
    a.client.handle('confirm', () => {
      calls += 1;
      return { yes: true };
    });
    expect(await a.socket.request('confirm', { text: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: ['text'] }] },
    });

    const unchecked = await setup({ validateOutgoing: false });
    const invalid: unknown[] = [];
    const b = await unchecked.join('b', { onInvalid: (message) => invalid.push(message.event) });
    b.client.handle('confirm', () => {
      calls += 1;
      return { yes: true };
    });
    expect(await b.socket.request('confirm', { text: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: ['text'] }] },
    });
    expect(invalid).toEqual(['confirm']);
    expect(calls).toBe(0);
  });

  it('answers with the code of a thrown ChatwireError, INTERNAL for any other throw', async () => {
    const { join } = await setup();
    const reported: unknown[] = [];
    const { client, socket } = await join('a', { onError: (error) => reported.push(error) });
    client.handle('confirm', ({ text }) => {
      if (text === 'forbidden') throw new ChatwireError('FORBIDDEN', 'Not from you');
      throw new Error('kaboom');
    });
    expect(await socket.request('confirm', { text: 'forbidden' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Not from you' },
    });
    expect(reported).toEqual([]);
    expect(await socket.request('confirm', { text: 'other' })).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
    expect(reported).toEqual([expect.objectContaining({ message: 'kaboom' })]);
  });

  it('answers NOT_FOUND for an event the client does not handle, or no longer', async () => {
    const { join } = await setup();
    const { client, socket } = await join('a');
    expect(await socket.request('unanswered')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const off = client.handle('ready', () => true);
    expect(await socket.request('ready')).toEqual({ ok: true, data: true });
    off();
    expect(await socket.request('ready')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('takes one handler per event, and emit only for events without an ack', async () => {
    const { server, join } = await setup();
    const { client, socket } = await join('a');
    client.handle('ready', () => true);
    expect(() => client.handle('ready', () => true)).toThrow(/already has a handler/);
    // @ts-expect-error an event with an ack is sent with request()
    expect(() => socket.emit('confirm', { text: 'x' })).toThrow(/send it with request/);
    // @ts-expect-error an event with an ack is sent with request()
    expect(() => server.to('room').emit('ready')).toThrow(/send it with request/);
    // @ts-expect-error an event with an ack is sent with request()
    expect(() => server.emit('confirm', { text: 'x' })).toThrow(/send it with request/);
    // @ts-expect-error an event without an ack cannot be requested
    expect(await socket.request('news', 'hello')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // @ts-expect-error requests are answered with handle(), not listened to
    client.on('confirm', () => {});
    // @ts-expect-error only events with an ack have a handler
    expect(() => client.handle('news', () => undefined)).toThrow(/not a server → client event with an ack/);
  });

  it('keeps the socket.io escape hatch typed: emitWithAck on the server, an ack callback on the client', async () => {
    const { join } = await setup();
    const { client, socket } = await join('a');
    const answer = socket.raw.timeout(1000).emitWithAck('ready');
    client.handle('ready', () => true);
    expect(await answer).toEqual({ ok: true, data: true });
  });

  it('collects one answer per socket from a room: an invalid one does not spoil the others, a slow one times out', async () => {
    const { server, join } = await setup();
    const good = await join('good');
    const reported: unknown[] = [];
    const bad = await join('bad', { onError: (error) => reported.push(error) });
    const slow = await join('slow');
    await Promise.all([good, bad, slow].map(({ socket }) => socket.join('room')));
    good.client.handle('confirm', () => ({ yes: true, note: 'good' }));
    bad.client.handle('confirm', () => ({ yes: 'maybe' }) as never);
    const held = gate();
    slow.client.handle('confirm', async () => {
      await held.promise;
      return { yes: false, note: 'slow' };
    });

    const partial = await server.to('room').request('confirm', { text: 'all there?' }, { timeoutMs: 2000 });
    expect(partial.ok).toBe(true);
    if (!partial.ok) return;
    expect(partial.data.timedOut).toBe(true);
    expect(partial.data.answers).toHaveLength(2);
    expect(partial.data.answers).toEqual(
      expect.arrayContaining([
        { ok: true, data: { yes: true, note: 'good' } },
        expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) }),
      ]),
    );

    expect(reported).toHaveLength(1);
    held.open();
    const complete = await good.socket.to('room').request('confirm', { text: 'now?' });
    expect(complete).toMatchObject({ ok: true, data: { timedOut: false } });
    if (!complete.ok) return;
    // socket.to() leaves the sender out: the two others answered.
    expect(complete.data.answers).toHaveLength(2);
    expect(complete.data.answers).toEqual(
      expect.arrayContaining([
        { ok: true, data: { yes: false, note: 'slow' } },
        expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) }),
      ]),
    );
  });

  it('refuses an invalid broadcast payload before anything is sent, and answers an empty room at once', async () => {
    const { server } = await setup();
    expect(await server.to('room').request('confirm', { text: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await server.to('nobody').request('ready')).toEqual({ ok: true, data: { answers: [], timedOut: false } });
  });
});
