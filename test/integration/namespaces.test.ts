import { ChatwireError } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { adminContract } from '../support/admin-contract.js';
import { connectClient, connected, connectRaw, nextRaw, nextValue, rawConnected } from '../support/harness.js';
import { connectAs, startTestServer } from '../support/test-server.js';

/** The test server at `/` with an `/admin` namespace of its own contract and authentication. */
async function startWithAdmin() {
  const started = await startTestServer();
  const admin = started.server.of('/admin', adminContract, {
    authenticate: ({ auth }) => {
      if (auth.token !== 'sesame') throw new ChatwireError('FORBIDDEN', 'Not an admin');
      return { role: 'admin' as const };
    },
  });
  admin
    .on('kick', ({ payload }) => ({ kicked: payload.userId }))
    .on('broadcast', ({ payload }) => admin.emit('notice', { text: payload.text }))
    .on('join', async ({ payload, socket }) => {
      await socket.join(payload.room);
      return null;
    });
  return { ...started, admin };
}

describe('namespaces', () => {
  it('serves two contracts with their own auth on one server; the client connects to url + path', async () => {
    const { url, server } = await startWithAdmin();
    const user = await connectAs(url, 'alice');
    const admin = connectClient(adminContract, `${url}/admin`, { auth: { token: 'sesame' } });
    await connected(admin);
    expect(await admin.request('kick', { userId: 'alice' })).toEqual({ ok: true, data: { kicked: 'alice' } });
    expect(await user.request('echo', { n: 1 })).toEqual({ ok: true, data: { n: 1, by: 'alice' } });
    expect(server.raw.server.of('/admin').sockets.size).toBe(1);
    expect(server.raw.server.sockets.sockets.size).toBe(1);
  });

  it("refuses a connection with the namespace's own auth schema and authenticate", async () => {
    const { url } = await startWithAdmin();
    // The default namespace's auth ({ userId }) is no auth for /admin.
    const wrongShape = connectClient(adminContract, `${url}/admin`, { auth: { userId: 'alice' } as never });
    await expect(connected(wrongShape)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const wrongToken = connectClient(adminContract, `${url}/admin`, { auth: { token: 'guess' } });
    await expect(connected(wrongToken)).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Not an admin' });
  });

  it('validates each event with its own namespace contract', async () => {
    const { url } = await startWithAdmin();
    const admin = connectClient(adminContract, `${url}/admin`, { auth: { token: 'sesame' } });
    await connected(admin);
    const raw = connectRaw(`${url}/admin`, { token: 'sesame' });
    await rawConnected(raw);
    // `echo` exists at `/`, not at `/admin`.
    expect(await raw.emitWithAck('echo', { n: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await raw.emitWithAck('kick', { userId: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [{ path: ['userId'] }] },
    });
    const user = connectRaw(url, { userId: 'bob' });
    await rawConnected(user);
    expect(await user.emitWithAck('kick', { userId: 'alice' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('refuses a namespace the server did not define with a typed NOT_FOUND', async () => {
    const { url } = await startWithAdmin();
    const client = connectClient(adminContract, `${url}/nowhere`, { auth: { token: 'sesame' } });
    const errors: ChatwireError[] = [];
    client.onStatus((_status, error) => {
      if (error !== undefined) errors.push(error);
    });
    await expect(connected(client)).rejects.toMatchObject({ name: 'ChatwireError', code: 'NOT_FOUND' });
    expect(client.status).toBe('disconnected');
    expect(client.error?.code).toBe('NOT_FOUND');
    expect(errors.map((error) => error.code)).toEqual(['NOT_FOUND']);
  });

  it('scopes broadcasts and rooms to the namespace', async () => {
    const { url, server, admin } = await startWithAdmin();
    const user = await connectAs(url, 'alice');
    const heardAtRoot: unknown[] = [];
    user.on('said', (payload) => heardAtRoot.push(payload));
    const first = connectClient(adminContract, `${url}/admin`, { auth: { token: 'sesame' } });
    const second = connectClient(adminContract, `${url}/admin`, { auth: { token: 'sesame' } });
    await Promise.all([connected(first), connected(second)]);
    await user.request('join', { room: 'ops' });
    expect(await first.request('join', { room: 'ops' })).toEqual({ ok: true, data: null });

    const notice = nextValue((fn) => second.on('notice', fn));
    first.emit('broadcast', { text: 'hello admins' });
    expect(await notice).toEqual({ text: 'hello admins' });

    // Room 'ops' exists in both namespaces; each side reaches only its own members.
    const opsNotice = nextValue((fn) => first.on('notice', fn));
    admin.to('ops').emit('notice', { text: 'ops only' });
    expect(await opsNotice).toEqual({ text: 'ops only' });
    const said = nextValue((fn) => user.on('said', fn));
    server.to('ops').emit('said', { from: 'server', text: 'root ops' });
    expect(await said).toEqual({ from: 'server', text: 'root ops' });
    expect((await admin.in('ops').fetchSockets()).length).toBe(1);
    expect((await server.in('ops').fetchSockets()).length).toBe(1);
    expect(heardAtRoot).toEqual([{ from: 'server', text: 'root ops' }]);
    expect(admin.socket(user.id ?? '')).toBeUndefined();
  });

  it('keeps a per-connection event budget per namespace', async () => {
    const { url, server } = await startTestServer();
    const admin = server.of('/admin', adminContract, {
      authenticate: () => ({ role: 'admin' as const }),
      eventRateLimit: { ratePerSecond: 0.001, burst: 1 },
      now: () => 0,
    });
    admin.on('kick', ({ payload }) => ({ kicked: payload.userId }));
    const raw = connectRaw(`${url}/admin`, { token: 't' });
    await rawConnected(raw);
    expect(await raw.emitWithAck('kick', { userId: 'a' })).toEqual({ ok: true, data: { kicked: 'a' } });
    expect(await raw.emitWithAck('kick', { userId: 'a' })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    const user = await connectAs(url, 'alice');
    expect(await user.request('echo', { n: 2 })).toMatchObject({ ok: true });
  });

  it('refuses a path that is not a namespace, or one defined twice', async () => {
    const { server } = await startWithAdmin();
    expect(() => server.of('/', adminContract)).toThrow(TypeError);
    expect(() => server.of('admin', adminContract)).toThrow(TypeError);
    expect(() => server.of('/admin', adminContract)).toThrow(/already exists/);
  });

  it('refuses, at run time too, events that are not in the namespace contract', async () => {
    const { admin } = await startWithAdmin();
    // @ts-expect-error `said` belongs to the default namespace's contract
    expect(() => admin.emit('said', { from: 'x', text: 'y' })).toThrow();
    // @ts-expect-error `echo` is not an event of /admin
    expect(() => admin.on('echo', () => null)).toThrow(TypeError);
  });

  it('leaves the escape hatch typed: raw namespace events need no contract', async () => {
    const { url, admin } = await startWithAdmin();
    admin.raw.on('connection', (socket) => socket.emit('notice', { text: 'raw hello' }));
    const raw = connectRaw(`${url}/admin`, { token: 'sesame' });
    const [payload] = await nextRaw(raw, 'notice');
    expect(payload).toEqual({ text: 'raw hello' });
  });
});
