import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AnyContract,
  type ClientEventSpec,
  chatContract,
  ERROR_EVENT,
  errorEventSchema,
  errorPayloadSchema,
  type Result,
} from '@chatwire/protocol';
import {
  type ChatwireServer,
  ChatwireServer as ChatwireServerClass,
  type ChatwireServerOptions,
  createChatServer,
  createServer,
  type Logger,
  MemoryStore,
} from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import fc from 'fast-check';
import { type Socket as RawSocket, io as rawIo } from 'socket.io-client';
import { afterAll, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { tutorialContract } from '../../examples/tutorial-chat/src/contract.js';
import { createTutorialServer } from '../../examples/tutorial-chat/src/server.js';
import { type Overrides, validArbitrary } from './zod-arbitrary.js';

/** Cases per event: 1,000 in a normal test run; `pnpm fuzz` sets FUZZ_RUNS much higher. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

/** Time for one event's cases: generous, since the machine may be busy. */
export const FUZZ_TIMEOUT_MS = 60_000 + FUZZ_RUNS * 100;

/** Cases sent at once on one connection (all in flight together). */
const BATCH_SIZE = 50;

/** How long one answer may take before the case counts as unanswered. */
const ANSWER_TIMEOUT_MS = 10_000;

/** An event the server does not know: its NOT_FOUND answer comes after everything sent before it. */
const BARRIER_EVENT = 'fuzz-barrier';

// ─── Servers ────────────────────────────────────────────────────────────────────────────────────

/** What the fuzz tests learn from inside a server. */
export interface FuzzServer {
  url: string;
  /** Handler calls per event. */
  calls: Map<string, number>;
  /** Payloads a handler got that its own contract schema refuses. */
  violations: string[];
  /** What the server logged at error level (a handler bug, an unhandled failure). */
  errors: string[];
  close(): Promise<void>;
}

/** The server a fuzz test starts: one of the shipped ones, or a contract with the test's own handlers. */
export type FuzzServerKind<C extends AnyContract> =
  | { kind: 'chat' }
  | { kind: 'tutorial' }
  | { kind: 'contract'; contract: C; register(server: ChatwireServer<C>): void };

/**
 * Starts a fuzz server: the ONE place fuzz servers are made, so that every abuse limit is off and
 * thousands of cases per connection are answered rather than throttled. Every handler re-validates
 * what it gets against the contract schema and counts its calls.
 */
export async function startFuzzServer<C extends AnyContract>(target: FuzzServerKind<C>): Promise<FuzzServer> {
  const errors: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, meta) => errors.push(`${message} ${String((meta?.error as Error | undefined)?.stack ?? '')}`),
  };
  // ┌─ Limits off: every per-connection budget of createServer and of ChatServer (they have tests of their
  // │  own). Transport limits (maxHttpBufferSize, maxAttachments) keep their defaults: what they refuse
  // │  is part of what is fuzzed.
  const limitsOff = {
    logger,
    eventRateLimit: false,
    errorReplyRateLimit: false,
    refusalLimit: false,
  } satisfies Partial<ChatwireServerOptions<AnyContract>>;
  const chatLimitsOff = { rateLimit: false, actionRateLimit: false, maxRoomsPerSocket: 100_000 } as const;
  // └─────────────────────────────────────────────────────────────────────────────────────────────

  const contract: AnyContract | undefined =
    target.kind === 'contract' ? target.contract : target.kind === 'chat' ? chatContract : undefined;
  const guard = guardHandlers(contract ?? tutorialContract);
  try {
    if (target.kind === 'tutorial') {
      const app = await createTutorialServer(limitsOff);
      const port = await app.listen(0, '127.0.0.1');
      return { ...guard.seen, url: `http://127.0.0.1:${port}`, errors, close: () => app.close() };
    }
    const httpServer = createHttpServer();
    const close =
      target.kind === 'chat'
        ? (() => {
            const chat = createChatServer({
              ...limitsOff,
              ...chatLimitsOff,
              httpServer,
              store: new MemoryStore(),
              authenticate: devAuthenticator(),
              // Longer than any test: no typing timer fires in the middle of a case.
              typingTimeoutMs: 3_600_000,
            });
            return () => chat.close();
          })()
        : (() => {
            const server = createServer(target.contract, { ...limitsOff, httpServer });
            target.register(server);
            return () => server.close();
          })();
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = httpServer.address() as AddressInfo;
    return { ...guard.seen, url: `http://127.0.0.1:${port}`, errors, close };
  } finally {
    guard.restore();
  }
}

