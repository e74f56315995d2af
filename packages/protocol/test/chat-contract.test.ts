import { describe, expect, it } from 'vitest';
import {
  chatContract,
  MAX_TEXT_LENGTH,
  messageSchema,
  roomIdSchema,
  roomRemovalSchema,
  searchTerms,
} from '../src/index.js';

const send = chatContract.clientToServer['message:send'].payload;
const history = chatContract.clientToServer['history:fetch'].payload;

describe('chat contract', () => {
  it('accepts text of 1 to 4000 characters, without NUL', () => {
    const base = { roomId: 'general', clientMessageId: 'c1' };
    expect(send.safeParse({ ...base, text: 'x' }).success).toBe(true);
    expect(send.safeParse({ ...base, text: 'x'.repeat(MAX_TEXT_LENGTH) }).success).toBe(true);
    expect(send.safeParse({ ...base, text: '' }).success).toBe(false);
    expect(send.safeParse({ ...base, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }).success).toBe(false);
    expect(send.safeParse({ ...base, text: 'a\u0000b' }).success).toBe(false);
  });

  it('keeps room ids to a safe charset, which internal rooms (with "/") are outside of', () => {
    for (const ok of ['general', 'team-1', 'a.b:c@d#e_f']) expect(roomIdSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['', 'user/ana', 'has space', 'x'.repeat(129), '<script>']) {
      expect(roomIdSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('reads a search query as words: letters, digits and marks; everything else separates them', () => {
    expect(searchTerms('"hello", wor* AND (x:1)')).toEqual(['hello', 'wor', 'AND', 'x', '1']);
    expect(searchTerms("o'brien e\u0301te 日本語💬Σοφία")).toEqual(['o', 'brien', 'e\u0301te', '日本語', 'Σοφία']);
    expect(searchTerms(' "*" -- & | ! <-> ')).toEqual([]);
    const search = chatContract.clientToServer['history:search'].payload;
    expect(search.parse({ roomId: 'r', query: 'x' })).toEqual({ roomId: 'r', query: 'x', limit: 20 });
    for (const query of ['', '***', 'x'.repeat(201), 'a\u0000b', 'a b c d e f g h i j k']) {
      expect(search.safeParse({ roomId: 'r', query }).success).toBe(false);
    }
    expect(search.safeParse({ roomId: 'r', query: 'a b c d e f g h i j' }).success).toBe(true);
  });

  it('pages history with a default limit, at most 100, and one cursor at a time', () => {
    expect(history.parse({ roomId: 'r' })).toEqual({ roomId: 'r', limit: 50 });
    expect(history.safeParse({ roomId: 'r', limit: 101 }).success).toBe(false);
    expect(history.safeParse({ roomId: 'r', before: 5, after: 2 }).success).toBe(false);
    expect(history.safeParse({ roomId: 'r', after: 0 }).success).toBe(true);
    expect(history.safeParse({ roomId: 'r', before: 0 }).success).toBe(false);
  });

  it('describes a message with optional edit and delete times', () => {
    const message = {
      id: 'm1',
      roomId: 'r',
      serial: 1,
      clientMessageId: 'c1',
      author: { userId: 'ana', name: 'Ana' },
      text: 'hi',
      createdAt: 1,
      reactions: { '👍': ['ben'] },
    };
    expect(messageSchema.parse(message)).toEqual(message);
    expect(messageSchema.safeParse({ ...message, serial: 0 }).success).toBe(false);
    expect(messageSchema.safeParse({ ...message, editedAt: 2, deletedAt: 3, text: '' }).success).toBe(true);
  });

  it('takes exactly the listed moderation actions and removal kinds, and nothing near them', () => {
    const moderate = chatContract.clientToServer['room:moderate'].payload;
    const base = { roomId: 'r', userId: 'ben' };
    for (const action of ['kick', 'ban', 'unban', 'mute', 'unmute']) {
      expect(moderate.parse({ ...base, action })).toEqual({ ...base, action });
    }
    for (const action of ['Kick', 'kick ', 'delete', '', 0, null, ['kick'], undefined]) {
      expect(moderate.safeParse({ ...base, action }).success).toBe(false);
    }
    for (const kind of ['kicked', 'banned']) {
      expect(roomRemovalSchema.parse({ roomId: 'r', kind })).toEqual({ roomId: 'r', kind });
    }
    for (const kind of ['kick', 'ban', 'Banned', '', true, undefined]) {
      expect(roomRemovalSchema.safeParse({ roomId: 'r', kind }).success).toBe(false);
    }
  });
});
