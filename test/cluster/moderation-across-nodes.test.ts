import type { RoomRemoval } from '@chatwire/protocol';
import type { ChatServer } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { nextValue } from '../support/harness.js';
import { clusterServices, startInProcessNode } from './support.js';

const members = (chat: ChatServer, roomId: string) =>
  chat.members(roomId).then((users) => users.map((user) => user.userId).sort());

describe('moderation across nodes', { timeout: 60_000 }, () => {
  it('a kick or ban made on one node takes the user out on every node, and the ban holds on each', async () => {
    const { redis, database } = await clusterServices();
    const [one, two] = [
      await startInProcessNode(redis.url, database.url),
      await startInProcessNode(redis.url, database.url),
    ];
    const ana = chatClient(two.url, 'ana', { reconnection: false });
    const ben = chatClient(two.url, 'ben', { reconnection: false });
    const cat = chatClient(one.url, 'cat', { reconnection: false });
    const [anaRoom] = await Promise.all([joinRoom(ana, 'r'), joinRoom(ben, 'r'), joinRoom(cat, 'r')]);

    // A kick on node one reaches Ana on node two; presence forgets her on both nodes.
    const kicked = nextValue<RoomRemoval>((fn) => anaRoom.on('removed', fn), 10_000);
    await one.chat.kick('r', 'ana', { reason: 'Off topic' });
    expect(await kicked).toEqual({ roomId: 'r', kind: 'kicked', reason: 'Off topic' });
    await eventually(async () => expect(await members(two.chat, 'r')).toEqual(['ben', 'cat']), 10_000);
    expect(await members(one.chat, 'r')).toEqual(['ben', 'cat']);

    // A kick is not a ban: back in, through node two. Then banned from node one.
    const back = await joinRoom(ana, 'r');
    const banned = nextValue<RoomRemoval>((fn) => back.on('removed', fn), 10_000);
    await one.chat.ban('r', 'ana', { reason: 'Spam' });
    expect(await banned).toEqual({ roomId: 'r', kind: 'banned', reason: 'Spam' });
    await eventually(async () => expect(await members(two.chat, 'r')).toEqual(['ben', 'cat']), 10_000);
    // Node two refuses her: the ban is in the shared store.
    expect(await ana.join('r')).toMatchObject({ ok: false, error: { code: 'BANNED' } });
    expect((await two.chat.bans('r')).map((ban) => ban.userId)).toEqual(['ana']);

    // A mute made on node two holds on node one.
    await two.chat.mute('r', 'cat');
    expect(await cat.rooms.get('r')!.send('hello')).toMatchObject({ ok: false, error: { code: 'MUTED' } });
    await one.chat.unban('r', 'ana');
    expect(await ana.join('r')).toMatchObject({ ok: true });
  });

  it('a kick answers UNAVAILABLE while the other nodes cannot be told (Redis away)', async () => {
    const { redis, database } = await clusterServices();
    const [one] = [
      await startInProcessNode(redis.url, database.url),
      await startInProcessNode(redis.url, database.url),
    ];
    await redis.stop();
    await expect(one.chat.kick('r', 'ana')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
