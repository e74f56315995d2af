import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { NODE_START_MS, startLoadBalancer, startNode } from '../support/cluster.js';
import { sleep } from '../support/harness.js';
import { clusterServices, expectComplete, storedTexts } from './support.js';

describe('a node killed with SIGKILL during steady sending', { timeout: NODE_START_MS + 120_000 }, () => {
  it('its clients reconnect to another node and catch up: nothing lost, nothing twice', async () => {
    const { env, database } = await clusterServices();
    const nodes = await Promise.all([startNode(env), startNode(env), startNode(env)]);
    const balancer = await startLoadBalancer(nodes.map((node) => node.port));
    const users = Array.from({ length: 9 }, (_, i) => `user${i}`);
    const clients = users.map((user) => chatClient(balancer.url, user));
    const readies = clients.map((client) => {
      const count = { value: 0 };
      client.on('ready', () => count.value++);
      return count;
    });
    const rooms = await Promise.all(clients.map((client) => joinRoom(client, 'ops')));
    const doomed = nodes[1]!;
    const onDoomed = balancer.connectionsTo(doomed.port);
    expect(onDoomed).toBeGreaterThan(0);

    const results: Promise<{ ok: boolean }>[] = [];
    /** Sends each client got acked after the kill. */
    const ackedAfterKill = users.map(() => 0);
    let killed = false;
    let sending = true;
    const senders = rooms.map(async (room, i) => {
      for (let n = 1; sending; n++) {
        const after = killed;
        const sent = room.send(`${users[i]} #${n}`);
        results.push(sent);
        void sent.then((outcome) => {
          if (after && outcome.ok) ackedAfterKill[i]! += 1;
        });
        await sleep(120); // pace: about 8 sends a second per client
      }
    });
    // Kill once every client has had a send stored, while they keep sending.
    await eventually(() => expect(rooms.every((room) => room.messages.length >= users.length)).toBe(true), 15_000);
    await doomed.kill('SIGKILL');
    killed = true;
    // The killed node's clients reconnect (through the balancer, to the others) and send again.
    await eventually(() => {
      expect(readies.filter((count) => count.value >= 2).length).toBeGreaterThanOrEqual(onDoomed);
      expect(ackedAfterKill.every((count) => count >= 2)).toBe(true);
    }, 60_000); // a bound for a loaded machine (the sends paced during the outage pile up), not a figure
    expect(balancer.connectionsTo(doomed.port)).toBe(0);
    sending = false;
    await Promise.all(senders);

    const outcomes = await Promise.all(results);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const history = await storedTexts(database.url, 'ops');
    expect(history).toHaveLength(results.length);
    expect(new Set(history).size).toBe(history.length);
    await eventually(() => expectComplete(rooms, history), 15_000);
  });

  it('drops the dead node’s users from presence once their entries expire', async () => {
    const { env } = await clusterServices();
    const [doomed, survivor] = await Promise.all([startNode(env), startNode(env)]);
    const watcher = await joinRoom(chatClient(survivor.url, 'watcher'), 'r');
    await joinRoom(chatClient(doomed.url, 'ghost', { reconnection: false }), 'r');
    await eventually(() => expect(watcher.members.map((m) => m.userId).sort()).toEqual(['ghost', 'watcher']), 10_000);
    await doomed.kill('SIGKILL');
    // Bound: the demo's presence TTL (9 s) plus a heartbeat (2 s), with room to spare on a loaded machine.
    await eventually(() => expect(watcher.members.map((m) => m.userId)).toEqual(['watcher']), 20_000);
  });
});
