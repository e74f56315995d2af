import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChatwireError,
  ERROR_CODES,
  errorEventSchema,
  errorPayloadSchema,
  isChatwireError,
  ok,
  parsePayload,
  RETRYABLE_CODES,
  resultSchema,
} from '../src/index.js';

describe('ChatwireError', () => {
  it('carries code, message, issues, retryAfterMs and cause', () => {
    const cause = new Error('db down');
    const error = new ChatwireError('RATE_LIMITED', 'Slow down', { retryAfterMs: 250, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ChatwireError');
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.cause).toBe(cause);
    expect(error.toPayload()).toEqual({ code: 'RATE_LIMITED', message: 'Slow down', retryAfterMs: 250 });
  });

  it('round-trips through its wire form', () => {
    const error = new ChatwireError('VALIDATION_FAILED', 'bad', {
      issues: [{ path: ['msg'], message: 'Too small', code: 'too_small' }],
    });
    const back = ChatwireError.fromPayload(errorPayloadSchema.parse(error.toPayload()));
    expect(back.code).toBe('VALIDATION_FAILED');
    expect(back.issues).toEqual(error.issues);
  });

  it('accepts app-defined codes', () => {
    expect(new ChatwireError('ROOM_FULL', 'Full').code).toBe('ROOM_FULL');
  });

  it('lists the built-in codes once each, the retryable ones among them', () => {
    expect(ERROR_CODES).toContain('PAYLOAD_TOO_LARGE');
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of RETRYABLE_CODES) expect(ERROR_CODES).toContain(code);
  });
});

describe('isChatwireError', () => {
  it('recognises instances and look-alikes from another copy of the package', () => {
    expect(isChatwireError(new ChatwireError('INTERNAL', 'x'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { name: 'ChatwireError', code: 'FORBIDDEN' });
    expect(isChatwireError(foreign)).toBe(true);
  });

  it('rejects other errors and non-errors', () => {
    expect(isChatwireError(new Error('x'))).toBe(false);
    expect(isChatwireError(Object.assign(new Error('x'), { name: 'ChatwireError' }))).toBe(false);
    expect(isChatwireError({ name: 'ChatwireError', code: 'X', message: 'x' })).toBe(false);
    expect(isChatwireError(null)).toBe(false);
  });
});

describe('parsePayload', () => {
  it('returns parsed data (zod output)', () => {
    expect(parsePayload(z.object({ n: z.coerce.number() }), { n: '4' }, 'x')).toEqual({ ok: true, data: { n: 4 } });
  });

  it('turns a failure into VALIDATION_FAILED with wire issues and a readable message', () => {
    const outcome = parsePayload(z.object({ msg: z.string().min(1) }), { msg: '' }, 'payload of "chat"');
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('VALIDATION_FAILED');
    expect(outcome.error.message).toMatch(/^Invalid payload of "chat": .+ at msg$/);
    expect(outcome.error.issues).toEqual([{ path: ['msg'], message: expect.any(String), code: 'too_small' }]);
  });
});

describe('result envelope', () => {
  const schema = resultSchema(z.object({ id: z.string() }));

  it('accepts both halves', () => {
    expect(schema.parse(ok({ id: 'a' }))).toEqual({ ok: true, data: { id: 'a' } });
    expect(schema.parse({ ok: false, error: { code: 'NOT_FOUND', message: 'gone' } }).ok).toBe(false);
  });

  it('refuses malformed envelopes', () => {
    expect(schema.safeParse({ ok: true, data: { id: 1 } }).success).toBe(false);
    expect(schema.safeParse({ ok: false, error: { message: 'no code' } }).success).toBe(false);
    expect(schema.safeParse({ data: { id: 'a' } }).success).toBe(false);
  });

  it('describes the chatwire:error event', () => {
    expect(errorEventSchema.parse({ event: 'chat', code: 'UNAUTHORIZED', message: 'Log in first' }).event).toBe('chat');
  });
});