/** Wraps every handler registered while it is installed: checks the payload, counts the call. */
function guardHandlers(contract: AnyContract) {
  const seen = { calls: new Map<string, number>(), violations: [] as string[] };
  const on = ChatwireServerClass.prototype.on;
  type AnyOn = (this: unknown, event: string, handler: (context: { payload: unknown }) => unknown) => unknown;
  const spy = vi.spyOn(ChatwireServerClass.prototype, 'on').mockImplementation(function (
    this: unknown,
    event: string,
    handler: unknown,
  ) {
    const spec = contract.clientToServer[event];
    const guarded = (context: { payload: unknown }) => {
      seen.calls.set(event, (seen.calls.get(event) ?? 0) + 1);
      const valid =
        spec?.payload === undefined
          ? context.payload === undefined
          : z.safeParse(spec.payload, context.payload).success;
      if (!valid) {
        seen.violations.push(`handler of "${event}" got ${show(context.payload)}`);
      }
      return (handler as (context: { payload: unknown }) => unknown)(context);
    };
    return (on as unknown as AnyOn).call(this, event, guarded);
  } as never);
  return { seen, restore: () => spy.mockRestore() };
}

// ─── Sockets ────────────────────────────────────────────────────────────────────────────────────

/** A plain socket.io client (no contract checks), connected. */
async function connectRawSocket(url: string, auth?: Record<string, unknown>): Promise<RawSocket> {
  const socket = rawIo(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(auth === undefined ? {} : { auth }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Sends `event` with `args` and an ack; resolves with the answer, or with the error when none came. */
function request(socket: RawSocket, event: string, args: unknown[]): Promise<{ answer?: unknown; lost?: Error }> {
  return new Promise((resolve) => {
    socket.timeout(ANSWER_TIMEOUT_MS).emit(event, ...args, (error: Error | null, answer: unknown) => {
      resolve(error ? { lost: error } : { answer });
    });
  });
}

/** Resolves once everything sent on `socket` before it has been answered. */
async function barrier(socket: RawSocket): Promise<void> {
  if (!socket.connected) return;
  const { answer, lost } = await request(socket, BARRIER_EVENT, []);
  if (lost !== undefined && socket.connected) throw new Error(`barrier unanswered: ${lost.message}`);
  if (lost === undefined && (answer as Result<unknown>).ok !== false) throw new Error('barrier not refused');
}

// ─── Cases ──────────────────────────────────────────────────────────────────────────────────────

/** One emit: the arguments after the event name, with or without an ack. */
interface FuzzCase {
  args: unknown[];
  ack: boolean;
}

const prototypeKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
const key = fc.oneof(prototypeKey, fc.string({ maxLength: 8 }));

/** Own properties only, so that `__proto__` is a key and not the prototype. */
const objectOf = (entries: [string, unknown][]) => Object.fromEntries(entries);

const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  prototypeKey,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(0, -1, 1.5, -0, 2 ** 31, 2 ** 31 - 1, Number.MAX_SAFE_INTEGER + 2, ''),
);

const binary = fc
  .tuple(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('Buffer', 'ArrayBuffer', 'Uint8Array'))
  .map(([bytes, kind]) =>
    kind === 'Buffer' ? Buffer.from(bytes) : kind === 'ArrayBuffer' ? bytes.slice().buffer : bytes.slice(),
  );

/**
 * Up to 56 kB: far past every schema's bound, yet a case (at most one of these) stays under a 64 KiB
 * `maxHttpBufferSize`, so that the server answers it instead of closing the connection.
 */
const huge = fc
  .tuple(fc.constantFrom('x', 'é', '😀', '\u0000'), fc.integer({ min: 5000, max: 14_000 }))
  .map(([unit, count]) => unit.repeat(unit === '\u0000' ? count / 10 : count));

const deep = fc
  .tuple(fc.integer({ min: 20, max: 1500 }), fc.constantFrom('array', 'object', '__proto__'), scalar)
  .map(([depth, kind, leaf]) => {
    let value: unknown = leaf ?? null;
    for (let i = 0; i < depth; i++) {
      value = kind === 'array' ? [value] : objectOf([[kind === 'object' ? 'a' : '__proto__', value]]);
    }
    return value;
  });

const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(objectOf),
  ),
})).value;

