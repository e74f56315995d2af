import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { startNode } from '../support/cluster.js';
import { sleep } from '../support/harness.js';
import { clusterServices, expectComplete, storedTexts } from './support.js';

describe('Redis stopped for 3 s and restarted', { timeout: 60_000 }, () => {
  it('service resumes; every acked message is in history and reaches every client', async () => {
    const { env, database, redis } = await clusterServices();
    const nodes = await Promise.all([startNode(env), startNode(env)]);
    const users = ['ana', 'ben', 'cai', 'dee'];
    const rooms = await Promise.all(users.map((user, i) => joinRoom(chatClient(nodes[i % 2]!.url, user), 'r')));

    const results: Promise<{ ok: boolean }>[] = [];
    let sending = true;
    const senders = rooms.map(async (room, i) => {
      for (let n = 1; sending; n++) {
        results.push(room.send(`${users[i]} #${n}`));
        await sleep(150);
      }
    });
    await sleep(600);
    await redis.stop();
    await sleep(3000);
    await redis.start();
    await sleep(1000);
    sending = false;
    await Promise.all(senders);

    expect((await Promise.all(results)).every((outcome) => outcome.ok)).toBe(true);
    const history = await storedTexts(database.url, 'r');
    expect(history).toHaveLength(results.length);
    await eventually(() => expectComplete(rooms, history), 20_000);
    // and live traffic flows between the nodes again
    const after = await rooms[0]!.send('after the outage');
    expect(after.ok).toBe(true);
    await eventually(() => {
      for (const room of rooms) expect(room.messages.at(-1)).toMatchObject({ text: 'after the outage' });
    }, 10_000);
  });
});
