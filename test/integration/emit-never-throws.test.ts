import type { ErrorEventPayload, Result } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { collect, connectClient, connected, nextValue } from '../support/harness.js';
import { testContract } from '../support/test-contract.js';
import { connectAs, startTestServer } from '../support/test-server.js';

/** Every event the typed client hands to socket.io. */
function outgoing(client: Awaited<ReturnType<typeof connectAs>>): string[] {
  const events: string[] = [];
  client.raw.onAnyOutgoing((event) => events.push(event));
  return events;
}

describe('emit reports a contract violation as request does, and never throws', () => {
  it('an invalid payload answers VALIDATION_FAILED, tells onError, and sends nothing', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    const sent = outgoing(a);
    const told = collect<ErrorEventPayload>((fn) => a.onError(fn));
    const result = a.emit('say', { text: '' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', issues: [{ path: ['text'] }] } });
    expect(told).toEqual([{ event: 'say', ...(result.ok ? {} : result.error) }]);
    expect(sent).toEqual([]);
    // The same answer as a request with an invalid payload.
    const requested = await a.request('echo', { n: 1.5 });
    expect(requested).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('an event outside the contract answers NOT_FOUND and tells onError', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    const sent = outgoing(a);
    const told = nextValue<ErrorEventPayload>((fn) => a.onError(fn));
    const result = (a.emit as (event: string) => Result<void>)('nope');
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/nope/) } });
    expect(await told).toMatchObject({ event: 'nope', code: 'NOT_FOUND' });
    expect(sent).toEqual([]);
  });

  it('a payload on an event that takes none answers VALIDATION_FAILED', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    const result = (a.emit as (event: string, payload: unknown) => Result<void>)('forbidden', { x: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('a valid payload answers ok and is sent', async () => {
    const { url } = await startTestServer();
    const [a, b] = await Promise.all([connectAs(url, 'a'), connectAs(url, 'b')]);
    const heard = nextValue((fn) => b.on('said', fn));
    expect(a.emit('say', { text: 'hi' })).toEqual({ ok: true, data: undefined });
    expect(await heard).toEqual({ from: 'a', text: 'hi' });
  });

  it('an onError listener that throws goes to the onError option, not out of emit', async () => {
    const { url } = await startTestServer();
    const thrown: [unknown, string][] = [];
    const a = connectClient(testContract, url, {
      auth: { userId: 'a' },
      onError: (error, event) => thrown.push([error, event]),
    });
    await connected(a);
    const boom = new Error('listener bug');
    a.onError(() => {
      throw boom;
    });
    expect(a.emit('say', { text: '' })).toMatchObject({ ok: false });
    expect(thrown).toEqual([[boom, 'chatwire:error']]);
  });

  it('refuses, at run time too, an event with an ack', () => {
    const client = connectClient(testContract, 'http://127.0.0.1:1', { autoConnect: false });
    // @ts-expect-error an event with an ack goes through request
    expect(client.emit('echo', { n: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // @ts-expect-error an event with an ack goes through request, even without a payload
    expect(client.emit('whoami')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/request/) } });
  });
});
