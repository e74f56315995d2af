import { describe, expect, it } from 'vitest';
import { echoedEventName } from '../../src/limits/echoed-event-name.js';

describe('echoedEventName', () => {
  it('keeps a name of up to 64 characters as it is', () => {
    expect(echoedEventName('message:send')).toBe('message:send');
    expect(echoedEventName('x'.repeat(64))).toBe('x'.repeat(64));
  });

  it('cuts a longer name to 64 characters and an ellipsis', () => {
    expect(echoedEventName('x'.repeat(100_000))).toBe(`${'x'.repeat(64)}…`);
  });

  it('turns what is not a string into one', () => {
    expect(echoedEventName(42)).toBe('42');
    expect(echoedEventName(undefined)).toBe('undefined');
    expect(echoedEventName({})).toBe('[object Object]');
  });
});
