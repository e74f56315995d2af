import { createClient } from '@chatwire/client';
import type { ErrorEventPayload } from '@chatwire/protocol';
import { io as rawIo, type Socket } from 'socket.io-client';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { collect, connected, nextRaw, nextValue, rawConnected, sleep } from '../../../test/support/harness.js';
import { tutorialContract } from '../src/contract.js';
import { createTutorialServer } from '../src/server.js';

async function startApp() {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const app = await createTutorialServer({ logger });
  const port = await app.listen(0, '127.0.0.1');
  onTestFinished(() => app.close());
  return { url: `http://127.0.0.1:${port}`, logger };
}

async function typedClient(url: string) {
  const client = createClient(tutorialContract, url, { transports: ['websocket'], reconnection: false });
  onTestFinished(() => client.close());
  await connected(client);
  return client;
}

/** A plain socket.io v4 client speaking the seed's events, as the seed's own page did. */
async function seedClient(url: string): Promise<Socket> {
  const socket = rawIo(url, { transports: ['websocket'], reconnection: false });
  onTestFinished(() => {
    socket.disconnect();
  });
  await rawConnected(socket);
  return socket;
}

describe('tutorial chat, end to end', () => {
  it('listens on 127.0.0.1 unless told otherwise', async () => {
    const app = await createTutorialServer({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    await app.listen(0);
    onTestFinished(() => app.close());
    expect(app.httpServer.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('two users log in and chat; the sender does not get its own message back', async () => {
    const { url } = await startApp();
    const [ana, ben] = await Promise.all([typedClient(url), typedClient(url)]);
    const logins = collect<string>((fn) => ben.on('login', fn));
    const anaHears = collect((fn) => ana.on('chat', fn));

    const anaJoined = nextValue<string>((fn) => ana.on('login', fn));
    ana.emit('login', { name: 'Ana', userid: 'ana1' });
    expect(await anaJoined).toBe('Ana');
    const benJoined = nextValue<string>((fn) => ana.on('login', fn));
    ben.emit('login', { name: 'Ben', userid: 'ben1' });
    expect(await benJoined).toBe('Ben');

    const atBen = nextValue((fn) => ben.on('chat', fn));
    ana.emit('chat', { msg: 'hi Ben' });
    expect(await atBen).toEqual({ from: { name: 'Ana', userid: 'ana1' }, msg: 'hi Ben' });
    const atAna = nextValue((fn) => ana.on('chat', fn));
    ben.emit('chat', { msg: 'hi Ana' });
    expect(await atAna).toEqual({ from: { name: 'Ben', userid: 'ben1' }, msg: 'hi Ana' });
    expect(logins).toEqual(['Ana', 'Ben']);
    expect(anaHears).toHaveLength(1);
  });

  it('speaks the seed wire protocol to a plain socket.io client', async () => {
    const { url } = await startApp();
    const [seed, other] = await Promise.all([seedClient(url), seedClient(url)]);
    const login = nextRaw(other, 'login');
    seed.emit('login', { name: 'Old', userid: 'o1' });
    expect(await login).toEqual(['Old']);
    const chat = nextRaw(other, 'chat');
    seed.emit('chat', { msg: 'from the seed page' });
    expect(await chat).toEqual([{ from: { name: 'Old', userid: 'o1' }, msg: 'from the seed page' }]);
  });

  it('forceDisconnect disconnects that socket and the server logs who left', async () => {
    const { url, logger } = await startApp();
    const seed = await seedClient(url);
    seed.emit('login', { name: 'Quitter', userid: 'q' });
    await nextRaw(seed, 'login');
    const gone = nextRaw(seed, 'disconnect');
    seed.emit('forceDisconnect');
    expect((await gone)[0]).toBe('io server disconnect');
    await vi.waitFor(() => expect(logger.info).toHaveBeenCalledWith('user disconnected: Quitter'));
  });

  it('refuses chat before login with UNAUTHORIZED, and broadcasts nothing', async () => {
    const { url } = await startApp();
    const [early, listener] = await Promise.all([seedClient(url), typedClient(url)]);
    const heard = collect((fn) => listener.on('chat', fn));
    const refused = nextRaw(early, 'chatwire:error');
    early.emit('chat', { msg: 'too soon' });
    expect((await refused)[0]).toMatchObject({ event: 'chat', code: 'UNAUTHORIZED' });
    await sleep(100);
    expect(heard).toEqual([]);
  });

  it('takes the sender from the server record, never from the payload', async () => {
    const { url } = await startApp();
    const [liar, listener] = await Promise.all([seedClient(url), typedClient(url)]);
    liar.emit('login', { name: 'Liar', userid: 'l1' });
    await nextRaw(liar, 'login');
    const heard = nextValue((fn) => listener.on('chat', fn));
    // `from` is not part of chat's payload: zod strips it; the server adds its own record of the sender.
    liar.emit('chat', { msg: 'I am the admin', from: { name: 'Admin', userid: 'root' } });
    expect(await heard).toEqual({ from: { name: 'Liar', userid: 'l1' }, msg: 'I am the admin' });
  });

  it('refuses every other shape with chatwire:error and never broadcasts it', async () => {
    const { url } = await startApp();
    const [sender, listener] = await Promise.all([seedClient(url), typedClient(url)]);
    sender.emit('login', { name: 'S', userid: 's' });
    await nextRaw(sender, 'login');
    const heard = collect((fn) => listener.on('chat', fn));
    const shapes: unknown[][] = [
      [],
      ['just a string'],
      [42],
      [{ msg: { nested: 'x' } }],
      [{ msg: '' }],
      [{ msg: 'x'.repeat(2001) }],
      [{}],
      [null],
      [{ msg: 'a' }, 'extra'],
    ];
    for (const args of shapes) {
      const refused = nextRaw(sender, 'chatwire:error');
      sender.emit('chat', ...args);
      const [error] = (await refused) as [ErrorEventPayload];
      expect(error).toMatchObject({ event: 'chat', code: 'VALIDATION_FAILED' });
    }
    for (const bad of [{ name: '', userid: 'x' }, { name: 'n' }, 'name', { name: 'x'.repeat(65), userid: 'u' }]) {
      const refused = nextRaw(sender, 'chatwire:error');
      sender.emit('login', bad);
      expect((await refused)[0]).toMatchObject({ event: 'login', code: 'VALIDATION_FAILED' });
    }
    const ok = nextValue((fn) => listener.on('chat', fn));
    sender.emit('chat', { msg: 'x'.repeat(2000) });
    expect(await ok).toMatchObject({ from: { name: 'S' } });
    expect(heard).toHaveLength(1);
  });

  it('serves the page and its script', async () => {
    const { url } = await startApp();
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    // The page as Vite built it: its script is a hashed asset.
    const src = /<script type="module" crossorigin src="(\/assets\/index-[\w-]+\.js)">/.exec(await page.text())?.[1];
    const script = await fetch(`${url}${src}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });
});
