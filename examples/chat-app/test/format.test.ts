import { describe, expect, it } from 'vitest';
import { mentionedIds, slugify, toRoomId, typingText } from '../src/page/format.js';

const user = (name: string) => ({ name, userId: name.toLowerCase() });

describe('page helpers', () => {
  it('slugify: a user id from a display name, or undefined when nothing usable is left', () => {
    expect(slugify('Ana')).toBe('ana');
    expect(slugify('  Ana María López ')).toBe('ana-maria-lopez');
    expect(slugify('<b>Ben</b>')).toBe('b-ben-b');
    expect(slugify('😀')).toBeUndefined();
    expect(slugify('x'.repeat(100))).toHaveLength(64);
  });

  it('toRoomId: what the user typed, as a valid room id', () => {
    expect(toRoomId('General')).toBe('general');
    expect(toRoomId('#Team Chat')).toBe('team-chat');
    expect(toRoomId('  a/b?c  ')).toBe('abc');
    expect(toRoomId('###')).toBeUndefined();
    expect(toRoomId('ü')).toBeUndefined();
  });

  it('typingText: names the typists, briefly', () => {
    expect(typingText([])).toBe('');
    expect(typingText([user('Ana')])).toBe('Ana is typing…');
    expect(typingText([user('Ana'), user('Ben')])).toBe('Ana and Ben are typing…');
    expect(typingText(['Ana', 'Ben', 'Cy'].map(user))).toBe('Ana, Ben and 1 other are typing…');
    expect(typingText(['Ana', 'Ben', 'Cy', 'Di'].map(user))).toBe('Ana, Ben and 2 others are typing…');
  });
});

describe('mentionedIds', () => {
  const members = [
    { userId: 'ana-maria', name: 'Ana María' },
    { userId: 'ben', name: 'Ben' },
    { userId: 'benedict', name: 'Benedict' },
  ];
  it('finds @name or @id of members, ignoring case, each once', () => {
    expect(mentionedIds('hi @ana maría and @BEN, @ben again', members)).toEqual(['ana-maria', 'ben']);
    expect(mentionedIds('@benedict', members)).toEqual(['benedict']);
    expect(mentionedIds('(@ana-maria)', members)).toEqual(['ana-maria']);
  });
  it('ignores e-mail addresses, longer words and non-members', () => {
    expect(mentionedIds('mail ben@ben.org or x@ben', members)).toEqual([]);
    expect(mentionedIds('@bent @carla', members)).toEqual([]);
  });
});
