import { createServer } from '@chatwire/server';
import { Server } from 'socket.io';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { testContract } from '../support/test-contract.js';
import { startTestServer } from '../support/test-server.js';

type Transport = 'polling' | 'websocket';

/** Connects a raw client over one transport only, sending `origin` as a browser on that page would. */
function connectFrom(url: string, transport: Transport, origin?: string): Promise<RawClientSocket> {
  const socket = rawIo(url, {
    transports: [transport],
    upgrade: false,
    reconnection: false,
    auth: { userId: 'u' },
    ...(origin === undefined ? {} : { extraHeaders: { origin } }),
  });
  onTestFinished(() => {
    socket.disconnect();
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('allowedOrigins', () => {
  for (const transport of ['polling', 'websocket'] as const) {
    it(`refuses a foreign Origin on a ${transport}-only client before any socket exists`, async () => {
      const { server, url } = await startTestServer({ allowedOrigins: ['https://chat.example.com'] });
      await expect(connectFrom(url, transport, 'https://evil.example')).rejects.toThrow();
      expect(server.raw.server.engine.clientsCount).toBe(0);
      const socket = await connectFrom(url, transport, 'https://chat.example.com');
      expect(socket.connected).toBe(true);
    });
  }

  it('lets a request without Origin (a non-browser client) pass a list', async () => {
    const { url } = await startTestServer({ allowedOrigins: ['https://chat.example.com'] });
    expect((await connectFrom(url, 'websocket')).connected).toBe(true);
  });

  it('a predicate decides, also for requests without Origin', async () => {
    const seen: Array<string | undefined> = [];
    const { url } = await startTestServer({
      allowedOrigins: (origin) => {
        seen.push(origin);
        return origin?.endsWith('.example.com') ?? false;
      },
    });
    await expect(connectFrom(url, 'websocket')).rejects.toThrow();
    expect((await connectFrom(url, 'polling', 'https://a.example.com')).connected).toBe(true);
    expect(seen).toEqual([undefined, 'https://a.example.com']);
  });

  it("keeps the caller's own allowRequest, after the origin check", async () => {
    const { url } = await startTestServer({
      allowedOrigins: ['https://chat.example.com'],
      allowRequest: (request, callback) => callback(null, request.headers['x-ok'] === 'yes'),
    });
    await expect(connectFrom(url, 'websocket', 'https://chat.example.com')).rejects.toThrow();
  });

  it('cannot be given with an existing socket.io server, whose transport options are its own', () => {
    const io = new Server(); // never attached: nothing to close
    expect(() => createServer(testContract, { io, allowedOrigins: ['https://chat.example.com'] })).toThrow(TypeError);
  });
});
