import type { ChatHookName, ChatHooks } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { clusterServices, startInProcessNode } from './support.js';

/** A chat node in this process, on the test's Redis and PostgreSQL, and every hook event it fires. */
async function startNode(redisUrl: string, databaseUrl: string) {
  const { chat, url } = await startInProcessNode(redisUrl, databaseUrl);
  const fired: string[] = [];
  const hear = <K extends ChatHookName>(name: K, what: (event: ChatHooks[K]) => string) =>
    chat.on(name, (event) => void fired.push(`${name} ${what(event)}`));
  hear('message:created', ({ message }) => message.text);
  hear('member:joined', ({ user }) => user.userId);
  hear('member:left', ({ userId }) => userId);
  return { chat, fired, url };
}

describe('hooks on several nodes', { timeout: 60_000 }, () => {
  it('fire once across the cluster, on the node that made the change', async () => {
    const { redis, database } = await clusterServices();
    const [one, two] = [await startNode(redis.url, database.url), await startNode(redis.url, database.url)];
    const anaOnOne = chatClient(one.url, 'ana', { reconnection: false });
    const anaOnTwo = chatClient(two.url, 'ana', { reconnection: false });
    const ben = chatClient(two.url, 'ben', { reconnection: false });
    await joinRoom(anaOnOne, 'r');
    await joinRoom(anaOnTwo, 'r'); // her second tab, on the other node: nothing new
    const benRoom = await joinRoom(ben, 'r');
    await anaOnOne.rooms.get('r')!.send('from one');
    await two.chat.send('r', { text: 'from two' }, { as: 'system' });
    // Both reached ben, on node two, through the adapter.
    await eventually(() => expect(benRoom.messages.map((m) => m.text)).toEqual(['from one', 'from two']), 10_000);
    anaOnOne.close(); // ana still has a tab on node two
    ben.close();
    await eventually(() => expect(two.fired).toContain('member:left ben'), 10_000);
    anaOnTwo.close();
    await eventually(() => expect(two.fired).toContain('member:left ana'), 10_000);
    expect(one.fired).toEqual(['member:joined ana', 'message:created from one']);
    expect(two.fired).toEqual(['member:joined ben', 'message:created from two', 'member:left ben', 'member:left ana']);
  });
});
