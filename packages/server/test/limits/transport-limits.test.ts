import type { IncomingMessage } from 'node:http';
import type { Decoder } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_HTTP_BUFFER_SIZE,
  withTransportLimits,
} from '../../src/limits/transport-limits.js';

type AllowRequest = (
  request: IncomingMessage,
  callback: (error: string | null | undefined, ok: boolean) => void,
) => void;

/** What `allowRequest` answers for a request with this `Origin` header. */
function ask(allowRequest: AllowRequest | undefined, origin: string | undefined) {
  const request = { headers: origin === undefined ? {} : { origin } } as IncomingMessage;
  let answer: [string | null | undefined, boolean] | undefined;
  allowRequest?.(request, (error, ok) => {
    answer = [error, ok];
  });
  return answer;
}

/** A binary event announcing `count` attachments, as socket.io-parser encodes it. */
const binaryEvent = (count: number) =>
  `5${count}-["upload",${Array.from({ length: count }, (_, num) => JSON.stringify({ _placeholder: true, num })).join(',')}]`;

describe('withTransportLimits', () => {
  it('fills in small frames, a short connect timeout and a parser; keeps what the caller set', () => {
    const options = withTransportLimits({ pingTimeout: 1234 }, {});
    expect(options).toMatchObject({
      pingTimeout: 1234,
      maxHttpBufferSize: DEFAULT_MAX_HTTP_BUFFER_SIZE,
      connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
    });
    expect(options.allowRequest).toBeUndefined();
    expect(withTransportLimits({}, { maxHttpBufferSize: 10, connectTimeout: 20 })).toMatchObject({
      maxHttpBufferSize: 10,
      connectTimeout: 20,
    });
  });

  it('decodes no binary attachment by default, and up to maxAttachments when set', () => {
    const strict = new (withTransportLimits({}, {}).parser as { Decoder: typeof Decoder }).Decoder();
    expect(() => strict.add(binaryEvent(1))).toThrow();
    const some = new (withTransportLimits({}, { maxAttachments: 2 }).parser as { Decoder: typeof Decoder }).Decoder();
    expect(() => some.add(binaryEvent(2))).not.toThrow();
    expect(() => some.add(binaryEvent(3))).toThrow();
  });

  it("keeps the caller's own parser", () => {
    const parser = { Encoder: class {}, Decoder: class {} };
    expect(withTransportLimits({ parser }, { maxAttachments: 0 }).parser).toBe(parser);
  });

  it('checks the origin first, then asks the caller’s allowRequest', () => {
    const asked: (string | undefined)[] = [];
    const options = withTransportLimits(
      {
        allowRequest: (request, callback) => {
          asked.push(request.headers.origin);
          callback(null, request.headers.origin !== 'https://b.example.com');
        },
      },
      { allowedOrigins: ['https://a.example.com', 'https://b.example.com'] },
    );
    expect(ask(options.allowRequest, 'https://evil.test')).toEqual(['Origin not allowed', false]);
    expect(ask(options.allowRequest, 'https://a.example.com')).toEqual([null, true]);
    expect(ask(options.allowRequest, 'https://b.example.com')).toEqual([null, false]);
    expect(asked).toEqual(['https://a.example.com', 'https://b.example.com']);
    const alone = withTransportLimits({}, { allowedOrigins: ['https://a.example.com'] });
    expect(ask(alone.allowRequest, undefined)).toEqual([null, true]);
  });
});
