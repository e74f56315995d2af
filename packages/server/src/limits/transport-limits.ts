import type { ServerOptions as IoServerOptions } from 'socket.io';
import { Decoder, Encoder } from 'socket.io-parser';
import { type AllowedOrigins, originAllowed } from './allowed-origins.js';
import { malformedConnect } from './malformed-auth.js';

/** Largest Engine.IO frame (and HTTP long-polling body) chatwire accepts by default: 64 KiB. */
export const DEFAULT_MAX_HTTP_BUFFER_SIZE = 64 * 1024;

/** How long a transport may stay without connecting a namespace (authenticated) by default: 5 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** What the transport accepts before any namespace, authentication or validation sees a byte. */
export interface TransportLimits {
  maxHttpBufferSize?: number | undefined;
  connectTimeout?: number | undefined;
  maxAttachments?: number | undefined;
  allowedOrigins?: AllowedOrigins | undefined;
}

/**
 * socket.io options with chatwire's transport defaults: small frames, no binary attachments, a short
 * connect timeout, and the origin check on every handshake (socket.io calls `allowRequest` for the
 * first request of each session, whether it starts with polling or directly with a WebSocket).
 */
export function withTransportLimits(
  ioOptions: Partial<IoServerOptions>,
  { maxHttpBufferSize, connectTimeout, maxAttachments, allowedOrigins }: TransportLimits,
): Partial<IoServerOptions> {
  const options: Partial<IoServerOptions> = {
    ...ioOptions,
    maxHttpBufferSize: maxHttpBufferSize ?? DEFAULT_MAX_HTTP_BUFFER_SIZE,
    connectTimeout: connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // A parser of the caller's own keeps its own limits.
    parser: ioOptions.parser ?? attachmentLimitedParser(maxAttachments ?? 0),
  };
  if (allowedOrigins !== undefined) {
    const next = ioOptions.allowRequest;
    options.allowRequest = (request, callback) => {
      if (!originAllowed(allowedOrigins, request.headers.origin)) return callback('Origin not allowed', false);
      if (next === undefined) return callback(null, true);
      next(request, callback);
    };
  }
  return options;
}

/**
 * socket.io-parser with at most `maxAttachments` binary attachments per packet. A packet announcing
 * more makes the decoder throw, and socket.io closes that connection before buffering any of them.
 * A CONNECT whose `auth` is not a JSON object is passed on with a stand-in `auth`, for the namespace
 * to refuse with a CONNECT_ERROR (socket.io-parser would close the connection without a word).
 */
function attachmentLimitedParser(maxAttachments: number) {
  class AttachmentLimitedDecoder extends Decoder {
    constructor() {
      super({ maxAttachments });
    }

    override add(chunk: unknown): void {
      const malformed = malformedConnect(chunk);
      if (malformed === undefined) super.add(chunk);
      else this.emitReserved('decoded', malformed);
    }
  }
  return { Encoder, Decoder: AttachmentLimitedDecoder };
}
