import { describe, expect, it } from 'vitest';
import { collect, connectRaw, nextRaw, rawConnected } from '../support/harness.js';
import { startChat, userOf } from './support.js';

/** What docs/protocol.md §2 "When the server disconnects a client" tells a client to tell apart. */
describe('how a connection ends when the server ends it', () => {
  it('disconnectUser: a Socket.IO DISCONNECT (io server disconnect) with no notice before it', async () => {
    const { chat, url } = await startChat();
    const socket = connectRaw(url, userOf('ana'));
    await rawConnected(socket);
    const notices = collect<unknown>((fn) => {
      socket.on('chatwire:error', fn);
      return () => socket.off('chatwire:error', fn);
    });
    const ended = nextRaw(socket, 'disconnect');
    await chat.disconnectUser('ana');
    expect((await ended)[0]).toBe('io server disconnect');
    expect(notices).toEqual([]);
  });

  it('close(): the transport closes without a DISCONNECT packet, so clients reconnect by themselves', async () => {
    const { close, url } = await startChat();
    const socket = connectRaw(url, userOf('ana'));
    await rawConnected(socket);
    const ended = nextRaw(socket, 'disconnect');
    await close();
    expect((await ended)[0]).toBe('transport close');
  });
});
