import { describe, expect, it } from 'vitest';
import { AnswerBudget, jsonBytes } from '../../src/chat/answer-budget.js';

/** An item whose JSON (and the comma before it) takes exactly `bytes`. */
const item = (bytes: number) => 'x'.repeat(bytes - 3);

describe('jsonBytes', () => {
  it('counts the UTF-8 bytes of the JSON, as socket.io sends it', () => {
    expect(jsonBytes('é')).toBe(4);
    expect(jsonBytes({ a: 1 })).toBe(7);
  });
});

describe('AnswerBudget', () => {
  it('counts a 64-byte envelope, then each item with its comma, and fits the longest run from the start', () => {
    expect(jsonBytes(item(10)) + 1).toBe(10);
    const budget = new AnswerBudget(64 + 25);
    const items = [item(10), item(10), item(10)];
    expect(budget.fit(items, 'start')).toEqual(items.slice(0, 2));
    expect(budget.exhausted).toBe(true);
  });

  it('fits from the end: the newest items of a page', () => {
    const budget = new AnswerBudget(64 + 20);
    expect(
      budget.fit(
        ['a', 'b', 'c'].map((c) => c + item(10).slice(1)),
        'end',
      ),
    ).toEqual(['b', 'c'].map((c) => c + item(10).slice(1)));
  });

  it('takes a first item whatever its size, so that paging moves on, and nothing after it', () => {
    const budget = new AnswerBudget(100);
    expect(budget.empty).toBe(true);
    expect(budget.fit([item(1000), item(10)], 'start')).toEqual([item(1000)]);
    expect(budget.empty).toBe(false);
    expect(budget.fit([item(4)], 'start')).toEqual([]);
  });

  it('once exhausted, takes nothing more, even what would fit', () => {
    const budget = new AnswerBudget(64 + 15);
    budget.fit([item(10), item(10)], 'start');
    expect(budget.exhausted).toBe(true);
    expect(budget.fit([item(4)], 'start')).toEqual([]);
  });

  it('counts a reserved skeleton against the budget', () => {
    const budget = new AnswerBudget(64 + 25);
    budget.reserve(10);
    expect(budget.fit([item(10), item(10)], 'start')).toHaveLength(1);
  });

  it('fitAll takes every item or none', () => {
    const budget = new AnswerBudget(64 + 25);
    expect(budget.fitAll([item(10), item(10), item(10)])).toBe(false);
    expect(budget.exhausted).toBe(true);
    const roomy = new AnswerBudget(64 + 30);
    expect(roomy.fitAll([item(10), item(10), item(10)])).toBe(true);
    expect(roomy.empty).toBe(false);
    expect(roomy.fitAll([item(4)])).toBe(false);
  });
});
