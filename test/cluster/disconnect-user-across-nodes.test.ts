import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { nextValue } from '../support/harness.js';
import { clusterServices, startInProcessNode } from './support.js';

describe('operations across nodes', { timeout: 60_000 }, () => {
  it('disconnectUser on one node closes that user’s sockets on every node', async () => {
    const { redis, database } = await clusterServices();
    const [one, two] = [
      await startInProcessNode(redis.url, database.url),
      await startInProcessNode(redis.url, database.url),
    ];
    const tabs = [
      chatClient(one.url, 'ana', { reconnection: false }),
      chatClient(two.url, 'ana', { reconnection: false }),
    ];
    const bystander = chatClient(two.url, 'ben', { reconnection: false });
    await Promise.all([...tabs, bystander].map((client) => joinRoom(client, 'r')));
    const gone = tabs.map((tab) => nextValue<string>((fn) => tab.on('status', (status) => fn(status)), 10_000));
    await one.chat.disconnectUser('ana');
    expect(await Promise.all(gone)).toEqual(['disconnected', 'disconnected']);
    expect(bystander.status).toBe('connected');
    const room = bystander.rooms.get('r')!;
    await eventually(() => expect(room.members.map((m) => m.userId)).toEqual(['ben']), 10_000);
  });
});
