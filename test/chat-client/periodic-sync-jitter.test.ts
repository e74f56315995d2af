import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { chatClient, eventually, joinRoom } from './support.js';

describe('the periodic sync', () => {
  it('is jittered: clients with the same syncIntervalMs do not sync in lockstep', async () => {
    const { url, chat } = await startChat();
    const syncs = new Map<string, number>();
    chat.raw.server.on('connection', (socket) => {
      socket.onAny((event: string) => {
        const { userId } = socket.data.user;
        if (event === 'sync') syncs.set(userId, (syncs.get(userId) ?? 0) + 1);
      });
    });
    // The two ends of the ±20 % jitter: every 80 ms and every ~120 ms.
    const ana = chatClient(url, 'ana', { syncIntervalMs: 100, random: () => 0 });
    const ben = chatClient(url, 'ben', { syncIntervalMs: 100, random: () => 0.999 });
    await Promise.all([joinRoom(ana, 'r'), joinRoom(ben, 'r')]);
    await eventually(() => expect(syncs.get('ana')).toBeGreaterThanOrEqual(9));
    // In lockstep ben would have synced as often as ana; at 120 ms against 80 ms it has about 6.
    expect(syncs.get('ben') ?? 0).toBeLessThanOrEqual(7);
    expect(syncs.get('ben') ?? 0).toBeGreaterThanOrEqual(3);
  });
});
