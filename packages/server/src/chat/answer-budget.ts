/** The UTF-8 size of `value` as JSON, as socket.io sends it. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

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

  /** The longest run of `items` that fits, counted from their start or their end. */
  fit<T>(items: T[], from: 'start' | 'end'): T[] {
    const ordered = from === 'start' ? items : [...items].reverse();
    let count = 0;
    for (const item of ordered) {
      if (!this.take(itemBytes(item))) break;
      count += 1;
    }
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
