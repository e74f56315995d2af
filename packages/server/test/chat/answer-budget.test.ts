import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnswerBudget, jsonBytes } from '../../src/chat/answer-budget.js';

/** An item whose JSON (and the comma before it) takes exactly `bytes`. */
const item = (bytes: number) => 'x'.repeat(bytes - 3);

describe('jsonBytes', () => {
  it('counts the UTF-8 bytes of the JSON, as socket.io sends it', () => {
    expect(jsonBytes('é')).toBe(4);
    expect(jsonBytes({ a: 1 })).toBe(7);
  });

  /** Any UTF-16 code unit (lone surrogates too), and what JSON escapes or writes in several bytes. */
  const codeUnit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u2028', 'é', '€', '😀', 'a'),
  );

  it('is the byte length of JSON.stringify for any value JSON can write', () => {
    fc.assert(
      fc.property(
        fc.anything({
          key: fc.string({ unit: codeUnit }),
          stringUnit: codeUnit,
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withObjectString: true,
          withNullPrototype: true,
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
        }),
        (value) => {
          const json = JSON.stringify(value) as string | undefined;
          fc.pre(json !== undefined);
          expect(jsonBytes(value)).toBe(Buffer.byteLength(json as string));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('leaves out what JSON leaves out, writes null for it in arrays, and honours toJSON', () => {
    const skipped = { f: () => 1, s: Symbol('s'), u: undefined };
    const values = [
      { ...skipped, kept: 1 },
      skipped,
      [undefined, () => 1, Symbol('s')],
      { when: new Date(0), nested: { toJSON: () => 'short' } },
      [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21, 123456789012345, -42, 0.1],
    ];
    for (const value of values) expect(jsonBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
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
