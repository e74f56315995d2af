import { defineContract } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OutgoingEmitter, type RawEmitter } from '../src/outgoing.js';

const contract = defineContract({
  clientToServer: {},
  serverToClient: {
    said: { payload: z.object({ text: z.string().min(1) }) },
    tick: {},
  },
});

/** A target that records what it is asked to send. */
function recorder(): RawEmitter & { sent: unknown[][] } {
  const sent: unknown[][] = [];
  return { sent, emit: (event, ...args) => sent.push([event, ...args]) };
}

describe('OutgoingEmitter', () => {
  it('emits a valid event once through the target, payload as given', () => {
    const target = recorder();
    const outgoing = new OutgoingEmitter(contract, true);
    outgoing.emit(target, 'said', [{ text: 'hi' }]);
    outgoing.emit(target, 'tick', []);
    expect(target.sent).toEqual([['said', { text: 'hi' }], ['tick']]);
  });

  it('throws a TypeError for an event that is not server → client, even with validation off', () => {
    for (const validate of [true, false]) {
      const target = recorder();
      const outgoing = new OutgoingEmitter(contract, validate);
      expect(() => outgoing.emit(target, 'nope', [])).toThrow(TypeError);
      expect(() => outgoing.emit(target, 'toString', [])).toThrow('"toString" is not a server → client event');
      expect(target.sent).toEqual([]);
    }
  });

  it('refuses a payload the contract does not take, a missing or extra one, and sends nothing', () => {
    const target = recorder();
    const outgoing = new OutgoingEmitter(contract, true);
    expect(() => outgoing.emit(target, 'said', [{ text: '' }])).toThrow(TypeError);
    expect(() => outgoing.emit(target, 'said', [])).toThrow('Server event "said" takes exactly one payload');
    expect(() => outgoing.emit(target, 'tick', [1])).toThrow('Server event "tick" takes no payload');
    expect(target.sent).toEqual([]);
  });

  it('with validation off, sends a payload unchecked', () => {
    const target = recorder();
    new OutgoingEmitter(contract, false).emit(target, 'said', [{ text: '' }]);
    expect(target.sent).toEqual([['said', { text: '' }]]);
  });
});
