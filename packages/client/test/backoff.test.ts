import { describe, expect, it } from 'vitest';
import { type Backoff, backoffDelayMs } from '../src/backoff.js';

const backoff = (random: number): Backoff => ({ baseMs: 100, maxMs: 1000, random: () => random });

describe('backoffDelayMs', () => {
  it('waits a uniform share of a ceiling that doubles with each attempt', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelayMs(attempt, backoff(0.5)))).toEqual([50, 100, 200, 400]);
  });

  it('never lets the ceiling pass maxMs, however many attempts (no overflow to Infinity or NaN)', () => {
    expect(backoffDelayMs(4, backoff(0.999))).toBe(999);
    expect(backoffDelayMs(10_000, backoff(0.5))).toBe(500);
  });

  it('spans [0, ceiling): full jitter, in whole milliseconds', () => {
    expect(backoffDelayMs(0, backoff(0))).toBe(0);
    expect(backoffDelayMs(0, backoff(0.99999))).toBe(99);
  });

  it('never waits less than minMs (the server’s retryAfterMs)', () => {
    expect(backoffDelayMs(0, backoff(0.5), 5000)).toBe(5000);
    expect(backoffDelayMs(3, backoff(0.5), 10)).toBe(400);
  });
});
