import type { ErrorEventPayload } from '@chatwire/protocol';
import { compileContract } from '@chatwire/protocol/compile';
import { describe, expect, it, vi } from 'vitest';
import {
  collect,
  connectClient,
  connected,
  connectRaw,
  nextRaw,
  nextValue,
  rawConnected,
  sleep,
} from '../support/harness.js';
import { testContract } from '../support/test-contract.js';
import { connectAs, startTestServer } from '../support/test-server.js';

async function rawAs(url: string, userId: string) {
  const socket = connectRaw(url, { userId });
  await rawConnected(socket);
  return socket;
}

function ack(socket: ReturnType<typeof connectRaw>, event: string, ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve) => socket.emit(event, ...args, resolve));
}

describe('invalid input from a client', () => {
  it('never reaches the handler; with an ack the sender gets VALIDATION_FAILED with issues', async () => {
    const { url } = await startTestServer();
    const socket = await rawAs(url, 'mallory');
    const result = await ack(socket, 'echo', { n: 'seven' });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('payload of "echo"'),
        issues: [{ path: ['n'], message: expect.any(String), code: 'invalid_type' }],
      },
    });
  });

  it('without an ack the sender alone gets a chatwire:error event and nothing is broadcast', async () => {
    const { url } = await startTestServer();
    const socket = await rawAs(url, 'mallory');
    const bystander = await connectAs(url, 'bob');
    const atBob = collect((fn) => bystander.on('said', fn));
    const bobErrors = collect((fn) => bystander.onError(fn));
    for (const bad of [
      undefined,
      'hello',
      42,
      { text: { nested: 'x' } },
      { text: '' },
      { text: 'x'.repeat(101) },
      [],
    ]) {
      const refused = nextRaw(socket, 'chatwire:error');
      if (bad === undefined) socket.emit('say');
      else socket.emit('say', bad);
      const [payload] = (await refused) as [ErrorEventPayload];
      expect(payload).toMatchObject({ event: 'say', code: 'VALIDATION_FAILED' });
    }
    await sleep(100);
    expect(atBob).toEqual([]);
    expect(bobErrors).toEqual([]);
  });

  it('refuses extra arguments and a payload on an event that takes none', async () => {
    const { url } = await startTestServer();
    const socket = await rawAs(url, 'm');
    expect(await ack(socket, 'echo', { n: 1 }, { n: 2 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'Event "echo" takes exactly one payload argument' },
    });
    expect(await ack(socket, 'whoami', { please: true })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: 'Event "whoami" takes no payload' },
    });
  });

  it('answers NOT_FOUND for an event outside the contract or without a handler', async () => {
    const { url } = await startTestServer();
    const socket = await rawAs(url, 'm');
    expect(await ack(socket, 'dropTables', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const refused = nextRaw(socket, 'chatwire:error');
    socket.emit('unhandled');
    expect((await refused)[0]).toMatchObject({ event: 'unhandled', code: 'NOT_FOUND' });
  });

  it('keeps serving the sender and others after a flood of bad input', async () => {
    const { url } = await startTestServer();
    const socket = await rawAs(url, 'm');
    for (let i = 0; i < 200; i++) socket.emit('echo', i % 2 ? null : { n: Number.NaN });
    expect(await ack(socket, 'echo', { n: 5 })).toEqual({ ok: true, data: { n: 5, by: 'm' } });
    const other = await connectAs(url, 'o');
    expect(await other.request('echo', { n: 6 })).toMatchObject({ ok: true });
  });

  it('the typed client refuses invalid payloads before they leave', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    expect(a.emit('say', { text: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: ['text'] }] },
    });
    expect(await a.request('echo', { n: 1.5 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect((a.emit as (event: string) => unknown)('nope')).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/not a client → server event/) },
    });
  });

  it('the client reports a server error event through onError', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    const refused = nextValue<ErrorEventPayload>((fn) => a.onError(fn));
    a.emit('forbidden');
    expect(await refused).toEqual({ event: 'forbidden', code: 'FORBIDDEN', message: 'Not for you' });
  });
});

describe('invalid input from the server', () => {
  it('the server refuses to emit a payload that breaks the contract', async () => {
    const { server } = await startTestServer();
    expect(() => server.emit('said', { from: 'x', text: '' })).toThrow(/Invalid outgoing payload of "said"/);
    expect(() => (server.emit as (event: string) => void)('nope')).toThrow(/not a server → client event/);
  });

  it('a handler that emits an invalid payload answers INTERNAL to its sender', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { url } = await startTestServer({ logger });
    const a = await connectAs(url, 'a');
    const refused = nextValue<ErrorEventPayload>((fn) => a.onError(fn));
    a.emit('badEmit');
    expect(await refused).toMatchObject({ event: 'badEmit', code: 'INTERNAL' });
    expect(logger.error).toHaveBeenCalledWith('chatwire: handler of "badEmit" threw', expect.anything());
  });

  it('a handler that returns invalid ack data answers INTERNAL (outgoing validation on)', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    expect(await a.request('badAck')).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it.each([
    ['the contract', testContract],
    ['the contract compiled by compileContract (Node)', compileContract(testContract)],
  ])('the client drops invalid server payloads and acks, reporting them to onInvalid: %s', async (_, contract) => {
    const { url, server } = await startTestServer({ validateOutgoing: false });
    const onInvalid = vi.fn();
    const a = connectClient(contract, url, { auth: { userId: 'a' }, onInvalid });
    await connected(a);
    const heard = collect((fn) => a.on('said', fn));
    server.emit('said', { from: 'x', text: '' });
    const result = await a.request('badAck');
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    await vi.waitFor(() => expect(onInvalid).toHaveBeenCalledTimes(2));
    expect(onInvalid.mock.calls.map(([m]) => m.event).sort()).toEqual(['badAck', 'said']);
    expect(heard).toEqual([]);
    const next = nextValue((fn) => a.on('said', fn));
    server.emit('said', { from: 'x', text: 'valid' });
    expect(await next).toEqual({ from: 'x', text: 'valid' });
  });
});
