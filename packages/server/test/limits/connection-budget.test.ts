import { describe, expect, it } from 'vitest';
import {
  ConnectionBudget,
  DEFAULT_EVENT_RATE_LIMIT,
  type EventLimits,
  limitOption,
} from '../../src/limits/connection-budget.js';

const off: EventLimits = { events: undefined, errorReplies: undefined, refusals: undefined };

describe('limitOption', () => {
  it('turns a limit off with false, fills a partial one from the default, takes the default for undefined', () => {
    expect(limitOption(false, DEFAULT_EVENT_RATE_LIMIT)).toBeUndefined();
    expect(limitOption({ burst: 5 }, DEFAULT_EVENT_RATE_LIMIT)).toEqual({ ratePerSecond: 100, burst: 5 });
    expect(limitOption(undefined, DEFAULT_EVENT_RATE_LIMIT)).toEqual(DEFAULT_EVENT_RATE_LIMIT);
  });
});

describe('ConnectionBudget', () => {
  it('charges events from a bucket of burst tokens and answers the wait once spent', () => {
    let clock = 0;
    const budget = new ConnectionBudget({ ...off, events: { ratePerSecond: 2, burst: 2 } }, () => clock);
    expect([budget.chargeEvent(), budget.chargeEvent(), budget.chargeEvent()]).toEqual([0, 0, 500]);
    clock += 500;
    expect(budget.chargeEvent()).toBe(0);
  });

  it('holds at most burst tokens, however long the connection stayed quiet before its first event', () => {
    let clock = 0;
    const budget = new ConnectionBudget({ ...off, events: { ratePerSecond: 2, burst: 2 } }, () => clock);
    clock += 60_000;
    expect([budget.chargeEvent(), budget.chargeEvent(), budget.chargeEvent()]).toEqual([0, 0, 500]);
  });

  it('counts every refusal and says the connection must go only once refusals outrun their bucket', () => {
    const budget = new ConnectionBudget({ ...off, refusals: { ratePerSecond: 1, burst: 2 } }, () => 0);
    expect([budget.refuse(), budget.refuse(), budget.refuse()]).toEqual([false, false, true]);
    expect(budget.refused).toBe(3);
  });

  it('lets error replies go while their bucket lasts and counts the ones dropped after', () => {
    const budget = new ConnectionBudget({ ...off, errorReplies: { ratePerSecond: 1, burst: 1 } }, () => 0);
    expect([budget.allowReply(), budget.allowReply(), budget.allowReply()]).toEqual([true, false, false]);
    expect(budget.droppedReplies).toBe(2);
  });

  it('with every limit off, never charges, never drops, never disconnects', () => {
    const budget = new ConnectionBudget(off, () => 0);
    for (let i = 0; i < 1000; i++) {
      expect(budget.chargeEvent()).toBe(0);
      expect(budget.refuse()).toBe(false);
      expect(budget.allowReply()).toBe(true);
    }
    expect([budget.refused, budget.droppedReplies]).toEqual([1000, 0]);
  });
});
