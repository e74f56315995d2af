import { describe, expect, it } from 'vitest';
import { MemoryConnectionCap } from '../../src/chat/connection-cap.js';
import { memoryLimits } from '../../src/chat/limits.js';

describe('MemoryConnectionCap', () => {
  it('counts up to max connections per user and refuses the next, other users apart', async () => {
    const cap = new MemoryConnectionCap(2);
    expect([await cap.acquire('ana', 's1'), await cap.acquire('ana', 's2'), await cap.acquire('ana', 's3')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(await cap.acquire('bob', 's4')).toBe(true);
    expect(cap.held().get('ana')).toEqual(new Set(['s1', 's2']));
  });

  it('counts a connection once: acquiring it again at the maximum still succeeds', async () => {
    const cap = new MemoryConnectionCap(1);
    expect([await cap.acquire('ana', 's1'), await cap.acquire('ana', 's1')]).toEqual([true, true]);
    expect(cap.held().get('ana')?.size).toBe(1);
  });

  it('frees a place on release, forgets a user with none left, and ignores an unknown release', async () => {
    const cap = new MemoryConnectionCap(1);
    await cap.acquire('ana', 's1');
    await cap.release('ana', 's1');
    await cap.release('ana', 's1');
    await cap.release('nobody', 's9');
    expect(cap.held().has('ana')).toBe(false);
    expect(await cap.acquire('ana', 's2')).toBe(true);
  });

  it('frees places of a user with several connections one by one, and forgets the user with the last', async () => {
    const cap = new MemoryConnectionCap(2);
    await cap.acquire('ana', 's1');
    await cap.acquire('ana', 's2');
    await cap.release('ana', 's1');
    expect(cap.held().get('ana')).toEqual(new Set(['s2']));
    expect([await cap.acquire('ana', 's3'), await cap.acquire('ana', 's4')]).toEqual([true, false]);
    await cap.release('ana', 's2');
    await cap.release('ana', 's3');
    expect(cap.held().has('ana')).toBe(false);
  });

  it('checks and counts in one step: racing acquires never pass the maximum', async () => {
    const cap = new MemoryConnectionCap(3);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => cap.acquire('ana', `s${i}`)));
    expect(results.filter(Boolean)).toHaveLength(3);
  });

  it('forgets every connection on close', async () => {
    const cap = new MemoryConnectionCap(1);
    await cap.acquire('ana', 's1');
    await cap.close();
    expect(await cap.acquire('ana', 's2')).toBe(true);
  });
});

describe('memoryLimits', () => {
  it('makes a connection cap and rate limiters counted in this process', async () => {
    expect(memoryLimits.connectionCap(4)).toBeInstanceOf(MemoryConnectionCap);
    const limiter = memoryLimits.rateLimiter('send', { ratePerSecond: 1, burst: 1 }, () => 0);
    expect([await limiter.take('ana'), await limiter.take('ana')]).toEqual([0, 1000]);
  });
});
