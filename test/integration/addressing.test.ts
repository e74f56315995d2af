import { describe, expect, it } from 'vitest';
import { collect, nextValue, sleep } from '../support/harness.js';
import { connectAs, startTestServer } from '../support/test-server.js';

type Said = { from: string; text: string };

describe('addressing', () => {
  it('server.emit reaches everyone, the sender included', async () => {
    const { url } = await startTestServer();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => connectAs(url, id)));
    const got = Promise.all([a, b, c].map((client) => nextValue<Said>((fn) => client!.on('said', fn))));
    a!.emit('shout', { text: 'hello all' });
    expect(await got).toEqual([1, 2, 3].map(() => ({ from: 'a', text: 'hello all' })));
  });

  it('socket.emit reaches the sender only', async () => {
    const { url } = await startTestServer();
    const [a, b] = await Promise.all([connectAs(url, 'a'), connectAs(url, 'b')]);
    const atB = collect<Said>((fn) => b.on('said', fn));
    const atA = nextValue<Said>((fn) => a.on('said', fn));
    a.emit('reply', { text: 'just me' });
    expect(await atA).toEqual({ from: 'server', text: 'just me' });
    await sleep(100);
    expect(atB).toEqual([]);
  });

  it('socket.broadcast.emit reaches everyone but the sender', async () => {
    const { url } = await startTestServer();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => connectAs(url, id)));
    const atA = collect<Said>((fn) => a!.on('said', fn));
    const got = Promise.all([b, c].map((client) => nextValue<Said>((fn) => client!.on('said', fn))));
    a!.emit('say', { text: 'not to me' });
    expect(await got).toEqual([
      { from: 'a', text: 'not to me' },
      { from: 'a', text: 'not to me' },
    ]);
    await sleep(100);
    expect(atA).toEqual([]);
  });

  it('server.to(socketId) reaches that one socket', async () => {
    const { url } = await startTestServer();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => connectAs(url, id)));
    const atC = collect<Said>((fn) => c!.on('said', fn));
    const atB = nextValue<Said>((fn) => b!.on('said', fn));
    a!.emit('whisper', { to: b!.id!, text: 'psst' });
    expect(await atB).toEqual({ from: 'a', text: 'psst' });
    await sleep(100);
    expect(atC).toEqual([]);
  });

  it('rooms: only members receive, join and leave are reflected in socket.rooms', async () => {
    const { url } = await startTestServer();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => connectAs(url, id)));
    const joinedA = await a!.request('join', { room: 'r1' });
    expect(joinedA).toEqual({ ok: true, data: { rooms: [a!.id, 'r1'] } });
    await b!.request('join', { room: 'r1' });
    const atC = collect<Said>((fn) => c!.on('said', fn));
    const atA = collect<Said>((fn) => a!.on('said', fn));

    const atB = nextValue<Said>((fn) => b!.on('said', fn));
    a!.emit('toRoom', { room: 'r1', text: 'members only' });
    expect(await atB).toEqual({ from: 'a', text: 'members only' });

    const left = await b!.request('leave', { room: 'r1' });
    expect(left).toEqual({ ok: true, data: { rooms: [b!.id] } });
    const selfToo = nextValue<Said>((fn) => a!.on('said', fn));
    c!.emit('toRoom', { room: 'r1', text: 'after leave', includeSelf: true });
    expect(await selfToo).toEqual({ from: 'c', text: 'after leave' });
    await sleep(100);
    expect(atC).toEqual([]);
    expect(atA).toEqual([{ from: 'c', text: 'after leave' }]);
  });

  it('except, volatile, compress and local target as socket.io does; volatile may drop, never misdeliver', async () => {
    const { url, server } = await startTestServer();
    const [a, b] = await Promise.all([connectAs(url, 'a'), connectAs(url, 'b')]);
    const atA = collect<Said>((fn) => a.on('said', fn));
    const atB = collect<Said>((fn) => b.on('said', fn));
    server.except(a.id!).emit('said', { from: 's', text: 'not a' });
    server.volatile.emit('said', { from: 's', text: 'volatile' });
    server.compress(false).to(a.id!).emit('said', { from: 's', text: 'uncompressed' });
    server.local.in(b.id!).emit('said', { from: 's', text: 'local' });
    server.socket(a.id!)!.volatile.emit('said', { from: 's', text: 'socket volatile' });
    server.socket(b.id!)!.compress(false).emit('said', { from: 's', text: 'socket uncompressed' });
    // A last packet to each: one socket's packets arrive in order, so what was not dropped is in.
    const done = Promise.all(
      [a, b].map((client) => nextValue<Said>((fn) => client.on('said', (said) => said.text === 'done' && fn(said)))),
    );
    server.emit('said', { from: 's', text: 'done' });
    await done;
    const volatile = new Set(['volatile', 'socket volatile']);
    const texts = (said: Said[]) => said.map((m) => m.text).filter((text) => text !== 'done');
    // Everything else arrives, in order; a volatile packet may be dropped (socket.io allows it), never misdelivered.
    expect(texts(atA).filter((text) => !volatile.has(text))).toEqual(['uncompressed']);
    expect(texts(atB).filter((text) => !volatile.has(text))).toEqual(['not a', 'local', 'socket uncompressed']);
    expect(texts(atB).filter((text) => volatile.has(text))).not.toContain('socket volatile');
  });

  it('events without a payload arrive with none', async () => {
    const { url, server } = await startTestServer();
    const a = await connectAs(url, 'a');
    const tick = nextValue<undefined>((fn) => a.on('tick', fn));
    server.emit('tick');
    expect(await tick).toBeUndefined();
  });

  it('operators reach sockets for fetch, join, leave and disconnect', async () => {
    const { url, server } = await startTestServer();
    const [a, b] = await Promise.all([connectAs(url, 'a'), connectAs(url, 'b')]);
    server.in(a.id!).socketsJoin('vip');
    const vip = await server.in('vip').fetchSockets();
    expect(vip.map((s) => s.data.userId)).toEqual(['a']);
    server.in('vip').socketsLeave('vip');
    expect(await server.in('vip').fetchSockets()).toEqual([]);
    const gone = nextValue<string>((fn) => b.onStatus(fn));
    server.in(b.id!).disconnectSockets();
    expect(await gone).toBe('disconnected');
    expect(b.error?.code).toBe('DISCONNECTED');
  });
});
