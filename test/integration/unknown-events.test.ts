import { describe, expect, it } from 'vitest';
import { connectRaw, nextRaw, rawConnected } from '../support/harness.js';
import { startTestServer } from '../support/test-server.js';

describe('unknownEvents option', () => {
  it("'refuse' (the default) answers an event outside the contract NOT_FOUND", async () => {
    const { url } = await startTestServer();
    const raw = connectRaw(url, { userId: 'alice' });
    await rawConnected(raw);
    expect(await raw.emitWithAck('custom', { x: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it("'ignore' leaves it to raw socket.io listeners, answered once", async () => {
    const { url, server } = await startTestServer({ unknownEvents: 'ignore' });
    server.raw.server.on('connection', (socket) => {
      (socket as unknown as { on(event: string, fn: (...args: unknown[]) => void): void }).on(
        'custom',
        (payload: unknown, ack: unknown) => {
          if (typeof ack === 'function') ack({ raw: payload });
        },
      );
    });
    const raw = connectRaw(url, { userId: 'alice' });
    await rawConnected(raw);
    const errors: unknown[] = [];
    raw.on('chatwire:error', (error) => errors.push(error));
    expect(await raw.emitWithAck('custom', { x: 1 })).toEqual({ raw: { x: 1 } });
    raw.emit('other', 1);
    // Contract events are still validated and answered as before.
    expect(await raw.emitWithAck('echo', { n: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await raw.emitWithAck('echo', { n: 1 })).toEqual({ ok: true, data: { n: 1, by: 'alice' } });
    expect(errors).toEqual([]);
  });

  it("'ignore' still charges unknown events to the per-connection budget", async () => {
    const { url } = await startTestServer({
      unknownEvents: 'ignore',
      eventRateLimit: { ratePerSecond: 0.001, burst: 2 },
      now: () => 0,
    });
    const raw = connectRaw(url, { userId: 'alice' });
    await rawConnected(raw);
    raw.emit('custom', 1);
    raw.emit('custom', 2);
    const error = nextRaw(raw, 'chatwire:error');
    raw.emit('custom', 3);
    expect((await error)[0]).toMatchObject({ event: 'custom', code: 'RATE_LIMITED' });
  });
});
