import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { callListeners, Emitter } from '../src/emitter.js';

type Events = { said: (text: string) => void; tick: () => void };

/** Exposes the protected emit. */
class TestEmitter extends Emitter<Events> {
  fire<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    this.emit(event, ...args);
  }
}

describe('callListeners', () => {
  it('calls every listener in order; one that throws goes to onListenerError with the event, the rest still run', () => {
    const calls: string[] = [];
    const errors: [unknown, string][] = [];
    const boom = new Error('boom');
    callListeners(
      [
        (n: number) => calls.push(`a${n}`),
        () => {
          throw boom;
        },
        (n: number) => calls.push(`c${n}`),
      ],
      [1],
      'said',
      (error, event) => errors.push([error, event]),
    );
    expect(calls).toEqual(['a1', 'c1']);
    expect(errors).toEqual([[boom, 'said']]);
  });

  it('calls a copy: a listener that removes another still lets it run this time', () => {
    const calls: string[] = [];
    const listeners = new Set<() => void>();
    const second = () => calls.push('second');
    listeners.add(() => {
      calls.push('first');
      listeners.delete(second);
    });
    listeners.add(second);
    callListeners(listeners, [], 'tick', () => {});
    expect(calls).toEqual(['first', 'second']);
    expect(listeners.size).toBe(1);
  });

  it('never throws to the caller, even when onListenerError throws (that error is rethrown later)', () => {
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const later = new Error('handler broke');
    const calls: string[] = [];
    expect(() =>
      callListeners(
        [
          () => {
            throw new Error('listener broke');
          },
          () => calls.push('after'),
        ],
        [],
        'tick',
        () => {
          throw later;
        },
      ),
    ).not.toThrow();
    expect(calls).toEqual(['after']);
    expect(() => vi.runAllTimers()).toThrow(later);
  });
});

describe('Emitter', () => {
  it('calls listeners of the emitted event only, with its arguments; on() returns the remover', () => {
    const emitter = new TestEmitter();
    const said: string[] = [];
    let ticks = 0;
    const off = emitter.on('said', (text) => said.push(text));
    emitter.on('tick', () => ticks++);
    emitter.fire('said', 'hi');
    off();
    emitter.fire('said', 'gone');
    emitter.fire('tick');
    expect([said, ticks]).toEqual([['hi'], 1]);
  });

  it('hands a throwing listener to its onListenerError and keeps the others going', () => {
    const errors: string[] = [];
    const emitter = new TestEmitter((_error, event) => errors.push(event));
    const said: string[] = [];
    emitter.on('said', () => {
      throw new Error('boom');
    });
    emitter.on('said', (text) => said.push(text));
    emitter.fire('said', 'hi');
    expect([errors, said]).toEqual([['said'], ['hi']]);
  });

  it('emitting an event nobody listens to does nothing', () => {
    expect(() => new TestEmitter().fire('tick')).not.toThrow();
  });
});
