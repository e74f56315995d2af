import type { ChatAuthenticator, Logger } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { describe, expect, it } from 'vitest';
import { connected, nextValue } from '../support/harness.js';
import { openClient, startChat, userOf } from './support.js';

describe('a client disconnected for too many refused events', () => {
  it('reconnects by itself, waiting longer after each such disconnect (no tight loop)', async () => {
    const base = 40;
    const random = 0.5;
    // At each disconnect a timer of the wait the client should make starts on the server, before
    // the client is told; a client that waits that long comes back after it has fired.
    const waits: { expectedMs: number; waited: boolean }[] = [];
    const warn: Logger['warn'] = (message) => {
      if (message !== 'chatwire: too many refused events, disconnecting') return;
      const wait = { expectedMs: Math.floor(random * base * 2 ** waits.length), waited: false };
      waits.push(wait);
      setTimeout(() => {
        wait.waited = true;
      }, wait.expectedMs);
    };
    const logger: Logger = { debug() {}, info() {}, error() {}, warn };
    const handshakes: boolean[] = [];
    const dev = devAuthenticator();
    const authenticate: ChatAuthenticator = (context) => {
      handshakes.push(waits.at(-1)?.waited ?? true);
      return dev(context);
    };
    const { url } = await startChat({ authenticate, logger, refusalLimit: { burst: 5, ratePerSecond: 0.01 } });
    const client = openClient(url, {
      auth: userOf('ana'),
      reconnection: true,
      reconnectionDelay: base,
      reconnectionDelayMax: 10_000,
      random: () => random,
    });
    const raw = client.raw as unknown as { emit(event: string): void };

    for (let kick = 1; kick <= 3; kick++) {
      await connected(client);
      const dropped = nextValue<unknown>((fn) => client.onStatus((status, error) => fn({ status, error })), 5000);
      for (let i = 0; i < 6; i++) raw.emit('no-such-event');
      expect(await dropped).toMatchObject({
        status: 'reconnecting',
        error: { code: 'RATE_LIMITED', message: 'Too many refused events: disconnected' },
      });
    }
    await connected(client);
    expect(waits.map((w) => w.expectedMs)).toEqual([20, 40, 80]);
    expect(handshakes).toEqual([true, true, true, true]);
  });
});
