import type { ChatServerOptions } from '@chatwire/server';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, send, startChat, unchecked } from './support.js';

const roomId = 'lobby';
const ana = { userId: 'ana', name: 'Ana' };

/**
 * A request and its answer: what the server sent this socket before answering (a typing event from
 * a timer that fired, say) has arrived by then, since socket.io keeps one socket's order.
 */
async function roundTrip(socket: Awaited<ReturnType<typeof connectUser>>): Promise<void> {
  ok(await socket.request('room:join', { roomId }));
}

async function lobby(options: Partial<ChatServerOptions> = {}) {
  const { url } = await startChat(options);
  const typist = await connectUser(url, ana);
  const watcher = await connectUser(url, 'bob');
  await join(typist, roomId);
  await join(watcher, roomId);
  return { url, typist, watcher };
}

describe('typing', () => {
  it('typing:set true sends typing { roomId, user, isTyping: true } to the room', async () => {
    const { typist, watcher } = await lobby();
    const atWatcher = nextEvent(watcher, 'typing');
    const atTypist = nextEvent(typist, 'typing');
    typist.emit('typing:set', { roomId, isTyping: true });
    expect(await atWatcher).toEqual({ roomId, user: ana, isTyping: true });
    expect(await atTypist).toEqual({ roomId, user: ana, isTyping: true });
  });

  it('clears itself after typingTimeoutMs', async () => {
    const { typist, watcher } = await lobby({ typingTimeoutMs: 6000 });
    const events = record(watcher, 'typing');
    const started = nextEvent(watcher, 'typing', (typing) => typing.isTyping);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    typist.emit('typing:set', { roomId, isTyping: true });
    await started;
    vi.advanceTimersByTime(5999);
    await roundTrip(watcher);
    expect(events.map((typing) => typing.isTyping)).toEqual([true]);
    vi.advanceTimersByTime(1);
    await roundTrip(watcher);
    expect(events).toEqual([
      { roomId, user: ana, isTyping: true },
      { roomId, user: ana, isTyping: false },
    ]);
  });

  it('a refresh keeps it alive: the timeout counts from the last typing:set true', async () => {
    // A clock that stands still: the refresh is not re-announced (see the next test).
    const { typist, watcher } = await lobby({ typingTimeoutMs: 6000, now: () => 1_000_000 });
    const events = record(watcher, 'typing');
    const started = nextEvent(watcher, 'typing', (typing) => typing.isTyping);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    typist.emit('typing:set', { roomId, isTyping: true });
    await started;
    vi.advanceTimersByTime(4000);
    typist.emit('typing:set', { roomId, isTyping: true });
    await roundTrip(typist);
    vi.advanceTimersByTime(5999); // past the first timeout, before the refreshed one
    await roundTrip(watcher);
    expect(events.map((typing) => typing.isTyping)).toEqual([true]);
    vi.advanceTimersByTime(1);
    await roundTrip(watcher);
    expect(events.map((typing) => typing.isTyping)).toEqual([true, false]);
  });

  it('a refresh is broadcast only when the flag changed, or as a reminder every typingTimeoutMs / 2', async () => {
    let now = 1_000_000;
    const { typist, watcher } = await lobby({ typingTimeoutMs: 6000, now: () => now });
    const events = record(watcher, 'typing');
    // A round trip after the emits: the server has handled them before the clock moves on.
    const handled = async () => ok(await typist.request('room:join', { roomId }));
    for (let i = 0; i < 10; i++) typist.emit('typing:set', { roomId, isTyping: true });
    await handled();
    now += 2999;
    typist.emit('typing:set', { roomId, isTyping: true });
    await handled();
    now += 1;
    typist.emit('typing:set', { roomId, isTyping: true });
    typist.emit('typing:set', { roomId, isTyping: true });
    const stopped = nextEvent(watcher, 'typing', (typing) => !typing.isTyping);
    typist.emit('typing:set', { roomId, isTyping: false });
    await stopped;
    expect(events.map((typing) => typing.isTyping)).toEqual([true, true, false]);
  });

  it('typing:set false clears it at once', async () => {
    const { typist, watcher } = await lobby();
    const started = nextEvent(watcher, 'typing', (typing) => typing.isTyping);
    typist.emit('typing:set', { roomId, isTyping: true });
    await started;
    const stopped = nextEvent(watcher, 'typing', (typing) => !typing.isTyping);
    typist.emit('typing:set', { roomId, isTyping: false });
    expect(await stopped).toEqual({ roomId, user: ana, isTyping: false });
  });

  it('typing:set false when not typing sends nothing', async () => {
    const { typist, watcher } = await lobby();
    const events = record(watcher, 'typing');
    typist.emit('typing:set', { roomId, isTyping: false });
    await sleep(150);
    expect(events).toEqual([]);
  });

  it('clears on message:send: typing false follows the message', async () => {
    const { typist, watcher } = await lobby();
    const started = nextEvent(watcher, 'typing', (typing) => typing.isTyping);
    typist.emit('typing:set', { roomId, isTyping: true });
    await started;
    const order: string[] = [];
    const offTyping = watcher.on('typing', (typing) => order.push(`typing ${typing.isTyping}`));
    const offNew = watcher.on('message:new', (message) => order.push(`message ${message.text}`));
    const stopped = nextEvent(watcher, 'typing', (typing) => !typing.isTyping);
    await send(typist, roomId, 'done typing');
    expect(await stopped).toEqual({ roomId, user: ana, isTyping: false });
    offTyping();
    offNew();
    expect(order).toEqual(['message done typing', 'typing false']);
  });

  it('clears on disconnect', async () => {
    const { typist, watcher } = await lobby();
    const started = nextEvent(watcher, 'typing', (typing) => typing.isTyping);
    typist.emit('typing:set', { roomId, isTyping: true });
    await started;
    const stopped = nextEvent(watcher, 'typing', (typing) => !typing.isTyping);
    typist.close();
    expect(await stopped).toEqual({ roomId, user: ana, isTyping: false });
  });

  it('clears on room:leave', async () => {
    const { typist, watcher } = await lobby();
    const started = nextEvent(watcher, 'typing', (typing) => typing.isTyping);
    typist.emit('typing:set', { roomId, isTyping: true });
    await started;
    const stopped = nextEvent(watcher, 'typing', (typing) => !typing.isTyping);
    ok(await typist.request('room:leave', { roomId }));
    expect(await stopped).toEqual({ roomId, user: ana, isTyping: false });
  });

  it('answers { ok: true } without data when sent with an ack anyway', async () => {
    const { typist } = await lobby();
    expect(await unchecked(typist, 'typing:set', { roomId, isTyping: false })).toEqual({ ok: true });
  });

  it('is per room: typing in one room is not sent to another', async () => {
    const { typist, watcher } = await lobby();
    await join(typist, 'other');
    const events = record(watcher, 'typing');
    const atTypist = nextEvent(typist, 'typing', (typing) => typing.roomId === 'other');
    typist.emit('typing:set', { roomId: 'other', isTyping: true });
    await atTypist;
    await sleep(100);
    expect(events).toEqual([]);
  });
});
