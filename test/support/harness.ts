import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatwireClientOptions, createClient } from '@chatwire/client';
import type { AnyContract } from '@chatwire/protocol';
import { type ChatwireServerOptions, createServer } from '@chatwire/server';
import { type Socket as RawClientSocket, io as rawIo } from 'socket.io-client';
import { onTestFinished } from 'vitest';

/** Starts a chatwire server on a free port; it is closed when the test finishes. */
export async function startServer<C extends AnyContract>(contract: C, options: ChatwireServerOptions<C> = {}) {
  const httpServer = createHttpServer();
  const server = createServer(contract, { httpServer, ...options });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  onTestFinished(() => server.close());
  return { server, httpServer, url: `http://127.0.0.1:${port}` };
}

/** A typed client (websocket only, no reconnection unless asked); closed when the test finishes. */
export function connectClient<C extends AnyContract>(contract: C, url: string, options: ChatwireClientOptions<C> = {}) {
  const client = createClient(contract, url, { transports: ['websocket'], reconnection: false, ...options });
  onTestFinished(() => client.close());
  return client;
}

/** A plain socket.io client that knows nothing of the contract; closed when the test finishes. */
export function connectRaw(url: string, auth?: Record<string, unknown>): RawClientSocket {
  const socket = rawIo(url, { transports: ['websocket'], reconnection: false, ...(auth ? { auth } : {}) });
  onTestFinished(() => {
    socket.disconnect();
  });
  return socket;
}

/** Resolves once the typed client is connected; rejects with the refusal otherwise. */
export function connected(client: {
  status: string;
  onStatus(fn: (status: string, error?: Error) => void): () => void;
}) {
  return new Promise<void>((resolve, reject) => {
    if (client.status === 'connected') return resolve();
    const off = client.onStatus((status, error) => {
      if (status === 'connected') {
        off();
        resolve();
      } else if (status === 'disconnected') {
        off();
        reject(error ?? new Error('disconnected'));
      }
    });
  });
}

/** Resolves once a raw socket is connected. */
export function rawConnected(socket: RawClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

/** Resolves with the first value `subscribe` delivers, or rejects after `timeoutMs`. */
export function nextValue<T>(subscribe: (fn: (value: T) => void) => () => void, timeoutMs = 2000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`nothing arrived within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Resolves with the args of the next `event` on a raw socket. */
export function nextRaw(socket: RawClientSocket, event: string, timeoutMs = 2000): Promise<unknown[]> {
  return nextValue<unknown[]>((fn) => {
    const listener = (...args: unknown[]) => fn(args);
    socket.on(event, listener);
    return () => socket.off(event, listener);
  }, timeoutMs);
}

/** Collects every value `subscribe` delivers, for asserting that something did NOT arrive. */
export function collect<T>(subscribe: (fn: (value: T) => void) => () => void): T[] {
  const values: T[] = [];
  const off = subscribe((value) => values.push(value));
  onTestFinished(off);
  return values;
}

/** Waits `ms` milliseconds (only to let something that must not happen have its chance). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A gate: a promise held until `open` is called, to force one order of two racing steps. */
export interface Gate<T = void> {
  promise: Promise<T>;
  open(value: T): void;
  /** True once `open` was called. */
  readonly opened: boolean;
}

/** A gate (deferred promise) that a test opens when the other side of a race has happened. */
export function gate<T = void>(): Gate<T> {
  let resolve!: (value: T) => void;
  let opened = false;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return {
    promise,
    open(value: T) {
      opened = true;
      resolve(value);
    },
    get opened() {
      return opened;
    },
  };
}
