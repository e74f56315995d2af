import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { startNode } from '../support/cluster.js';
import { clusterServices, expectComplete, storedTexts } from './support.js';

describe('three nodes on Redis and PostgreSQL', { timeout: 60_000 }, () => {
  it('delivers every message to every member on every node once, in serial order', async () => {
    const { env, database } = await clusterServices();
    const nodes = await Promise.all([startNode(env), startNode(env), startNode(env)]);
    const users = ['ana', 'ben', 'cai', 'dee', 'eli', 'fay'];
    const clients = users.map((user, i) => chatClient(nodes[i % 3]!.url, user, { reconnection: false }));
    const rooms = await Promise.all(clients.map((client) => joinRoom(client, 'lobby')));
    await eventually(() => {
      for (const room of rooms) expect(room.members.map((m) => m.userId).sort()).toEqual(users);
    }, 10_000);

    // Everyone sends at once, so the nodes write to the room concurrently.
    await Promise.all(
      rooms.map(async (room, i) => {
        for (let n = 1; n <= 5; n++) {
          const sent = await room.send(`${users[i]} ${n}`);
          expect(sent.ok).toBe(true);
        }
      }),
    );
    const history = await storedTexts(database.url, 'lobby');
    expect(history).toHaveLength(30);
    await eventually(() => expectComplete(rooms, history), 10_000);
  });

  it('counts a user with tabs on two nodes once', async () => {
    const { env } = await clusterServices();
    const [one, two] = await Promise.all([startNode(env), startNode(env)]);
    const watcher = await joinRoom(chatClient(one.url, 'watcher'), 'r');
    await joinRoom(chatClient(one.url, 'ana'), 'r');
    await joinRoom(chatClient(two.url, 'ana'), 'r');
    await eventually(() => expect(watcher.members.map((m) => m.userId).sort()).toEqual(['ana', 'watcher']), 10_000);
  });
});
