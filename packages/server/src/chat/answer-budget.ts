/** A character other than printable ASCII, or one JSON escapes (a quote, a backslash). */
const NOT_PLAIN_ASCII = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/** The control characters JSON writes as two characters: \b \t \n \f \r. */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

/** 10^0 … 10^20, exact as doubles: an integer below 10^21 is written with that many digits. */
const POWERS_OF_TEN = Array.from({ length: 21 }, (_, digits) => 10 ** digits);

/**
 * The UTF-8 size of `value` as JSON, as socket.io sends it (`JSON.stringify`), counted without
 * building the JSON: measuring each item of every answer must not make garbage of its own. Plain
 * objects, arrays, strings, numbers, booleans and null are counted; anything else (a `toJSON`, a
 * class instance) is stringified.
 */
export function jsonBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return numberBytes(value);
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      if (value === null) return 4;
      if (Array.isArray(value)) return arrayBytes(value);
      if (isPlainData(value)) return objectBytes(value as Record<string, unknown>);
  }
  return Buffer.byteLength(JSON.stringify(value));
}

function stringBytes(value: string): number {
  if (!NOT_PLAIN_ASCII.test(value)) return value.length + 2;
  return Buffer.byteLength(value) + 2 + escapeBytes(value);
}

/** What JSON's escapes add to a string's UTF-8 (in which a lone surrogate counts 3 bytes, as U+FFFD). */
function escapeBytes(value: string): number {
  let extra = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) {
      extra += 1; // \" or \\
    } else if (code < 0x20) {
      extra += SHORT_ESCAPES.has(code) ? 1 : 5; // \n, or \u00XX
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i += 1; // a pair: 4 bytes either way
      } else {
        extra += 3; // \uXXXX
      }
    }
  }
  return extra;
}

function numberBytes(value: number): number {
  if (!Number.isFinite(value)) return 4; // null
  const magnitude = Math.abs(value);
  if (!Number.isInteger(value) || magnitude >= 1e21) return String(value).length;
  let digits = 1;
  while (digits < POWERS_OF_TEN.length && magnitude >= (POWERS_OF_TEN[digits] as number)) digits += 1;
  return value < 0 ? digits + 1 : digits;
}

function arrayBytes(items: readonly unknown[]): number {
  let bytes = 2 + Math.max(0, items.length - 1);
  // JSON writes a hole, undefined, a function or a symbol in an array as null.
  for (let i = 0; i < items.length; i++) bytes += isSkipped(items[i]) ? 4 : jsonBytes(items[i]);
  return bytes;
}

function objectBytes(object: Record<string, unknown>): number {
  let bytes = 2;
  let written = 0;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const item = object[key];
    // JSON leaves out a property that is undefined, a function or a symbol.
    if (isSkipped(item)) continue;
    bytes += jsonBytes(key) + 1 + jsonBytes(item);
    written += 1;
  }
  return written === 0 ? bytes : bytes + written - 1;
}

/** An object JSON writes as its own enumerable properties: plain, with no `toJSON` of its own. */
function isPlainData(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return (
    (prototype === Object.prototype || prototype === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

const isSkipped = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** The frame, ack id and result envelope around an answer's data: `43<id>[{"ok":true,"data":…}]`. */
const ENVELOPE_BYTES = 64;

/**
 * Keeps an answer within `maxBytes` of JSON while it is put together: each item (a message, a
 * member) is measured once, when it is added, never the whole answer again. While an answer carries
 * no item yet, the next one is taken whatever its size, so that paging always moves on.
 */
export class AnswerBudget {
  private used = ENVELOPE_BYTES;
  private taken = 0;
  /** Something did not fit: whatever comes later does not either (no store work for it). */
  exhausted = false;

  constructor(private readonly maxBytes: number) {}

  /** No item taken yet. */
  get empty(): boolean {
    return this.taken === 0;
  }

  /** Counts a fixed part of the answer (its skeleton), which is sent whatever else fits. */
  reserve(bytes: number): void {
    this.used += bytes;
  }

  /** The longest run of `items` that fits, counted from their start or their end (`items` itself when all fit). */
  fit<T>(items: T[], from: 'start' | 'end'): T[] {
    let count = 0;
    while (count < items.length) {
      const item = items[from === 'start' ? count : items.length - 1 - count];
      if (!this.take(itemBytes(item))) break;
      count += 1;
    }
    if (count === items.length) return items;
    return from === 'start' ? items.slice(0, count) : items.slice(items.length - count);
  }

  /** Takes every one of `items` if they fit together; nothing (false) otherwise. */
  fitAll(items: unknown[]): boolean {
    const bytes = items.reduce<number>((sum, item) => sum + itemBytes(item), 0);
    if (this.used + bytes > this.maxBytes) {
      this.exhausted = true;
      return false;
    }
    this.used += bytes;
    this.taken += items.length;
    return true;
  }

  private take(bytes: number): boolean {
    if (this.exhausted || (this.used + bytes > this.maxBytes && !this.empty)) {
      this.exhausted = true;
      return false;
    }
    this.used += bytes;
    this.taken += 1;
    return true;
  }
}

/** An item's JSON and the comma before it. */
const itemBytes = (item: unknown) => jsonBytes(item) + 1;
