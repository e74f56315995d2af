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

    it('checks a send in one read: the stored send of that room, author and clientMessageId, in its current state', async () => {
      const store = await fresh();
      const stored = async (roomId: string, authorId: string, clientMessageId: string) =>
        (await store.sendCheck(roomId, authorId, clientMessageId, 1)).stored;
      expect(await stored('r', 'ana', 'same')).toBeUndefined();
      const { message } = await store.append(draft('r', ana, 'original', 'same'));
      await store.append(draft('r', ben, 'other author', 'same'));
      expect(await stored('r', 'ana', 'same')).toEqual(message);
      expect(await stored('r', 'ben', 'same')).toMatchObject({ text: 'other author' });
      expect(await stored('r2', 'ana', 'same')).toBeUndefined();
      expect(await stored('r', 'ana', 'other')).toBeUndefined();
      await store.delete('r', message.serial, 1_800_000_000_000);
      expect(await stored('r', 'ana', 'same')).toMatchObject({ serial: 1, text: '', deletedAt: 1_800_000_000_000 });
    });

    it('checks a send in one read: the author’s bans and mutes in force in the room, beside the stored send', async () => {
      const store = await fresh();
      expect(await store.sendCheck('r', 'ana', 'c1', 100)).toEqual({ stored: undefined, restrictions: [] });
      await store.restrict({ roomId: 'r', userId: 'ana', kind: 'mute', until: 500, reason: 'calm', createdAt: 100 });
      await store.restrict({ roomId: 'r', userId: 'ana', kind: 'ban', createdAt: 110 });
      await store.restrict({ roomId: 'r', userId: 'ben', kind: 'ban', createdAt: 120 });
      await store.restrict({ roomId: 'other', userId: 'ana', kind: 'mute', createdAt: 130 });
      const { message } = await store.append(draft('r', ana, 'sent before', 'c1'));
      expect(await store.sendCheck('r', 'ana', 'c1', 499)).toEqual({
        stored: message,
        restrictions: [
          { roomId: 'r', userId: 'ana', kind: 'ban', createdAt: 110 },
          { roomId: 'r', userId: 'ana', kind: 'mute', until: 500, reason: 'calm', createdAt: 100 },
        ],
      });
      // The same restrictions as restrictionsOf, by the clock it is given: the mute ended at `until`.
      expect((await store.sendCheck('r', 'ana', 'c2', 500)).restrictions).toEqual(
        await store.restrictionsOf('r', 'ana', 500),
      );
      expect(await store.sendCheck('r', 'ana', 'c2', 500)).toEqual({
        stored: undefined,
        restrictions: [{ roomId: 'r', userId: 'ana', kind: 'ban', createdAt: 110 }],
      });
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

    it("moves a new message's author's read marker to it, in the same append; not for a system message nor a retry", async () => {
      const store = await fresh();
      await store.append(draft('r', ana, 'one', 'a1'));
      await store.append(draft('r', ben, 'two'));
      expect(await store.readMarkers('r')).toEqual({ ana: 1, ben: 2 });
      await store.append({ ...draft('r', ana, 'maintenance'), system: true });
      expect(await store.readMarkers('r')).toEqual({ ana: 1, ben: 2 });
      // Never back: a marker ahead of the new message stays; a retry of message 1 moves nothing.
      expect(await store.markRead('r', 'ben', 9)).toBe(9);
      await store.append(draft('r', ben, 'four'));
      expect((await store.append(draft('r', ana, 'one', 'a1'))).created).toBe(false);
      expect(await store.markRead('r', 'ana', 0)).toBe(1);
      expect(await store.readMarkers('r')).toEqual({ ana: 1, ben: 9 });
    });

    it('keeps bans and mutes per user and room, one of each kind, until lifted or expired', async () => {
      const store = await fresh();
      expect(await store.restrictionsOf('r', 'ana', 100)).toEqual([]);
      await store.restrict({ roomId: 'r', userId: 'ana', kind: 'ban', until: 500, reason: 'spam', createdAt: 100 });
      await store.restrict({ roomId: 'r', userId: 'ana', kind: 'mute', createdAt: 110 });
      await store.restrict({ roomId: 'other', userId: 'ana', kind: 'ban', createdAt: 120 });
      expect(await store.restrictionsOf('r', 'ana', 499)).toEqual([
        { roomId: 'r', userId: 'ana', kind: 'ban', until: 500, reason: 'spam', createdAt: 100 },
        { roomId: 'r', userId: 'ana', kind: 'mute', createdAt: 110 },
      ]);
      // Expired at `until` by the clock it is given; the mute without `until` stays.
      expect(await store.restrictionsOf('r', 'ana', 500)).toEqual([
        { roomId: 'r', userId: 'ana', kind: 'mute', createdAt: 110 },
      ]);
      expect(await store.restrictionsOf('r', 'ben', 100)).toEqual([]);
      // A second ban replaces the first.
      await store.restrict({ roomId: 'r', userId: 'ana', kind: 'ban', createdAt: 600 });
      expect(await store.restrictions('r', 'ban', 10_000, 10)).toEqual([
        { roomId: 'r', userId: 'ana', kind: 'ban', createdAt: 600 },
      ]);
      await store.lift('r', 'ana', 'mute');
      await store.lift('r', 'nobody', 'mute');
      expect(await store.restrictionsOf('r', 'ana', 700)).toEqual([
        { roomId: 'r', userId: 'ana', kind: 'ban', createdAt: 600 },
      ]);
      expect(await store.restrictionsOf('other', 'ana', 700)).toHaveLength(1);
    });

    it('lists a room’s bans in force, oldest first, at most limit', async () => {
      const store = await fresh();
      await store.restrict({ roomId: 'r', userId: 'cy', kind: 'ban', createdAt: 20 });
      await store.restrict({ roomId: 'r', userId: 'ben', kind: 'ban', createdAt: 10 });
      await store.restrict({ roomId: 'r', userId: 'ana', kind: 'ban', createdAt: 20 });
      await store.restrict({ roomId: 'r', userId: 'dan', kind: 'ban', until: 50, createdAt: 5 });
      await store.restrict({ roomId: 'r', userId: 'eve', kind: 'mute', createdAt: 1 });
      const users = async (now: number, limit: number) =>
        (await store.restrictions('r', 'ban', now, limit)).map((r) => r.userId);
      expect(await users(40, 10)).toEqual(['dan', 'ben', 'ana', 'cy']);
      expect(await users(50, 10)).toEqual(['ben', 'ana', 'cy']);
      expect(await users(50, 2)).toEqual(['ben', 'ana']);
      expect((await store.restrictions('r', 'mute', 50, 10)).map((r) => r.userId)).toEqual(['eve']);
      expect(await store.restrictions('empty', 'ban', 50, 10)).toEqual([]);
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
      // r1: 1 ana (her marker moves to 1), 2 ben, 3 ben (deleted), 4 ben, 5 ben (his marker moves to 5).
      await store.append(draft('r1', ana));
      await store.append(draft('r1', ben));
      await store.append(draft('r1', ben));
      await store.append(draft('r1', ben));
      await store.append(draft('r1', ben, 'latest from ben'));
      await store.delete('r1', 3, 50);
      await fill(store, 'r2', 4);
      await store.append(draft('r3', ben));
      await store.delete('r3', 1, 60);

      const all = await store.userRooms('ana', { limit: 10, maxUnread: 999 });
      expect(all.map((room) => room.roomId)).toEqual(['empty', 'r1', 'r2', 'r3']);
      expect(all[0]).toEqual({ roomId: 'empty', lastSerial: 0, readSerial: 0, unread: 0 });
      // After the marker, not deleted: 2, 4 and 5.
      expect(all[1]).toMatchObject({ roomId: 'r1', lastSerial: 5, readSerial: 1, unread: 3 });
      expect(all[1]?.lastMessage).toMatchObject({ serial: 5, text: 'latest from ben', author: ben });
      // r2's messages are all ana's own: she has read them.
      expect(all[2]).toMatchObject({ roomId: 'r2', lastSerial: 4, readSerial: 4, unread: 0 });
      expect(all[3]).toMatchObject({
        roomId: 'r3',
        lastSerial: 1,
        unread: 0,
        lastMessage: { deletedAt: 60, text: '' },
      });

      expect((await store.userRooms('ben', { limit: 10, maxUnread: 999 }))[0]).toMatchObject({
        roomId: 'r1',
        readSerial: 5,
        unread: 0,
      });
      expect((await store.userRooms('ana', { limit: 10, maxUnread: 2 }))[1]?.unread).toBe(2);

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

    it('keeps the system marker of a system message through every read, and on no other message', async () => {
      const store = await fresh();
      const system: ChatUser = { userId: 'chatwire:system', name: 'System' };
      const posted = await store.append({ ...draft('r', system, 'maintenance at ten'), system: true });
      const plain = await store.append({ ...draft('r', ana, 'ok'), system: false });
      expect(posted.message).toMatchObject({ serial: 1, author: system, system: true });
      expect(plain.message).not.toHaveProperty('system');
      const retry = await store.append({
        ...draft('r', system, 'again', posted.message.clientMessageId),
        system: true,
      });
      expect(retry).toEqual({ message: posted.message, created: false });
      expect(await store.get('r', 1)).toEqual(posted.message);
      expect((await store.history('r', { limit: 10 })).messages.map((m) => m.system)).toEqual([true, undefined]);
      await store.edit('r', 1, 'maintenance at eleven', 50);
      expect(await store.updatedSince('r', 0, 10)).toMatchObject([{ serial: 1, system: true }]);
      expect(await store.delete('r', 1, 60)).toMatchObject({ text: '', system: true });
    });

    describe('search', () => {
      /** The serials and texts `query` finds in room 'r'. */
      const found = async (store: Store, query: string, options: Parameters<Store['search']>[2] = { limit: 50 }) =>
        (await store.search('r', query, options)).messages.map((m) => [m.serial, m.text]);

      it('finds the messages holding every word, as word starts, ignoring case, newest first', async () => {
        const store = await fresh();
        for (const text of [
          'Lunch on Friday?',
          'friday is fine',
          'LUNCH at noon',
          'brunch, friday',
          'Lunchtime friday!',
          'nothing here',
        ]) {
          await store.append(draft('r', ana, text));
        }
        await store.append(draft('other', ana, 'lunch friday in another room'));
        expect(await found(store, 'lunch friday')).toEqual([
          [5, 'Lunchtime friday!'],
          [1, 'Lunch on Friday?'],
        ]);
        expect(await found(store, 'LUNCH')).toEqual([
          [5, 'Lunchtime friday!'],
          [3, 'LUNCH at noon'],
          [1, 'Lunch on Friday?'],
        ]);
        expect(await found(store, 'fri')).toEqual([
          [5, 'Lunchtime friday!'],
          [4, 'brunch, friday'],
          [2, 'friday is fine'],
          [1, 'Lunch on Friday?'],
        ]);
        // A word must start a word of the text: "unch" is inside "lunch" and "brunch", never at a start.
        expect(await found(store, 'unch')).toEqual([]);
        expect(await found(store, 'lunch dinner')).toEqual([]);
        expect(await store.search('empty', 'lunch', { limit: 10 })).toEqual({ messages: [], hasMore: false });
      });

      it('pages newest first with before and limit; hasMore while older matches remain', async () => {
        const store = await fresh();
        for (let i = 1; i <= 12; i++) await store.append(draft('r', ana, i % 3 === 0 ? `match ${i}` : `other ${i}`));
        const page = async (options: Parameters<Store['search']>[2]) => {
          const { messages, hasMore } = await store.search('r', 'match', options);
          return [messages.map((m) => m.serial), hasMore];
        };
        expect(await page({ limit: 2 })).toEqual([[12, 9], true]);
        expect(await page({ limit: 2, before: 9 })).toEqual([[6, 3], false]);
        expect(await page({ limit: 4 })).toEqual([[12, 9, 6, 3], false]);
        expect(await page({ limit: 10, before: 7 })).toEqual([[6, 3], false]);
        expect(await page({ limit: 10, before: 3 })).toEqual([[], false]);
        expect(await page({ limit: 1, before: 100 })).toEqual([[12], true]);
      });

      it('never finds a deleted message; finds an edited one by its new text only', async () => {
        const store = await fresh();
        await store.append(draft('r', ana, 'secret plan'));
        await store.append(draft('r', ana, 'secret typo'));
        await store.append(draft('r', ana, 'another secret'));
        expect((await found(store, 'secret')).length).toBe(3);
        await store.delete('r', 1, 100);
        await store.edit('r', 2, 'public notice', 200);
        expect(await found(store, 'secret')).toEqual([[3, 'another secret']]);
        expect(await found(store, 'typo')).toEqual([]);
        expect(await found(store, 'public')).toEqual([[2, 'public notice']]);
        // Deleted twice, edited after the delete, reacted to: still never found.
        await store.delete('r', 1, 300);
        await store.edit('r', 1, 'secret again', 400);
        await store.toggleReaction('r', 3, '👍', 'ben', 500, 50);
        await store.delete('r', 3, 600);
        expect(await found(store, 'secret')).toEqual([]);
        expect(await found(store, 'plan')).toEqual([]);
      });

      it('finds each message by its text at the time of the search, however edits and deletes interleave with sends', async () => {
        const store = await fresh();
        const expected = new Map<number, string>();
        for (let i = 1; i <= 200; i++) {
          await store.append(draft('r', ana, `alpha ${i}`));
          expected.set(i, `alpha ${i}`);
          if (i % 7 === 0) {
            await store.edit('r', i - 3, `beta ${i - 3}`, i);
            expected.set(i - 3, `beta ${i - 3}`);
          }
          if (i % 11 === 0) {
            await store.delete('r', i - 5, i);
            expected.delete(i - 5);
          }
          // Searches now and then, so that some edits and deletes land on messages a search saw, some not.
          if (i % 50 === 0) expect((await found(store, 'alpha', { limit: 1 })).length).toBe(1);
        }
        const all = async (word: string) => (await found(store, word, { limit: 1000 })).length;
        const count = (word: string) => [...expected.values()].filter((text) => text.startsWith(word)).length;
        expect(await all('alpha')).toBe(count('alpha'));
        expect(await all('beta')).toBe(count('beta'));
        for (const [serial, text] of [...expected].filter(([serial]) => serial % 13 === 0)) {
          expect(await found(store, text)).toContainEqual([serial, text]);
        }
      });

      it('reads any query as words and separators: query syntax of any engine is not syntax', async () => {
        const store = await fresh();
        await store.append(draft('r', ana, 'say "hello" AND NOT near(o\'brien) 100% x*y'));
        await store.append(draft('r', ana, 'hello world'));
        for (const query of [
          '"hello',
          'hello*',
          '(hello',
          'hello)',
          '^hello',
          'hello:*',
          "'hello'",
          '-hello',
          '+hello',
        ]) {
          expect(await found(store, query)).toEqual([
            [2, 'hello world'],
            [1, 'say "hello" AND NOT near(o\'brien) 100% x*y'],
          ]);
        }
        expect(await found(store, 'NOT hello')).toEqual([[1, 'say "hello" AND NOT near(o\'brien) 100% x*y']]);
        expect(await found(store, 'hello OR world')).toEqual([]);
        expect(await found(store, "near(o'brien")).toEqual([[1, 'say "hello" AND NOT near(o\'brien) 100% x*y']]);
        expect(await found(store, 'hello & !near | <-> 1')).toEqual([
          [1, 'say "hello" AND NOT near(o\'brien) 100% x*y'],
        ]);
        for (const query of ['', '"', '*', '":*', '\\', ' & | ! ( ) <-> ', '💬']) {
          expect(await store.search('r', query, { limit: 10 })).toEqual({ messages: [], hasMore: false });
        }
      });

      it('matches letters beyond ASCII, ignoring case but not accents', async () => {
        const store = await fresh();
        await store.append(draft('r', ana, 'À bientôt à l’ÉCOLE'));
        await store.append(draft('r', ana, 'Straße Σοφία 日本語'));
        expect(await found(store, 'école bientôt')).toEqual([[1, 'À bientôt à l’ÉCOLE']]);
        expect(await found(store, 'ecole')).toEqual([]);
        expect(await found(store, 'σοφ straß')).toEqual([[2, 'Straße Σοφία 日本語']]);
        expect(await found(store, '日本')).toEqual([[2, 'Straße Σοφία 日本語']]);
        // Case is folded one letter at a time: a final capital sigma is σ as anywhere else.
        await store.append(draft('r', ana, 'ΟΔΟΣ'));
        expect(await found(store, 'οδοσ')).toEqual([[3, 'ΟΔΟΣ']]);
        expect(await found(store, 'ΟΔΟΣ')).toEqual([[3, 'ΟΔΟΣ']]);
      });
    });

    it('keeps unicode text and emoji intact', async () => {
      const store = await fresh();
      const text = 'héllo 👋🏽 <b>"quotes"</b> \\ \n\t end';
      await store.append(draft('r', ana, text));
      await store.toggleReaction('r', 1, '👨‍👩‍👧', 'ana', 10, 50);
      expect(await store.get('r', 1)).toMatchObject({ text, reactions: { '👨‍👩‍👧': ['ana'] } });
    });
    it('keeps a reply, mentions and meta (nested JSON, unicode) with the message', async () => {
      const store = await fresh();
      await store.append(draft('r'));
      const meta = {
        attachments: [{ url: 'https://x.test/a.png', name: 'ä 👋.png', size: 12, type: 'image/png' }],
        n: null,
      };
      const { message } = await store.append({
        ...draft('r', ben, 'reply'),
        replyTo: 1,
        mentions: ['ana', 'cy'],
        meta,
      });
      expect(message).toMatchObject({ serial: 2, replyTo: 1, mentions: ['ana', 'cy'], meta });
      expect(await store.get('r', 2)).toEqual(message);
      expect((await store.history('r', { limit: 10 })).messages[1]).toEqual(message);
      // None given: none stored, and an empty mention list is none.
      const plain = await store.append({ ...draft('r'), mentions: [] });
      expect(Object.keys(plain.message).sort()).toEqual(
        ['author', 'clientMessageId', 'createdAt', 'id', 'reactions', 'roomId', 'serial', 'text'].sort(),
      );
      // A retry answers the original, extras and all.
      const retry = await store.append({ ...draft('r', ben, 'reply', message.clientMessageId), meta: { other: 1 } });
      expect(retry).toEqual({ message, created: false });
    });

    it('replaces mentions and meta on an edit only when given; an empty mention list clears them', async () => {
      const store = await fresh();
      await store.append({ ...draft('r'), replyTo: undefined, mentions: ['ben'], meta: { v: 1 } });
      expect(await store.edit('r', 1, 'text only', 20)).toMatchObject({ mentions: ['ben'], meta: { v: 1 } });
      const edited = await store.edit('r', 1, 'both', 30, { mentions: ['cy', 'dee'], meta: { v: 2 } });
      expect(edited).toMatchObject({ text: 'both', editedAt: 30, mentions: ['cy', 'dee'], meta: { v: 2 } });
      const cleared = await store.edit('r', 1, 'none', 40, { mentions: [] });
      expect(cleared?.mentions).toBeUndefined();
      expect(cleared?.meta).toEqual({ v: 2 });
      expect(await store.get('r', 1)).toEqual(cleared);
    });

    it('drops mentions and meta from a tombstone, keeping replyTo', async () => {
      const store = await fresh();
      await store.append(draft('r'));
      await store.append({ ...draft('r'), replyTo: 1, mentions: ['ben'], meta: { secret: 'x' } });
      const deleted = await store.delete('r', 2, 50);
      expect(deleted).toMatchObject({ text: '', replyTo: 1, deletedAt: 50 });
      expect(deleted?.mentions).toBeUndefined();
      expect(deleted?.meta).toBeUndefined();
      expect(await store.get('r', 2)).toEqual(deleted);
    });
  });
}
