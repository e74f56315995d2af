import { MAX_REACTION_USERS, type Message } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { clipReactions } from '../../src/chat/clip-reactions.js';

const users = (count: number) => Array.from({ length: count }, (_, i) => `u${i}`);

const message = (reactions: Record<string, string[]>): Message => ({
  id: 'm1',
  roomId: 'r',
  serial: 1,
  clientMessageId: 'c1',
  author: { userId: 'a', name: 'A' },
  text: 'hi',
  createdAt: 1,
  reactions,
});

describe('clipReactions', () => {
  it('returns the same object when no emoji has more than MAX_REACTION_USERS users', () => {
    const full = message({ '👍': users(MAX_REACTION_USERS), '🎉': ['a'] });
    expect(clipReactions(full)).toBe(full);
  });

  it('keeps the first MAX_REACTION_USERS users of a longer list and the full count in reactionCounts', () => {
    const many = message({ '👍': users(MAX_REACTION_USERS + 5), '🎉': ['a'] });
    const clipped = clipReactions(many);
    expect(clipped.reactions).toEqual({ '👍': users(MAX_REACTION_USERS), '🎉': ['a'] });
    expect(clipped.reactionCounts).toEqual({ '👍': MAX_REACTION_USERS + 5 });
    expect(many.reactions['👍']).toHaveLength(MAX_REACTION_USERS + 5);
  });

  it('clips a list one user over MAX_REACTION_USERS, also when it is not the first emoji', () => {
    const over = message({ '🎉': ['a'], '👍': users(MAX_REACTION_USERS + 1) });
    const clipped = clipReactions(over);
    expect(clipped.reactions).toEqual({ '🎉': ['a'], '👍': users(MAX_REACTION_USERS) });
    expect(clipped.reactionCounts).toEqual({ '👍': MAX_REACTION_USERS + 1 });
  });
});
