import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';

/** Counts the entries every Map iteration visits, from now until the test ends. */
function countMapSteps(): () => number {
  const original = Map.prototype[Symbol.iterator];
  let steps = 0;
  Map.prototype[Symbol.iterator] = function (this: Map<unknown, unknown>) {
    const inner = original.call(this);
    return {
      next: () => {
        steps += 1;
        return inner.next();
      },
      [Symbol.iterator]() {
        return this;
      },
    } as MapIterator<[unknown, unknown]>;
  };
  onTestFinished(() => {
    Map.prototype[Symbol.iterator] = original;
  });
  return () => steps;
}

describe('MemoryRateLimiter', () => {
  it('past 10,000 buckets, a new key costs O(1) amortised, not a scan of every bucket', async () => {
    let clock = 0;
    const limiter = new MemoryRateLimiter({ ratePerSecond: 1, burst: 2 }, () => clock);
    // 10,000 users who each just used a token: none of their buckets is full, none may go.
    for (let i = 0; i < 10_000; i++) await limiter.take(`user-${i}`);
    const steps = countMapSteps();
    for (let i = 0; i < 1000; i++) await limiter.take(`new-${i}`);
    expect(steps()).toBeLessThan(10_000);
    // Once they are full again, they are dropped as new keys come: the count restarts from a full bucket.
    clock += 1000;
    for (let i = 0; i < 11_000; i++) await limiter.take(`later-${i}`);
    expect(steps()).toBeLessThan(100_000);
    expect(await limiter.take('user-0')).toBe(0);
    expect(await limiter.take('user-0')).toBe(0);
    expect(await limiter.take('user-0')).toBe(1000);
  });

  it('answers the wait until the next token, ceil((1 - tokens) / ratePerSecond × 1000)', async () => {
    let clock = 0;
    const limiter = new MemoryRateLimiter({ ratePerSecond: 4, burst: 2 }, () => clock);
    expect([await limiter.take('a'), await limiter.take('a'), await limiter.take('a')]).toEqual([0, 0, 250]);
    clock += 100;
    expect(await limiter.take('a')).toBe(150);
    clock += 150;
    expect(await limiter.take('a')).toBe(0);
  });

  it('keeps one bucket per key, refilled on the injected clock up to burst and no further', async () => {
    let clock = 0;
    const limiter = new MemoryRateLimiter({ ratePerSecond: 2, burst: 3 }, () => clock);
    const drain = async (key: string) => {
      let taken = 0;
      while ((await limiter.take(key)) === 0) taken++;
      return taken;
    };
    expect(await drain('a')).toBe(3);
    // Another key is not affected by a's empty bucket.
    expect(await limiter.take('b')).toBe(0);
    clock += 1000;
    expect(await drain('a')).toBe(2);
    // A long quiet spell refills to burst, never past it.
    clock += 60_000;
    expect(await drain('a')).toBe(3);
  });
});
