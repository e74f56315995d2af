import type { ChatUser } from '@chatwire/protocol';
import type { NewMessage, Store } from '@chatwire/server';
import { describe, expect, it, onTestFinished } from 'vitest';

const ana: ChatUser = { userId: 'ana', name: 'Ana' };
const ben: ChatUser = { userId: 'ben', name: 'Ben' };

let counter = 0;
function draft(roomId: string, author: ChatUser = ana, text = 'hello', clientMessageId?: string): NewMessage {
  counter += 1;
  return {
    roomId,
    author,
    text,
    clientMessageId: clientMessageId ?? `c${counter}`,
    createdAt: 1_700_000_000_000 + counter,
  };
}

/**
 * The behaviour every {@link Store} must have, run against each implementation. `open` makes a
 * fresh, empty store (closed by the suite when each test finishes).
 */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  async function fresh(): Promise<Store> {
    const store = await open();
    onTestFinished(() => store.close());
    return store;
  }

  async function fill(store: Store, roomId: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) await store.append(draft(roomId, ana, `m${i + 1}`));
  }

  describe(`${name} (store contract)`, () => {
    it('gives each room its own serials 1, 2, 3 … and reports the last', async () => {
      const store = await fresh();
      expect(await store.lastSerial('r1')).toBe(0);
      const a = await store.append(draft('r1'));
      const b = await store.append(draft('r1', ben, 'second'));
      const c = await store.append(draft('r2'));
      expect([a.message.serial, b.message.serial, c.message.serial]).toEqual([1, 2, 1]);
      expect(a.created && b.created && c.created).toBe(true);
      expect(await store.lastSerial('r1')).toBe(2);
      expect(b.message).toEqual({
        id: expect.any(String),
        roomId: 'r1',
        serial: 2,
        clientMessageId: expect.any(String),
        author: ben,
        text: 'second',
        createdAt: expect.any(Number),
        reactions: {},
      });
      expect(a.message.id).not.toBe(b.message.id);
    });

    it('stores a clientMessageId once per author and room, returning the original on a retry', async () => {
      const store = await fresh();
      const first = await store.append(draft('r', ana, 'original', 'same'));
      const retry = await store.append(draft('r', ana, 'changed on retry', 'same'));
      expect(retry).toEqual({ message: first.message, created: false });
      const otherAuthor = await store.append(draft('r', ben, 'x', 'same'));
      const otherRoom = await store.append(draft('r2', ana, 'x', 'same'));
      expect(otherAuthor.created && otherRoom.created).toBe(true);
      expect(await store.lastSerial('r')).toBe(2);
    });

    it('keeps serials gapless and unique under concurrent appends, retries included', async () => {
      const store = await fresh();
      const sends = Array.from({ length: 60 }, (_, i) =>
        draft('busy', i % 2 ? ana : ben, `m${i}`, `id${i % 40}-${i % 2}`),
      );
      const results = await Promise.all(sends.map((d) => store.append(d)));
      const created = results.filter((r) => r.created).map((r) => r.message.serial);
      expect(created.sort((x, y) => x - y)).toEqual(Array.from({ length: created.length }, (_, i) => i + 1));
      const page = await store.history('busy', { limit: 100 });
      expect(page.messages.map((m) => m.serial)).toEqual(created);
      for (const r of results.filter((x) => !x.created)) {
        expect(page.messages.find((m) => m.serial === r.message.serial)?.clientMessageId).toBe(
          r.message.clientMessageId,
        );
      }
    });

    it('gets a message by serial, undefined when missing', async () => {
      const store = await fresh();
      const { message } = await store.append(draft('r'));
      expect(await store.get('r', 1)).toEqual(message);
      expect(await store.get('r', 2)).toBeUndefined();
      expect(await store.get('nope', 1)).toBeUndefined();
    });

    it('edits text and sets editedAt', async () => {
      const store = await fresh();
      await store.append(draft('r', ana, 'typo'));
      const edited = await store.edit('r', 1, 'fixed', 42);
      expect(edited).toMatchObject({ serial: 1, text: 'fixed', editedAt: 42 });
      expect(await store.get('r', 1)).toEqual(edited);
      expect(await store.edit('r', 9, 'x', 1)).toBeUndefined();
    });

    it('deletes into a tombstone, keeping the first deletedAt', async () => {
      const store = await fresh();
      await store.append(draft('r', ana, 'secret'));
      await store.toggleReaction('r', 1, '👍', 'ben', 10, 50);
      const deleted = await store.delete('r', 1, 100);
      expect(deleted).toMatchObject({ serial: 1, text: '', reactions: {}, deletedAt: 100 });
      expect((await store.delete('r', 1, 200))?.deletedAt).toBe(100);
      expect(await store.delete('r', 5, 1)).toBeUndefined();
    });

    it('leaves a deleted message as it is: an edit or a reaction returns the tombstone unchanged', async () => {
      const store = await fresh();
      await store.append(draft('r', ana, 'to be deleted'));
      const tombstone = await store.delete('r', 1, 100);
      expect(await store.edit('r', 1, 'back from the dead', 200)).toEqual(tombstone);
      expect(await store.toggleReaction('r', 1, '👍', 'ben', 300, 50)).toEqual(tombstone);
      expect(await store.get('r', 1)).toEqual(tombstone);
      expect((await store.updatedSince('r', 150, 10)).length).toBe(0);
    });

    it('toggles reactions per user, in the order users reacted', async () => {
      const store = await fresh();
      await store.append(draft('r'));
      await store.toggleReaction('r', 1, '👍', 'ben', 10, 50);
      await store.toggleReaction('r', 1, '👍', 'ana', 10, 50);
      const both = await store.toggleReaction('r', 1, '🎉', 'ana', 10, 50);
      expect(both?.reactions).toEqual({ '👍': ['ben', 'ana'], '🎉': ['ana'] });
      await store.toggleReaction('r', 1, '👍', 'ben', 10, 50);
      const after = await store.toggleReaction('r', 1, '🎉', 'ana', 10, 50);
      expect(after?.reactions).toEqual({ '👍': ['ana'] });
      expect(await store.toggleReaction('r', 2, '👍', 'ana', 10, 50)).toBeUndefined();
    });

    it('refuses a new kind of reaction past maxReactionKeys with CONFLICT; known ones still toggle', async () => {
      const store = await fresh();
      await store.append(draft('r'));
      for (const emoji of ['a', 'b', 'c']) await store.toggleReaction('r', 1, emoji, 'ana', 10, 3);
      await expect(store.toggleReaction('r', 1, 'd', 'ana', 20, 3)).rejects.toMatchObject({
        name: 'ChatwireError',
        code: 'CONFLICT',
      });
      expect(await store.get('r', 1)).toMatchObject({ reactions: { a: ['ana'], b: ['ana'], c: ['ana'] } });
      expect((await store.toggleReaction('r', 1, 'a', 'ben', 30, 3))?.reactions.a).toEqual(['ana', 'ben']);
      // Removing one makes room for another.
      await store.toggleReaction('r', 1, 'c', 'ana', 40, 3);
      expect(Object.keys((await store.toggleReaction('r', 1, 'd', 'ana', 50, 3))?.reactions ?? {})).toEqual([
        'a',
        'b',
        'd',
      ]);
    });

    it('holds the reaction cap under concurrent toggles of different emoji', async () => {
      const store = await fresh();
      await store.append(draft('r'));
      const toggles = Array.from({ length: 30 }, (_, i) => store.toggleReaction('r', 1, `e${i}`, `u${i}`, 10 + i, 10));
      const outcomes = await Promise.allSettled(toggles);
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(refused).toHaveLength(20);
      for (const o of refused) expect(o.reason).toMatchObject({ code: 'CONFLICT' });
      expect(Object.keys((await store.get('r', 1))?.reactions ?? {})).toHaveLength(10);
    });

    it('lists the messages changed since a time, in the order of their latest change', async () => {
      const store = await fresh();
      await fill(store, 'r', 5);
      expect(await store.updatedSince('r', 0, 10)).toEqual([]);
      await store.edit('r', 2, 'edited', 100);
      await store.toggleReaction('r', 4, '👍', 'ben', 200, 50);
      await store.delete('r', 1, 300);
      await store.edit('r', 2, 'edited again', 400);
      const changed = async (since: number, limit = 10) =>
        (await store.updatedSince('r', since, limit)).map((m) => [m.serial, m.text]);
      expect(await changed(0)).toEqual([
        [4, 'm4'],
        [1, ''],
        [2, 'edited again'],
      ]);
      expect(await changed(250)).toEqual([
        [1, ''],
        [2, 'edited again'],
      ]);
      expect(await changed(0, 1)).toEqual([[4, 'm4']]);
      expect(await changed(400)).toEqual([]);
      expect(await store.updatedSince('other', 0, 10)).toEqual([]);
    });

    it('pages history: latest, before and after, ascending, with hasMore at the boundaries', async () => {
      const store = await fresh();
      expect(await store.history('r', { limit: 10 })).toEqual({ messages: [], hasMore: false });
      await fill(store, 'r', 25);
      const serials = async (q: Parameters<Store['history']>[1]) => {
        const page = await store.history('r', q);
        return [page.messages.map((m) => m.serial), page.hasMore] as const;
      };
      const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
      expect(await serials({ limit: 10 })).toEqual([range(16, 25), true]);
      expect(await serials({ limit: 25 })).toEqual([range(1, 25), false]);
      expect(await serials({ limit: 30 })).toEqual([range(1, 25), false]);
      expect(await serials({ before: 16, limit: 10 })).toEqual([range(6, 15), true]);
      expect(await serials({ before: 11, limit: 10 })).toEqual([range(1, 10), false]);
      expect(await serials({ before: 1, limit: 10 })).toEqual([[], false]);
      expect(await serials({ after: 0, limit: 10 })).toEqual([range(1, 10), true]);
      expect(await serials({ after: 15, limit: 10 })).toEqual([range(16, 25), false]);
      expect(await serials({ after: 25, limit: 10 })).toEqual([[], false]);
      expect(await serials({ after: 30, limit: 10 })).toEqual([[], false]);
    });

    it('moves read markers forward only, per user', async () => {
      const store = await fresh();
      expect(await store.readMarkers('r')).toEqual({});
      expect(await store.markRead('r', 'ana', 5)).toBe(5);
      expect(await store.markRead('r', 'ana', 3)).toBe(5);
      expect(await store.markRead('r', 'ben', 2)).toBe(2);
      expect(await store.markRead('r', 'ana', 7)).toBe(7);
      expect(await store.readMarkers('r')).toEqual({ ana: 7, ben: 2 });
      expect(await store.readMarkers('other')).toEqual({});
    });

    it('keeps memberships per user until removed, refusing joins past maxRooms', async () => {
      const store = await fresh();
      expect(await store.addMember('b', 'ana', 2)).toBe('added');
      expect(await store.addMember('b', 'ana', 2)).toBe('member');
      expect(await store.addMember('a', 'ana', 2)).toBe('added');
      expect(await store.addMember('c', 'ana', 2)).toBe('full');
      // Already a member: not refused at the cap.
      expect(await store.addMember('a', 'ana', 2)).toBe('member');
      expect(await store.addMember('c', 'ben', 2)).toBe('added');
      expect((await store.roomMembers('c', 10)).sort()).toEqual(['ben']);
      expect((await store.userRooms('ana', { limit: 10, maxUnread: 999 })).map((r) => r.roomId)).toEqual(['a', 'b']);
      expect(await store.removeMember('a', 'ana')).toBe(true);
      expect(await store.removeMember('a', 'ana')).toBe(false);
      expect(await store.addMember('c', 'ana', 2)).toBe('added');
      expect((await store.roomMembers('c', 10)).sort()).toEqual(['ana', 'ben']);
      expect(await store.roomMembers('c', 1)).toHaveLength(1);
      expect(await store.roomMembers('none', 10)).toEqual([]);
    });

    it('holds the membership cap under concurrent joins', async () => {
      const store = await fresh();
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.addMember(`room-${i}`, 'ana', 5)));
      expect(results.filter((result) => result === 'added')).toHaveLength(5);
      expect(await store.userRooms('ana', { limit: 100, maxUnread: 999 })).toHaveLength(5);
    });

    it("lists a user's rooms by room id, in pages, with unread counts and the last message", async () => {
      const store = await fresh();
      for (const roomId of ['r3', 'r1', 'r2', 'empty']) await store.addMember(roomId, 'ana', 10);
      await store.addMember('r1', 'ben', 10);
      // r1: 1 ana, 2 ben, 3 ben (deleted), 4 ben, 5 ana; ana read up to 1.
      await store.append(draft('r1', ana));
      await store.append(draft('r1', ben));
      await store.append(draft('r1', ben));
      await store.append(draft('r1', ben, 'latest from ben'));
      await store.append(draft('r1', ana, 'my last'));
      await store.delete('r1', 3, 50);
      await store.markRead('r1', 'ana', 1);
      await fill(store, 'r2', 4);
      await store.append(draft('r3', ben));
      await store.delete('r3', 1, 60);

      const all = await store.userRooms('ana', { limit: 10, maxUnread: 999 });
      expect(all.map((room) => room.roomId)).toEqual(['empty', 'r1', 'r2', 'r3']);
      expect(all[0]).toEqual({ roomId: 'empty', lastSerial: 0, readSerial: 0, unread: 0 });
      // After the marker, by others, not deleted: 2 and 4.
      expect(all[1]).toMatchObject({ roomId: 'r1', lastSerial: 5, readSerial: 1, unread: 2 });
      expect(all[1]?.lastMessage).toMatchObject({ serial: 5, text: 'my last', author: ana });
      // r2's messages are all ana's own.
      expect(all[2]).toMatchObject({ roomId: 'r2', lastSerial: 4, readSerial: 0, unread: 0 });
      expect(all[3]).toMatchObject({
        roomId: 'r3',
        lastSerial: 1,
        unread: 0,
        lastMessage: { deletedAt: 60, text: '' },
      });

      expect((await store.userRooms('ben', { limit: 10, maxUnread: 999 }))[0]).toMatchObject({
        roomId: 'r1',
        readSerial: 0,
        unread: 2,
      });
      expect((await store.userRooms('ben', { limit: 10, maxUnread: 1 }))[0]?.unread).toBe(1);

      const first = await store.userRooms('ana', { limit: 2, maxUnread: 999 });
      expect(first.map((room) => room.roomId)).toEqual(['empty', 'r1']);
      const second = await store.userRooms('ana', { after: 'r1', limit: 2, maxUnread: 999 });
      expect(second.map((room) => room.roomId)).toEqual(['r2', 'r3']);
      expect(await store.userRooms('ana', { after: 'r3', limit: 2, maxUnread: 999 })).toEqual([]);
      expect(await store.userRooms('nobody', { limit: 2, maxUnread: 999 })).toEqual([]);
    });

    it('orders room ids by their characters, upper case before lower case, in every store', async () => {
      const store = await fresh();
      for (const roomId of ['b', 'B', 'a-1', 'a_1', 'A', 'a.1']) await store.addMember(roomId, 'ana', 10);
      const rooms = await store.userRooms('ana', { limit: 10, maxUnread: 999 });
      expect(rooms.map((room) => room.roomId)).toEqual(['A', 'B', 'a-1', 'a.1', 'a_1', 'b']);
    });

    it('hands out copies: changing a returned message changes nothing stored', async () => {
      const store = await fresh();
      const { message } = await store.append(draft('r', ana, 'original'));
      message.text = 'mutated';
      message.reactions.x = ['y'];
      const page = await store.history('r', { limit: 1 });
      page.messages[0]!.text = 'mutated too';
      expect(await store.get('r', 1)).toMatchObject({ text: 'original', reactions: {} });
    });

    it('keeps unicode text and emoji intact', async () => {
      const store = await fresh();
      const text = 'héllo 👋🏽 <b>"quotes"</b> \\ \n\t end';
      await store.append(draft('r', ana, text));
      await store.toggleReaction('r', 1, '👨‍👩‍👧', 'ana', 10, 50);
      expect(await store.get('r', 1)).toMatchObject({ text, reactions: { '👨‍👩‍👧': ['ana'] } });
    });
  });
}