/** Values of any kind, mostly small, now and then huge, deeply nested or binary. */
const garbage = fc.oneof(
  { weight: 8, arbitrary: json },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: binary },
);

interface Mutation {
  pick: number;
  kind: 'replace' | 'delete' | 'add';
  key: string;
  value: unknown;
}

const mutation = (values: fc.Arbitrary<unknown>): fc.Arbitrary<Mutation> =>
  fc.record({ pick: fc.nat(), kind: fc.constantFrom('replace', 'delete', 'add'), key, value: values });

/** A copy of `value` with one node replaced, deleted or given an extra key. */
function mutate(value: unknown, { pick, kind, key: extra, value: replacement }: Mutation): unknown {
  const root = clone(value);
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(node) || isPlainObject(node)) {
      for (const [k, child] of Object.entries(node)) walk(child, [...path, Array.isArray(node) ? Number(k) : k]);
    }
  };
  walk(root, []);
  const path = paths[pick % paths.length] as (string | number)[];
  if (path.length === 0 && kind !== 'add') return kind === 'replace' ? replacement : undefined;
  let parent: unknown = root;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[step];
  const last = path[path.length - 1] as string | number;
  const node = path.length === 0 ? root : (parent as Record<string | number, unknown>)[last];
  const target = parent as Record<string | number, unknown>;
  if (kind === 'replace') define(target, last, replacement);
  else if (kind === 'delete') delete target[last];
  else if (Array.isArray(node)) node.push(replacement);
  else if (isPlainObject(node)) define(node, extra, replacement);
  else if (path.length === 0) return replacement;
  else define(target, last, replacement);
  return root;
}

const define = (target: object, property: string | number, value: unknown) =>
  Object.defineProperty(target, property, { value, enumerable: true, writable: true, configurable: true });

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isBinary(value);

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return objectOf(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

/** Cases for one event: valid, mutated and random payloads, wrong arity, binary; with and without an ack. */
function caseArbitrary(spec: ClientEventSpec, overrides?: Overrides): fc.Arbitrary<FuzzCase> {
  const payload = spec.payload;
  const valid = payload === undefined ? fc.constant(undefined) : validArbitrary(payload, overrides);
  const validArgs = valid.map((value): unknown[] => (payload === undefined ? [] : [value]));
  const mutated = (values: fc.Arbitrary<unknown>) =>
    fc.tuple(valid, mutation(values)).map(([value, change]): unknown[] => [mutate(value ?? {}, change)]);
  const args: fc.Arbitrary<unknown[]> = fc.oneof(
    { weight: 3, arbitrary: validArgs },
    { weight: 5, arbitrary: mutated(garbage) },
    { weight: 2, arbitrary: garbage.map((value): unknown[] => [value]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validArgs, garbage, fc.array(json, { maxLength: 2 }))
        .map(([base, extra, more]) => [...base, extra, ...more]),
    },
    { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        mutated(binary),
        binary.map((value): unknown[] => [value]),
      ),
    },
  );
  return fc.record({ args, ack: fc.boolean() });
}

// ─── What the server sees ───────────────────────────────────────────────────────────────────────

const isBinary = (value: unknown) => value instanceof ArrayBuffer || ArrayBuffer.isView(value);

function hasBinary(value: unknown): boolean {
  if (isBinary(value)) return true;
  if (Array.isArray(value)) return value.some(hasBinary);
  if (isPlainObject(value)) return Object.values(value).some(hasBinary);
  return false;
}

const OMIT = Symbol('omit');

/**
 * `value` as the server decodes it: JSON, except that binary arrives as a Buffer. In a packet with
 * binary, socket.io-parser copies objects key by key, so an own `__proto__` key sets the copy's
 * prototype and is not sent.
 */
function onWire(value: unknown, binaryPacket: boolean): unknown {
  if (value === undefined) return OMIT;
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : onWire(item, binaryPacket)));
  if (isPlainObject(value)) {
    return objectOf(
      Object.entries(value)
        .filter(([k]) => !(binaryPacket && k === '__proto__'))
        .map(([k, v]) => [k, onWire(v, binaryPacket)] as [string, unknown])
        .filter(([, v]) => v !== OMIT),
    );
  }
  return value;
}

