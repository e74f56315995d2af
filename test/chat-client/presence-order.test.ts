import { describe, expect, it } from 'vitest';
import { connectUser, join, ok, startChat } from '../chat/support.js';
import { sleep } from '../support/harness.js';
import { chatClient, eventually, joinRoom } from './support.js';

describe('member changes (presence:diff)', () => {
  /** ana's room with ben in it, and the version ana's list is at (ben's join answer holds every change). */
  async function lobby(gapFillDelayMs = 50) {
    const started = await startChat();
    const ana = chatClient(started.url, 'ana', { gapFillDelayMs });
    const room = await joinRoom(ana, 'r');
    const ben = await connectUser(started.url, 'ben');
    const { presenceVersion } = await join(ben, 'r');
    await eventually(() => expect(room.members.map((m) => m.userId)).toEqual(['ana', 'ben']));
    let joins = 0;
    ana.client.raw.onAnyOutgoing((event) => {
      if (event === 'room:join') joins += 1;
    });
    return { ...started, ana, room, ben, version: presenceVersion, joins: () => joins };
  }

  it('applies changes that overtook each other (several nodes) in version order, and drops stale ones', async () => {
    const { chat, room, version, joins } = await lobby(10_000);
    const cai = { userId: 'cai', name: 'Cai' };
    const dan = { userId: 'dan', name: 'Dan' };
    chat.raw.to('room/r').emit('presence:diff', { roomId: 'r', version: version + 2, joined: [cai] });
    chat.raw.to('room/r').emit('presence:diff', { roomId: 'r', version: version + 1, joined: [dan] });
    await eventually(() => expect(room.members.map((m) => m.userId)).toEqual(['ana', 'ben', 'dan', 'cai']));
    expect(room.memberCount).toBe(4);
    // Older than the list: already in it.
    chat.raw.to('room/r').emit('presence:diff', { roomId: 'r', version, left: ['ben'] });
    chat.raw.to('room/r').emit('presence:diff', { roomId: 'r', version: version + 3, left: ['dan'] });
    await eventually(() => expect(room.members.map((m) => m.userId)).toEqual(['ana', 'ben', 'cai']));
    expect(room.memberCount).toBe(3);
    expect(joins()).toBe(0);
  });

  it('a change that stays missing: the list is fetched again (a re-join), once', async () => {
    const { chat, url, room, ben } = await lobby();
    // ana misses ben's leave (as if the event were lost), then gets carol's join.
    const anaSocket = (await chat.server.in('user/ana').fetchSockets())[0];
    await chat.raw.server.in(anaSocket?.id ?? '').socketsLeave('room/r');
    ok(await ben.request('room:leave', { roomId: 'r' }));
    await chat.raw.server.in(anaSocket?.id ?? '').socketsJoin('room/r');
    const carol = await connectUser(url, 'carol');
    await join(carol, 'r');
    await eventually(() => expect(room.members.map((m) => m.userId).sort()).toEqual(['ana', 'carol']));
    expect(room.memberCount).toBe(2);
  });

  it('a server behind the changes it sent costs one re-join, not a loop', async () => {
    const { chat, room, version, joins } = await lobby();
    // A change far ahead of what the server answers: the re-join cannot reach it.
    chat.raw.to('room/r').emit('presence:diff', { roomId: 'r', version: version + 5, left: ['ben'] });
    await eventually(() => expect(joins()).toBe(1));
    await sleep(300);
    expect(joins()).toBe(1);
    expect(room.members.map((m) => m.userId)).toEqual(['ana', 'ben']);
  });
});

describe('message updates that arrive out of order', () => {
  it('keep the copy with the later change', async () => {
    const { url, chat } = await startChat();
    const ana = await joinRoom(chatClient(url, 'ana'), 'r');
    const sent = await ana.send('v1');
    if (!sent.ok) throw new Error('send failed');
    const base = sent.data;
    chat.raw.to('room/r').emit('message:updated', { ...base, text: 'v3', editedAt: 3, updatedAt: 3 });
    chat.raw.to('room/r').emit('message:updated', { ...base, text: 'v2 (late)', editedAt: 2, updatedAt: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ana.messages.map((m) => m.text)).toEqual(['v3']);
  });
});
