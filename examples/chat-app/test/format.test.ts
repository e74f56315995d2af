import { describe, expect, it } from 'vitest';
import { slugify, toRoomId, typingText } from '../src/page/format.js';

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
