import type { LocalMessage } from '@chatwire/client';
import { type Message, SYSTEM_AUTHOR } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import {
  formatError,
  formatMembers,
  formatMessage,
  formatTime,
  formatTyping,
  formatUpdate,
  presenceLines,
  sanitize,
} from '../src/index.js';

const utc = { timeZone: 'UTC' };
const at = (hours: number, minutes: number) => Date.UTC(2026, 0, 1, hours, minutes);
const ana = { userId: 'ana', name: 'Ana' };
const ben = { userId: 'ben', name: 'Ben' };
const cy = { userId: 'cy', name: 'Cy' };

function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    roomId: 'lobby',
    serial: 1,
    clientMessageId: 'c1',
    author: ana,
    text: 'hello',
    createdAt: at(9, 5),
    reactions: {},
    ...overrides,
  };
}

describe('formatTime', () => {
  it('shows HH:MM, 24-hour, in the given time zone', () => {
    expect(formatTime(at(9, 5), utc)).toBe('09:05');
    expect(formatTime(at(23, 59), utc)).toBe('23:59');
    expect(formatTime(at(0, 0), utc)).toBe('00:00');
    expect(formatTime(at(9, 5), { timeZone: 'Asia/Tokyo' })).toBe('18:05');
  });
});

describe('sanitize', () => {
  it('turns control characters into their visible escapes and keeps everything else', () => {
    expect(sanitize('plain text, émoji 🎉')).toBe('plain text, émoji 🎉');
    expect(sanitize('a\u001b[31mred')).toBe('a\\x1b[31mred');
    expect(sanitize('one\ntwo\rthree\ttab')).toBe('one\\x0atwo\\x0dthree\\x09tab');
    expect(sanitize('\u0000\u007f\u009b')).toBe('\\x00\\x7f\\x9b');
    expect(sanitize('abc\u202edef\u2066')).toBe('abc\\u202edef\\u2066');
  });
});

describe('formatMessage', () => {
  it('shows time, room, author and text', () => {
    expect(formatMessage(message(), utc)).toBe('09:05 #lobby Ana: hello');
  });

  it('marks system, edited and deleted messages', () => {
    expect(formatMessage(message({ author: SYSTEM_AUTHOR, system: true, text: 'Ben was kicked' }), utc)).toBe(
      '09:05 #lobby [system] Ben was kicked',
    );
    expect(formatMessage(message({ text: 'hello!', editedAt: at(9, 6), updatedAt: at(9, 6) }), utc)).toBe(
      '09:05 #lobby Ana: hello! (edited)',
    );
    expect(formatMessage(message({ text: '', deletedAt: at(9, 7), updatedAt: at(9, 7) }), utc)).toBe(
      '09:05 #lobby Ana: (deleted)',
    );
  });

  it('shows our sends still on their way and the refused ones', () => {
    const local: LocalMessage<undefined> = {
      status: 'pending',
      roomId: 'lobby',
      clientMessageId: 'c2',
      author: ana,
      text: 'on its way',
      createdAt: at(9, 8),
    };
    expect(formatMessage(local, utc)).toBe('09:08 #lobby Ana: on its way (sending…)');
    const failed: LocalMessage<undefined> = { ...local, status: 'failed', error: { code: 'MUTED', message: 'Muted' } };
    expect(formatMessage(failed, utc)).toBe('09:08 #lobby Ana: on its way (not sent: MUTED)');
    expect(formatMessage({ ...message(), status: 'sent' }, utc)).toBe('09:05 #lobby Ana: hello');
  });

  it('cannot be made to print a fake line or an escape sequence', () => {
    const evil = message({ author: { userId: 'x', name: 'Eve\u001b[2J' }, text: 'hi\n09:06 #lobby Ana: I owe Eve' });
    const line = formatMessage(evil, utc);
    expect(line).toBe('09:05 #lobby Eve\\x1b[2J: hi\\x0a09:06 #lobby Ana: I owe Eve');
    expect(line).not.toContain('\n');
    expect(line).not.toContain('\u001b');
  });
});

describe('formatUpdate', () => {
  it('says what changed: an edit, a delete, or the reactions now on it', () => {
    expect(formatUpdate(message({ text: 'hello!', editedAt: at(9, 6), updatedAt: at(9, 6) }), utc)).toBe(
      '09:06 #lobby Ana edited (09:05): hello!',
    );
    expect(formatUpdate(message({ text: '', deletedAt: at(9, 7), updatedAt: at(9, 7) }), utc)).toBe(
      '09:07 #lobby Ana deleted a message from 09:05',
    );
    const reacted = message({
      updatedAt: at(9, 8),
      editedAt: at(9, 6),
      reactions: { '👍': ['ben', 'cy'], '🎉': ['ben'] },
    });
    expect(formatUpdate(reacted, utc)).toBe("09:08 #lobby reactions on Ana's message from 09:05: 👍 2, 🎉 1");
    const many = message({ updatedAt: at(9, 8), reactions: { '👍': ['ben'] }, reactionCounts: { '👍': 40 } });
    expect(formatUpdate(many, utc)).toBe("09:08 #lobby reactions on Ana's message from 09:05: 👍 40");
    expect(formatUpdate(message({ updatedAt: at(9, 9) }), utc)).toBe(
      "09:09 #lobby reactions on Ana's message from 09:05: none",
    );
  });
});

describe('members, presence and typing', () => {
  it('lists members with their ids, and how many a cut list leaves out', () => {
    expect(formatMembers('lobby', [ana])).toBe('#lobby: 1 member: Ana (ana)');
    expect(formatMembers('lobby', [ana, ben])).toBe('#lobby: 2 members: Ana (ana), Ben (ben)');
    expect(formatMembers('lobby', [ana, ben], 502)).toBe('#lobby: 502 members: Ana (ana), Ben (ben) and 500 more');
  });

  it('tells who joined and who left between two lists', () => {
    expect(presenceLines('lobby', [ana, ben], [ana, cy])).toEqual(['#lobby: Cy joined', '#lobby: Ben left']);
    expect(presenceLines('lobby', [ana], [ana])).toEqual([]);
    // A renamed user is the same member: no join or leave.
    expect(presenceLines('lobby', [ana], [{ userId: 'ana', name: 'Ana B.' }])).toEqual([]);
  });

  it('says who is typing, and nothing for nobody', () => {
    expect(formatTyping('lobby', [])).toBeUndefined();
    expect(formatTyping('lobby', [ben])).toBe('#lobby: Ben is typing…');
    expect(formatTyping('lobby', [ben, cy])).toBe('#lobby: Ben and Cy are typing…');
    expect(formatTyping('lobby', [ana, ben, cy])).toBe('#lobby: Ana, Ben and Cy are typing…');
    expect(formatTyping('lobby', [ana, ben, cy, { userId: 'd', name: 'Di' }])).toBe('#lobby: 4 people are typing…');
  });

  it('shows a refusal with its code', () => {
    expect(formatError({ code: 'NOT_MEMBER', message: 'Join the room first' })).toBe(
      '! NOT_MEMBER: Join the room first',
    );
  });
});