/** Does the contract accept these arguments for an event with this spec? */
function accepts(spec: ClientEventSpec, args: unknown[]): boolean {
  const values = onWire(args, hasBinary(args)) as unknown[];
  if (spec.payload === undefined) return values.length === 0;
  return values.length === 1 && z.safeParse(spec.payload, values[0]).success;
}

/** A short, printable picture of a value (huge strings and deep nesting cut). */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
      const raw = key === '' ? value : this[key];
      if (isBinary(raw)) return `<${(raw as object).constructor.name}>`;
      if (typeof v === 'string' && v.length > 60) return `${v.slice(0, 20)}…(${v.length} chars)`;
      return v === undefined ? '<undefined>' : v;
    });
  } catch {
    text = String(value);
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

// ─── The fuzzer ─────────────────────────────────────────────────────────────────────────────────

/** What a fuzz test says about its server and its well-behaved bystander. */
export interface FuzzTarget {
  contract: AnyContract;
  server: FuzzServer;
  /** The fuzz client's handshake auth. */
  auth?: Record<string, unknown>;
  overrides?: Overrides;
  /** The bystander's socket: everything it receives is recorded. */
  bystander: RawSocket;
  /** Run with the fuzz client before each batch (join the rooms the bystander is in…). */
  prepare?(fuzz: RawSocket): Promise<void>;
  /** A well-behaved request of the bystander, its answer checked; also a barrier for what it receives. */
  probe(): Promise<void>;
  /** What the bystander receives because of its own probe. */
  isProbeEffect?(event: string, args: unknown[]): boolean;
  /** Events whose valid case ends the sender's connection. */
  closing?: readonly string[];
}

type Classified = FuzzCase & { valid: boolean; binary: boolean };

/**
 * Sends cases over one connection (binary ones over a second, which the server may close) and checks
 * after each batch: invalid input refused once with a typed error and never seen by a handler,
 * valid input answered with a typed result, the bystander told nothing by invalid input,
 * `Object.prototype` unchanged, and the server still answering a well-behaved client.
 */
export class Fuzzer {
  private main: RawSocket | undefined;
  private binary: RawSocket | undefined;
  private readonly errorEvents = new WeakMap<RawSocket, unknown[]>();
  private readonly received: [string, unknown[]][] = [];
  private readonly prototypeKeys = new Set(Reflect.ownKeys(Object.prototype));
  /** Cases run so far, per event. */
  readonly counts = new Map<string, number>();

  constructor(private readonly target: FuzzTarget) {
    target.bystander.onAny((event: string, ...args: unknown[]) => this.received.push([event, args]));
  }

  /** Runs FUZZ_RUNS cases of `event`, in batches. */
  async check(event: string): Promise<void> {
    const spec = this.target.contract.clientToServer[event];
    if (spec === undefined) throw new TypeError(`no event "${event}"`);
    const batch = fc.array(caseArbitrary(spec, this.target.overrides), {
      minLength: BATCH_SIZE,
      maxLength: BATCH_SIZE,
    });
    const details = await fc.check(
      fc.asyncProperty(batch, async (cases) => {
        const failures = await this.run(event, spec, cases);
        if (failures.length > 0) throw new Error(failures.slice(0, 5).join('\n'));
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / BATCH_SIZE), ...seed() },
    );
    if (details.failed) {
      // fast-check's own report prints huge strings whole: this one cuts them.
      const cases = (details.counterexample?.[0] ?? []).map(
        (c) => `  ${c.ack ? 'with ack' : 'no ack'} ${show(c.args)}`,
      );
      throw new Error(
        `"${event}" failed (FUZZ_SEED=${details.seed}, shrunk ${details.numShrinks} times):\n` +
          `${(details.errorInstance as Error | undefined)?.message}\nbatch:\n${cases.join('\n')}`,
      );
    }
  }

  close(): void {
    this.main?.disconnect();
    this.binary?.disconnect();
  }

  private async socket(which: 'main' | 'binary'): Promise<RawSocket> {
    const current = this[which];
    if (current?.connected) return current;
    const socket = await connectRawSocket(this.target.server.url, this.target.auth);
    const errors: unknown[] = [];
    socket.on(ERROR_EVENT, (payload: unknown) => errors.push(payload));
    this.errorEvents.set(socket, errors);
    this[which] = socket;
    return socket;
  }

  private async run(event: string, spec: ClientEventSpec, cases: FuzzCase[]): Promise<string[]> {
    const { target } = this;
    this.counts.set(event, (this.counts.get(event) ?? 0) + cases.length);
    const failures: string[] = [];
    const main = await this.socket('main');
    await target.prepare?.(main);
    await target.probe();
    this.received.length = 0;
    const classified: Classified[] = cases.map((c) => ({
      ...c,
      valid: accepts(spec, c.args),
      binary: hasBinary(c.args),
    }));

    const callsBefore = target.server.calls.get(event) ?? 0;
    await this.phase(
      event,
      spec,
      classified.filter((c) => !c.valid),
      false,
      failures,
    );
    if ((target.server.calls.get(event) ?? 0) !== callsBefore) failures.push(`a handler ran for invalid input`);
    await target.probe();
    for (const [name, args] of this.received.splice(0)) {
      if (!target.isProbeEffect?.(name, args)) {
        failures.push(`bystander got "${name}" ${show(args)} after invalid input`);
      }
    }

    const valid = classified.filter((c) => c.valid);
    const closing = target.closing?.includes(event) ?? false;
    if (closing) await Promise.all(valid.map((c) => this.closingCase(event, c, failures)));
    else await this.phase(event, spec, valid, true, failures);
    await target.probe();
    for (const [name, args] of this.received.splice(0)) {
      const serverSpec = target.contract.serverToClient[name];
      if (
        serverSpec === undefined ||
        (serverSpec.payload !== undefined && !z.safeParse(serverSpec.payload, args[0]).success)
      ) {
        failures.push(`bystander got an invalid "${name}" ${show(args)}`);
      }
    }

    failures.push(...target.server.violations.splice(0), ...target.server.errors.splice(0));
    const added = Reflect.ownKeys(Object.prototype).filter((k) => !this.prototypeKeys.has(k));
    if (added.length > 0 || Reflect.ownKeys(Object.prototype).length !== this.prototypeKeys.size) {
      failures.push(`Object.prototype changed: ${added.map(String).join()} added`);
      // Undone, so that shrinking finds the case that did it rather than failing on every batch after.
      for (const k of added) delete (Object.prototype as Record<PropertyKey, unknown>)[k];
    }
    return failures;
  }

  /** Sends all `cases` at once, then checks each answer and the error events of ack-less ones. */
  private async phase(
    event: string,
    spec: ClientEventSpec,
    cases: Classified[],
    valid: boolean,
    failures: string[],
  ): Promise<void> {
    const main = await this.socket('main');
    const binary = cases.some((c) => c.binary) ? await this.socket('binary') : undefined;
    const sockets = binary === undefined ? [main] : [main, binary];
    for (const socket of sockets) this.errorEvents.get(socket)?.splice(0);
    const answers = await Promise.all(
      cases.map((c) => {
        const socket = c.binary ? (binary as RawSocket) : main;
        if (c.ack) return request(socket, event, c.args);
        socket.emit(event, ...c.args);
        return undefined;
      }),
    );
    await Promise.all(sockets.map(barrier));

    cases.forEach((c, i) => {
      const answer = answers[i];
      if (answer === undefined) return;
      const what = `"${event}" ${show(c.args)}`;
      if (answer.lost !== undefined) {
        // Only a binary case may end its connection (a server that refuses binary at the parser).
        if (!c.binary || binary?.connected) failures.push(`${what} unanswered: ${answer.lost.message}`);
        return;
      }
      const problem = valid ? validAnswerProblem(spec, answer.answer) : refusalProblem(answer.answer);
      if (problem !== undefined) failures.push(`${what}: ${problem}`);
    });

    for (const socket of sockets) {
      const ackless = cases.filter((c) => !c.ack && (socket === binary) === c.binary);
      const events = this.errorEvents.get(socket) ?? [];
      for (const payload of events) {
        const parsed = errorEventSchema.safeParse(payload);
        if (!parsed.success || parsed.data.event !== event) {
          failures.push(`untyped or misaddressed ${ERROR_EVENT}: ${show(payload)}`);
        } else if (valid ? !typedChatError(parsed.data.code) : parsed.data.code !== 'VALIDATION_FAILED') {
          failures.push(`${ERROR_EVENT} with code ${parsed.data.code} for "${event}"`);
        }
      }
      // Each refused ack-less case gets exactly one error event; a valid one at most one (a typed chat error).
      const closed = socket === binary && !socket.connected;
      if (valid ? events.length > ackless.length : events.length !== ackless.length && !closed) {
        failures.push(`${events.length} ${ERROR_EVENT} for ${ackless.length} ack-less "${event}" (valid: ${valid})`);
      }
    }
  }

  /** A valid case of an event that ends the connection, each on a connection of its own: it ends. */
  private async closingCase(event: string, c: Classified, failures: string[]): Promise<void> {
    const socket = await connectRawSocket(this.target.server.url, this.target.auth);
    const ended = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    if (c.ack) void request(socket, event, c.args);
    else socket.emit(event, ...c.args);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ANSWER_TIMEOUT_MS);
    });
    if ((await Promise.race([ended, timeout])) === 'timeout') {
      failures.push(`"${event}" ${show(c.args)} did not end the connection`);
      socket.disconnect();
    }
    clearTimeout(timer);
  }
}

