import { describe, expect, it } from 'vitest';
import { takeToken } from '../../src/limits/rate-limiter.js';

describe('takeToken', () => {
  const limit = { ratePerSecond: 4, burst: 2 };

  it('takes a token when one is there, and answers no wait', () => {
    expect(takeToken(limit, 2, 0)).toEqual({ tokens: 1, waitMs: 0 });
    expect(takeToken(limit, 1, 0)).toEqual({ tokens: 0, waitMs: 0 });
  });

  it('refills ratePerSecond tokens a second before taking, never past burst', () => {
    expect(takeToken(limit, 0, 250)).toEqual({ tokens: 0, waitMs: 0 });
    expect(takeToken(limit, 0, 60_000)).toEqual({ tokens: 1, waitMs: 0 });
  });

  it('without a whole token, keeps the fraction and answers ceil((1 - tokens) / ratePerSecond × 1000)', () => {
    expect(takeToken(limit, 0, 0)).toEqual({ tokens: 0, waitMs: 250 });
    expect(takeToken(limit, 0, 100)).toEqual({ tokens: 0.4, waitMs: 150 });
    expect(takeToken({ ratePerSecond: 3, burst: 1 }, 0, 0)).toEqual({ tokens: 0, waitMs: 334 });
  });

  it('treats a clock that went back as no time elapsed', () => {
    expect(takeToken(limit, 0.5, -10_000)).toEqual({ tokens: 0.5, waitMs: 125 });
  });
});
