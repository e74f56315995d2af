import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { AnyContract } from '@chatwire/protocol';
import { Server as IoServer, type ServerOptions as IoServerOptions } from 'socket.io';
import type { AllowedOrigins } from './limits/allowed-origins.js';
import { withTransportLimits } from './limits/transport-limits.js';
import { ChatwireNamespace, type ChatwireNamespaceOptions, withoutNamespaceOptions } from './namespace.js';
import type { TypedIoNamespace, TypedIoServer } from './types.js';

/**
 * Options of {@link createServer}: the default namespace's and the attachment's; any other socket.io server option is passed through.
 *
 * @example
 * ```ts
 * const options: ChatwireServerOptions<typeof contract> = {
 *   httpServer,
 *   allowedOrigins: ['https://chat.example.com'],
 *   authenticate: ({ auth }) => ({ user: auth.user }),
 * };
 * const server = createServer(contract, options);
 * ```
 */
export interface ChatwireServerOptions<C extends AnyContract>
  extends Partial<IoServerOptions>,
    ChatwireNamespaceOptions<C> {
  /** The HTTP(S) server to attach to. */
  httpServer?: HttpServer | HttpsServer | Http2SecureServer;
  /** An existing socket.io server to use instead of making one (its adapter and options are kept). */
  io?: TypedIoServer<C>;
  /**
   * Largest frame in bytes (a WebSocket message, or an HTTP long-polling body); a bigger one closes
   * that connection. socket.io's option with a smaller default: over twice the largest valid chat event.
   * @default 65536
   */
  maxHttpBufferSize?: number;
  /**
   * Milliseconds a transport may stay open without connecting (and authenticating); then it is closed.
   * socket.io's option with a shorter default.
   * @default 5000
   */
  connectTimeout?: number;
  /**
   * Binary attachments allowed per packet. With 0, a packet announcing any closes its connection
   * before one byte of it is buffered. Applies unless you give socket.io's `parser`.
   * @default 0
   */
  maxAttachments?: number;
  /**
   * Browser origins allowed to connect (exact, e.g. `['https://chat.example.com']`) or a predicate,
   * checked at the handshake of every session, on every transport: HTTP long-polling and WebSocket
   * (which browsers do not hold to CORS). Requests without an `Origin` header (non-browser clients)
   * pass a list. Set it in production.
   * @default undefined (every origin)
   */
  allowedOrigins?: AllowedOrigins;
}

/**
 * A typed, validated server over socket.io: the attachment (HTTP server, transport limits, close),
 * its default namespace `/` for `contract`, and the namespaces added with {@link ChatwireServer.of}.
 * @example
 * const server = createServer(contract, { httpServer });
 * server.on('chat', ({ payload, socket }) => socket.broadcast.emit('chat', { from: socket.id, msg: payload.msg }));
 */
export class ChatwireServer<C extends AnyContract> extends ChatwireNamespace<C> {
  private readonly io: TypedIoServer<C>;
  private readonly defaults: ChatwireNamespaceOptions<AnyContract>;
  private readonly namespaces = new Map<string, ChatwireNamespace<AnyContract>>();

  constructor(contract: C, options: ChatwireServerOptions<C> = {}) {
    super(attach(options).sockets, contract, options);
    this.io = this.raw.server;
    const { authenticate: _serverOnly, ...defaults } = options;
    this.defaults = defaults as ChatwireNamespaceOptions<AnyContract>;
  }

  /**
   * Adds namespace `path` with its own contract, authentication and handlers; clients reach it at
   * `url + path`. Logger, clock, outgoing validation and per-connection budgets default to the server's.
   * A client asking for a path no namespace has gets `connect_error` "Invalid namespace".
   * @example
   * const admin = server.of('/admin', adminContract, { authenticate: ({ auth }) => checkAdmin(auth.token) });
   */
  of<N extends AnyContract>(
    path: string,
    contract: N,
    options: ChatwireNamespaceOptions<N> = {},
  ): ChatwireNamespace<N> {
    if (!path.startsWith('/') || path === '/') {
      throw new TypeError(`server.of: "${path}" is not a namespace path (like "/admin"); "/" is the server itself`);
    }
    if (this.namespaces.has(path)) throw new TypeError(`server.of: namespace "${path}" already exists`);
    const raw = this.io.of(path) as unknown as TypedIoNamespace<N>;
    const namespace = new ChatwireNamespace(raw, contract, {
      ...this.defaults,
      ...options,
    } as ChatwireNamespaceOptions<N>);
    this.namespaces.set(path, namespace as unknown as ChatwireNamespace<AnyContract>);
    return namespace;
  }

  /** Disconnects every client and closes socket.io and the HTTP server it is attached to. */
  close(): Promise<void> {
    return closeIo(this.io);
  }
}

/** Disconnects every client and closes socket.io and the HTTP server it is attached to. */
export async function closeIo(io: Pick<IoServer, 'close'>): Promise<void> {
  // Never attached to an HTTP server: socket.io has no engine, and its close() would throw.
  if ((io as { engine?: unknown }).engine === undefined) return;
  await new Promise<void>((resolve) => {
    // An HTTP server that was never listening answers with an error: closed is closed.
    io.close(() => resolve()).catch(() => resolve());
  });
}

/** The socket.io server: the one given (attached to `httpServer` if any), or a new one with transport limits. */
export function attach<C extends AnyContract>(options: ChatwireServerOptions<C>): TypedIoServer<C> {
  const { httpServer, io, maxHttpBufferSize, connectTimeout, maxAttachments, allowedOrigins, ...rest } = options;
  if (io !== undefined) {
    if (allowedOrigins !== undefined || maxAttachments !== undefined) {
      // They are transport options: silently ignoring them would leave a server open that looks closed.
      throw new TypeError('createServer: with io, set allowRequest and parser on that socket.io server');
    }
    if (httpServer !== undefined) io.attach(httpServer);
    return io;
  }
  const limited = withTransportLimits(withoutNamespaceOptions(rest), {
    maxHttpBufferSize,
    connectTimeout,
    maxAttachments,
    allowedOrigins,
  });
  return (httpServer === undefined ? new IoServer(limited) : new IoServer(httpServer, limited)) as TypedIoServer<C>;
}

/**
 * Makes a typed, validated server over socket.io for `contract`.
 * @example
 * const httpServer = http.createServer();
 * const server = createServer(contract, { httpServer, authenticate: ({ auth }) => ({ user: auth.user }) });
 * httpServer.listen(3000);
 */
export function createServer<C extends AnyContract>(
  contract: C,
  options: ChatwireServerOptions<C> = {},
): ChatwireServer<C> {
  return new ChatwireServer(contract, options);
}