/** Codes a valid request may still get: anything typed but a validation failure or a server bug. */
const typedChatError = (code: string) => code !== 'VALIDATION_FAILED' && code !== 'INTERNAL';

function refusalProblem(answer: unknown): string | undefined {
  const envelope = answer as { ok?: unknown; error?: unknown };
  if (envelope?.ok !== false) return `accepted: ${show(answer)}`;
  const error = errorPayloadSchema.safeParse(envelope.error);
  if (!error.success) return `untyped error ${show(envelope.error)}`;
  if (error.data.code !== 'VALIDATION_FAILED') return `refused with ${error.data.code}, not VALIDATION_FAILED`;
  return undefined;
}

function validAnswerProblem(spec: ClientEventSpec, answer: unknown): string | undefined {
  const envelope = answer as { ok?: unknown; data?: unknown; error?: unknown };
  if (envelope?.ok === true) {
    if (spec.ack === undefined) return envelope.data === undefined ? undefined : `unexpected data ${show(answer)}`;
    return z.safeParse(spec.ack, envelope.data).success ? undefined : `ack data off contract: ${show(envelope.data)}`;
  }
  if (envelope?.ok !== false) return `not an envelope: ${show(answer)}`;
  const error = errorPayloadSchema.safeParse(envelope.error);
  if (!error.success) return `untyped error ${show(envelope.error)}`;
  if (!typedChatError(error.data.code)) return `valid input refused with ${error.data.code}: ${error.data.message}`;
  return undefined;
}

