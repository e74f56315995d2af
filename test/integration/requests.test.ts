import { ChatwireError } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { connectClient, nextValue, startServer } from '../support/harness.js';
import { testContract } from '../support/test-contract.js';
import { connectAs, startTestServer } from '../support/test-server.js';

describe('requests and acks', () => {
  it('answers with the handler return value in a typed ok envelope', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'alice');
    const result = await a.request('echo', { n: 7 });
    expect(result).toEqual({ ok: true, data: { n: 7, by: 'alice' } });
    expect(await a.request('whoami')).toEqual({ ok: true, data: { userId: 'alice' } });
  });

  it('awaits a thenable a handler returns (a query builder, not a Promise), and answers its rejection', async () => {
    const { server, url } = await startServer(testContract, { authenticate: ({ auth }) => ({ userId: auth.userId }) });
    server
      .on('echo', ({ payload, socket }) => thenable({ n: payload.n, by: socket.data.userId }))
      .on('whoami', () => thenable<{ userId: string }>(new ChatwireError('FORBIDDEN', 'Not yet')));
    const a = await connectAs(url, 'a');
    expect(await a.request('echo', { n: 3 })).toEqual({ ok: true, data: { n: 3, by: 'a' } });
    expect(await a.request('whoami')).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Not yet' } });
  });

  it('answers TIMEOUT when the ack does not come in time, and the client stays usable', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    const result = await a.request('slow', { ms: 500 }, { timeoutMs: 50 });
    expect(result).toEqual({ ok: false, error: { code: 'TIMEOUT', message: expect.any(String) } });
    expect(await a.request('echo', { n: 1 })).toMatchObject({ ok: true });
  });

  it('uses requestTimeoutMs as the default timeout', async () => {
    const { url } = await startTestServer();
    const a = connectClient(testContract, url, { auth: { userId: 'a' }, requestTimeoutMs: 50 });
    const result = await a.request('slow', { ms: 500 });
    expect(result.ok === false && result.error.code).toBe('TIMEOUT');
  });

  it('answers DISCONNECTED at once when the connection drops with a request in flight', async () => {
    const { url, server } = await startTestServer();
    const a = await connectAs(url, 'a');
    const pending = a.request('slow', { ms: 5_000 }, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    server.socket(a.id!)!.disconnect(true);
    const result = await pending;
    expect(result.ok === false && result.error.code).toBe('DISCONNECTED');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers DISCONNECTED to pending requests on close(), and to requests after it', async () => {
    const { url } = await startTestServer();
    const a = await connectAs(url, 'a');
    const pending = a.request('slow', { ms: 5_000 });
    a.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    expect(await a.request('echo', { n: 1 })).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    expect(a.status).toBe('closed');
  });

  it('buffers a request made before the connection is up', async () => {
    const { url } = await startTestServer();
    const a = connectClient(testContract, url, { auth: { userId: 'early' } });
    expect(a.status).toBe('connecting');
    expect(await a.request('echo', { n: 3 })).toEqual({ ok: true, data: { n: 3, by: 'early' } });
  });

  it('reports status changes to listeners', async () => {
    const { url } = await startTestServer();
    const a = connectClient(testContract, url, { auth: { userId: 'a' }, autoConnect: false });
    expect(a.status).toBe('disconnected');
    const seen: string[] = [];
    a.onStatus((status) => seen.push(status));
    const up = nextValue<string>((fn) => a.onStatus((s) => s === 'connected' && fn(s)));
    a.connect();
    await up;
    a.close();
    expect(seen).toEqual(['connecting', 'connected', 'closed']);
  });
});

/** A thenable that is not a Promise (as query builders are), fulfilled with `value` or rejected with an error. */
function thenable<T>(outcome: T | ChatwireError): Promise<T> {
  const settled = {
    // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test hands the server
    then: (resolve: (value: T) => void, reject: (error: unknown) => void) =>
      outcome instanceof ChatwireError ? reject(outcome) : resolve(outcome),
  };
  return settled as unknown as Promise<T>;
}
