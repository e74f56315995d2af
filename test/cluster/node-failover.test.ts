import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { startLoadBalancer, startNode } from '../support/cluster.js';
import { sleep } from '../support/harness.js';
import { clusterServices, expectComplete, storedTexts } from './support.js';

describe('a node killed with SIGKILL during steady sending', { timeout: 60_000 }, () => {
  it('its clients reconnect to another node and catch up: nothing lost, nothing twice', async () => {
    const { env, database } = await clusterServices();
    const nodes = await Promise.all([startNode(env), startNode(env), startNode(env)]);
    const balancer = await startLoadBalancer(nodes.map((node) => node.port));
    const users = Array.from({ length: 9 }, (_, i) => `user${i}`);
    const clients = users.map((user) => chatClient(balancer.url, user));
    const rooms = await Promise.all(clients.map((client) => joinRoom(client, 'ops')));

    const results: Promise<{ ok: boolean }>[] = [];
    let sending = true;
    const senders = rooms.map(async (room, i) => {
      for (let n = 1; sending; n++) {
        results.push(room.send(`${users[i]} #${n}`));
        await sleep(120);
      }
    });
    await sleep(1000);
    await nodes[1]!.kill('SIGKILL');
    await sleep(1500);
    sending = false;
    await Promise.all(senders);

    const outcomes = await Promise.all(results);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const history = await storedTexts(database.url, 'ops');
    expect(history).toHaveLength(results.length);
    expect(new Set(history).size).toBe(history.length);
    await eventually(() => expectComplete(rooms, history), 15_000);
  });

  it('drops the dead node’s users from presence within 15 s', async () => {
    const { env } = await clusterServices();
    const [doomed, survivor] = await Promise.all([startNode(env), startNode(env)]);
    const watcher = await joinRoom(chatClient(survivor.url, 'watcher'), 'r');
    await joinRoom(chatClient(doomed.url, 'ghost', { reconnection: false }), 'r');
    await eventually(() => expect(watcher.members.map((m) => m.userId).sort()).toEqual(['ghost', 'watcher']), 10_000);
    const killedAt = Date.now();
    await doomed.kill('SIGKILL');
    await eventually(() => expect(watcher.members.map((m) => m.userId)).toEqual(['watcher']), 15_000);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
  });
});
