import { describe, expect, it } from 'vitest';
import { originAllowed } from '../../src/limits/allowed-origins.js';

describe('originAllowed', () => {
  const list = ['https://chat.example.com'];

  it('lets a listed origin through and refuses any other, even one that only differs in scheme or port', () => {
    expect(originAllowed(list, 'https://chat.example.com')).toBe(true);
    expect(originAllowed(list, 'http://chat.example.com')).toBe(false);
    expect(originAllowed(list, 'https://chat.example.com:8443')).toBe(false);
    expect(originAllowed(list, 'null')).toBe(false);
  });

  it('lets a request without an Origin header through a list', () => {
    expect(originAllowed(list, undefined)).toBe(true);
    expect(originAllowed([], undefined)).toBe(true);
  });

  it('leaves every decision, a missing origin included, to a predicate', () => {
    const seen: (string | undefined)[] = [];
    const predicate = (origin: string | undefined) => {
      seen.push(origin);
      return origin?.endsWith('.example.com') ?? false;
    };
    expect(originAllowed(predicate, 'https://a.example.com')).toBe(true);
    expect(originAllowed(predicate, 'https://evil.test')).toBe(false);
    expect(originAllowed(predicate, undefined)).toBe(false);
    expect(seen).toEqual(['https://a.example.com', 'https://evil.test', undefined]);
  });
});