/** The events of `contract` to fuzz: all, or those FUZZ_EVENTS names (comma-separated). */
export function fuzzedEvents(contract: AnyContract): string[] {
  return process.env.FUZZ_EVENTS?.split(',') ?? Object.keys(contract.clientToServer);
}

/** FUZZ_SEED replays a failure this fuzzer reported. */
export function seed(): { seed?: number } {
  return process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
}

/**
 * One test per fuzzed event of `contract`, each running FUZZ_RUNS cases through the fuzzer made in the
 * suite's `beforeAll`; after the suite, the fuzzer, the bystander and the server are closed.
 */
export function fuzzEveryEvent(
  contract: AnyContract,
  suite: () => { fuzzer: Fuzzer | undefined; bystander: { close(): void } | undefined; server: FuzzServer | undefined },
): void {
  afterAll(async () => {
    const { fuzzer, bystander, server } = suite();
    fuzzer?.close();
    bystander?.close();
    await server?.close();
  });
  for (const event of fuzzedEvents(contract)) {
    it(
      `"${event}": ${FUZZ_RUNS} cases, each answered as the contract says`,
      async () => {
        const { fuzzer } = suite();
        await fuzzer?.check(event);
        expect(fuzzer?.counts.get(event)).toBeGreaterThanOrEqual(FUZZ_RUNS);
      },
      FUZZ_TIMEOUT_MS,
    );
  }
}
