import { describe, expect, it } from 'vitest';
import { chatClient, joinRoom } from '../chat-client/support.js';
import { connectUser, join, ok, sendMany, startChat } from './support.js';

describe('read markers after a reload', () => {
  it("room:join answers the joiner's readSerial and the room's read markers", async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    const ben = await connectUser(url, 'ben');
    await join(ana, 'lobby');
    await join(ben, 'lobby');
    await sendMany(ana, 'lobby', 4);
    ok(await ben.request('read:mark', { roomId: 'lobby', serial: 2 }));
    ben.close();
    const reloaded = await connectUser(url, 'ben');
    const joined = await join(reloaded, 'lobby');
    expect(joined).toMatchObject({ lastSerial: 4, readSerial: 2, readMarkers: { ana: 4, ben: 2 } });
    expect(joined.readMarkersTotal).toBeUndefined();
  });

  it('cuts the markers to the answer budget (highest first), says how many there are, and keeps readSerial', async () => {
    const maxAnswerBytes = 2000;
    const { url, store } = await startChat({ maxAnswerBytes });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'crowd');
    await sendMany(ana, 'crowd', 1);
    await store.markRead('crowd', 'ana', 1);
    for (let i = 0; i < 200; i++) await store.markRead('crowd', `reader-${'x'.repeat(40)}-${i}`, 1);
    await store.append({
      roomId: 'crowd',
      clientMessageId: 'c',
      author: { userId: 'z', name: 'Z' },
      text: 't',
      createdAt: 1,
    });
    await store.markRead('crowd', 'late-reader', 2);
    const again = await connectUser(url, 'ana');
    const joined = await join(again, 'crowd');
    expect(JSON.stringify(joined).length).toBeLessThanOrEqual(maxAnswerBytes);
    // ana, the 200 readers, z (whose message moved their marker) and the late reader.
    expect(joined.readMarkersTotal).toBe(203);
    expect(Object.keys(joined.readMarkers).length).toBeLessThan(203);
    expect(joined.readMarkers['late-reader']).toBe(2);
    expect(joined.readSerial).toBe(1);
  });

  it('a ChatClient has room.readMarkers right after a reload, ours included', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana');
    const ben = chatClient(url, 'ben');
    const a = await joinRoom(ana, 'lobby');
    const b = await joinRoom(ben, 'lobby');
    for (const text of ['one', 'two', 'three']) await a.send(text);
    ok(await b.markRead(2));
    ben.close();
    const reloaded = chatClient(url, 'ben');
    const room = await joinRoom(reloaded, 'lobby');
    expect(Object.fromEntries(room.readMarkers)).toEqual({ ana: 3, ben: 2 });
  });
});
