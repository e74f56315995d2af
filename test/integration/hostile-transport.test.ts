import { MAX_MENTIONS, MAX_TEXT_LENGTH } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openClient, startChat } from '../chat/support.js';
import { waitFor } from '../support/cluster.js';
import { connectRaw, nextRaw, rawConnected } from '../support/harness.js';
import { startMemoryProbe } from '../support/memory-probe.js';
import { startTestServer } from '../support/test-server.js';

const MB = 1024 * 1024;
const FRAME_BYTES = 990_000;
const FRAMES_PER_SOCKET = 9;

/** A raw Engine.IO WebSocket that has received the open packet and never connects a namespace. */
async function openTransport(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(1006);
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('hostile transports (before any namespace or authentication)', () => {
  it('10 sockets announcing 10 binary attachments of 990 kB each leave the server holding < 5 MB', {
    timeout: 60_000,
  }, async () => {
    const probe = await startMemoryProbe();
    (await openTransport(probe.port)).terminate(); // warm up: the first connection's lazy allocations
    const before = await probe.memory();
    const sockets = await Promise.all(Array.from({ length: 10 }, () => openTransport(probe.port)));
    const frame = Buffer.alloc(FRAME_BYTES, 1);
    const placeholders = Array.from({ length: 10 }, (_, num) => ({ _placeholder: true, num }));
    const written = sockets.map((ws) => {
      ws.on('error', () => undefined); // the server may close while frames are still being written
      // Engine.IO message (4) carrying a Socket.IO BINARY_EVENT (5) that announces 10 attachments.
      ws.send(`4510-${JSON.stringify(['attack', ...placeholders])}`);
      for (let i = 1; i < FRAMES_PER_SOCKET; i++) ws.send(frame);
      return new Promise<void>((resolve) => ws.send(frame, () => resolve()));
    });
    await Promise.all(written);
    // Frames already in flight are read and dropped within moments; what is still there after is held
    // (before the limits: ~90 MB, until socket.io's 45 s connect timeout).
    let held = 0;
    await waitFor(async () => {
      held = (await probe.memory()).heldBytes - before.heldBytes;
      return held < 5 * MB;
    }, `server memory back under +5 MB (last +${held} bytes)`).catch(() => undefined);
    expect(held).toBeLessThan(5 * MB);
    expect(await Promise.all(sockets.map(closed))).toHaveLength(10);
  });

  it('refuses binary attachments by default: the connection is closed before any is buffered', async () => {
    const { server, url } = await startTestServer();
    const socket = connectRaw(url, { userId: 'mallory' });
    await rawConnected(socket);
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit('say', { text: Buffer.from('binary') });
    expect(await dropped).toBe('transport close');
    expect(server.raw.server.sockets.sockets.size).toBe(0);
  });

  it('with maxAttachments, binary reaches validation like any payload', async () => {
    const { url } = await startTestServer({ maxAttachments: 1 });
    const socket = connectRaw(url, { userId: 'mallory' });
    await rawConnected(socket);
    const refused = nextRaw(socket, 'chatwire:error');
    socket.emit('say', { text: Buffer.from('binary') });
    expect((await refused)[0]).toMatchObject({ event: 'say', code: 'VALIDATION_FAILED' });
    expect(socket.connected).toBe(true);
  });

  it('closes a 70 kB frame by default, and the largest valid chat event (documented) goes through', async () => {
    const { url } = await startChat();
    const ana = openClient(url, { auth: { userId: 'ana', name: 'Ana' } });
    expect(await ana.request('room:join', { roomId: 'r'.repeat(128) })).toMatchObject({ ok: true });
    await ana.request('message:send', { roomId: 'r'.repeat(128), clientMessageId: 'first', text: 'first' });
    // Every character JSON-escaped to 6 bytes: the most bytes a valid message:send can take (docs/protocol.md),
    // but for a 1-digit replyTo (a 10-digit one adds 9 bytes).
    const text = '\u0001'.repeat(MAX_TEXT_LENGTH);
    // Control characters but NUL (which no stored string may hold).
    const sixByteEscapes = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).filter(
      (char) => JSON.stringify(char).length === 8,
    );
    const mentions = sixByteEscapes.slice(0, MAX_MENTIONS).map((char) => char.repeat(128));
    const payload = { roomId: 'r'.repeat(128), clientMessageId: '\u0001'.repeat(128), text, replyTo: 1, mentions };
    const frameBytes = Buffer.byteLength(`421${JSON.stringify(['message:send', payload])}`);
    expect(frameBytes).toBe(44_260);
    expect(await ana.request('message:send', payload)).toMatchObject({ ok: true });

    const mallory = connectRaw(url, { userId: 'mallory', name: 'Mallory' });
    await rawConnected(mallory);
    const dropped = new Promise<string>((resolve) => mallory.once('disconnect', resolve));
    mallory.emit('message:send', { roomId: 'r', clientMessageId: 'c', text: 'x'.repeat(70_000) });
    expect(await dropped).toBe('transport close');
  });

  it('closes a transport that does not connect a namespace within connectTimeout (default 5 s)', async () => {
    const defaults = await startTestServer();
    expect(defaults.server.raw.server.connectTimeout()).toBe(5000);
    const { server } = await startTestServer({ connectTimeout: 100 });
    const address = server.raw.server.httpServer.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const ws = await openTransport(port);
    expect(await closed(ws)).toBeGreaterThan(0);
  });
});
