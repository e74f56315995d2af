import { describe, expect, it } from 'vitest';
import { toggledReactionsJson, toggleReaction } from '../../src/stores/reactions.js';

describe('toggleReaction', () => {
  it('adds a user after the others, and removes them (with the emoji once none are left) when toggled again', () => {
    const reactions: Record<string, string[]> = { '👍': ['a'] };
    toggleReaction(reactions, '👍', 'b', 2);
    expect(reactions).toEqual({ '👍': ['a', 'b'] });
    toggleReaction(reactions, '👍', 'a', 2);
    toggleReaction(reactions, '👍', 'b', 2);
    expect(reactions).toEqual({});
  });

  it('refuses a new emoji past maxKeys with CONFLICT, and still toggles a known one', () => {
    const reactions: Record<string, string[]> = { '👍': ['a'], '🎉': ['a'] };
    expect(() => toggleReaction(reactions, '🔥', 'a', 2)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    toggleReaction(reactions, '🎉', 'b', 2);
    expect(reactions).toEqual({ '👍': ['a'], '🎉': ['a', 'b'] });
  });

  it('treats an emoji named like an Object.prototype member as a new one', () => {
    const reactions: Record<string, string[]> = {};
    toggleReaction(reactions, 'constructor', 'a', 2);
    expect(reactions).toEqual({ constructor: ['a'] });
  });

  it('toggles reactions kept as JSON text', () => {
    expect(toggledReactionsJson('{"👍":["a"]}', '👍', 'b', 2)).toBe('{"👍":["a","b"]}');
  });
});
