import type { ChatClient } from '@chatwire/client';
import type { RoomSummary } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { ok, startChat } from '../chat/support.js';
import { chatClient, dropConnections, eventually, joinRoom } from './support.js';

const brief = (rooms: readonly RoomSummary[]) =>
  rooms.map(({ roomId, lastSerial, readSerial, unread }) => ({ roomId, lastSerial, readSerial, unread }));

/** One room of the client's list, by id. */
const summary = (chat: ChatClient, roomId: string) => brief(chat.roomList).find((room) => room.roomId === roomId);

describe('ChatClient room list', () => {
  it('lists the rooms joined on another device, newest activity first, with unread counts', async () => {
    const { url } = await startChat();
    const laptop = chatClient(url, 'ana');
    const ben = chatClient(url, 'ben');
    await joinRoom(laptop, 'quiet');
    const [, b] = await Promise.all([joinRoom(laptop, 'busy'), joinRoom(ben, 'busy')]);
    await b.send('one');
    await b.send('two');
    laptop.close();
    const phone = chatClient(url, 'ana');
    expect(phone.roomList).toEqual([]);
    const listed = await phone.listRooms();
    expect(listed.ok).toBe(true);
    expect(brief(phone.roomList)).toEqual([
      { roomId: 'busy', lastSerial: 2, readSerial: 0, unread: 2 },
      { roomId: 'quiet', lastSerial: 0, readSerial: 0, unread: 0 },
    ]);
    expect(phone.roomList[0]?.lastMessage).toMatchObject({ text: 'two', author: { userId: 'ben' } });
  });

  it('keeps unread counts live: joined rooms from messages and reads, other member rooms from room:activity', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana');
    const ben = chatClient(url, 'ben');
    const [a, b] = await Promise.all([joinRoom(ana, 'joined'), joinRoom(ben, 'joined')]);
    // 'elsewhere': ana is a member from another device, this client never joins it.
    const other = chatClient(url, 'ana');
    await joinRoom(other, 'elsewhere');
    other.close();
    const bElsewhere = await joinRoom(ben, 'elsewhere');
    ok(await ana.listRooms());
    const changes: number[] = [];
    ana.on('roomList', (rooms) => changes.push(rooms.length));

    await b.send('in joined');
    await bElsewhere.send('in elsewhere 1');
    await bElsewhere.send('in elsewhere 2');
    await eventually(() =>
      expect(brief(ana.roomList)).toEqual([
        { roomId: 'elsewhere', lastSerial: 2, readSerial: 0, unread: 2 },
        { roomId: 'joined', lastSerial: 1, readSerial: 0, unread: 1 },
      ]),
    );
    expect(changes.length).toBeGreaterThanOrEqual(3);

    await eventually(() => expect(a.lastSerial).toBe(1));
    ok(await a.markRead());
    await eventually(() => expect(summary(ana, 'joined')).toMatchObject({ readSerial: 1, unread: 0 }));

    // A delete of an unread message lowers the count.
    await b.send('oops');
    await eventually(() => expect(summary(ana, 'joined')).toMatchObject({ lastSerial: 2, unread: 1 }));
    ok(await b.delete(2));
    await eventually(() => expect(summary(ana, 'joined')).toMatchObject({ unread: 0 }));

    // Our own send: read up to it.
    await a.send('mine');
    await eventually(() =>
      expect(summary(ana, 'joined')).toEqual({ roomId: 'joined', lastSerial: 3, readSerial: 3, unread: 0 }),
    );
  });

  it('adds a room when joined and drops it when left', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana');
    ok(await ana.listRooms());
    const room = await joinRoom(ana, 'new');
    expect(brief(ana.roomList)).toEqual([{ roomId: 'new', lastSerial: 0, readSerial: 0, unread: 0 }]);
    ok(await room.leave());
    expect(ana.roomList).toEqual([]);
  });

  it('fetches the list again after a reconnect: what came while offline is counted', async () => {
    const { url, chat } = await startChat();
    const ana = chatClient(url, 'ana');
    const ben = chatClient(url, 'ben');
    const other = chatClient(url, 'ana');
    await joinRoom(other, 'lobby');
    other.close();
    const b = await joinRoom(ben, 'lobby');
    ok(await ana.listRooms());
    await ana.ready();
    await dropConnections(chat.server, 'ana');
    await eventually(() => expect(ana.status).not.toBe('connected'));
    await b.send('while you were away');
    await eventually(() =>
      expect(brief(ana.roomList)).toEqual([{ roomId: 'lobby', lastSerial: 1, readSerial: 0, unread: 1 }]),
    );
  });

  it('openDirect joins the direct room with another user', async () => {
    const { url } = await startChat();
    const ana = chatClient(url, 'ana');
    const ben = chatClient(url, 'ben');
    const fromAna = await ana.openDirect('ben');
    const fromBen = await ben.openDirect('ana');
    expect(fromAna.ok && fromAna.data.id).toBe('dm:ana:ben');
    expect(fromBen.ok && fromBen.data.id).toBe('dm:ana:ben');
    expect(await ana.openDirect('not:valid')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});
