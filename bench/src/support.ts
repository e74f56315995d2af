import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts listening on a free port of 127.0.0.1 and resolves with the URL. */
export async function listen(httpServer: HttpServer): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Makes `count` things, at most `concurrency` at a time (so 1000 connects don't overflow the accept backlog). */
export async function inBatches<T>(
  count: number,
  concurrency: number,
  make: (index: number) => Promise<T>,
): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += concurrency) {
    const end = Math.min(count, start + concurrency);
    const batch: Promise<T>[] = [];
    for (let i = start; i < end; i++) batch.push(make(i));
    made.push(...(await Promise.all(batch)));
  }
  return made;
}

/** Rejects after `ms` with `message`, unless `promise` settles first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Counts deliveries across all receivers of one side; `until(total)` resolves once the count reaches
 * `total`. `hit` is the one thing a receiver's listener calls, so both sides pay the same for it.
 */
export class DeliveryCounter {
  private count = 0;
  private target = Number.POSITIVE_INFINITY;
  private settle: ((error?: Error) => void) | undefined;
  private failure: Error | undefined;

  /** Deliveries counted so far. */
  get total(): number {
    return this.count;
  }

  readonly hit = (): void => {
    this.count++;
    if (this.count >= this.target) this.finish();
  };

  /** Makes the current and every later `until` reject (a refused or invalid message, say). */
  fail(error: Error): void {
    this.failure ??= error;
    this.finish(error);
  }

  /** Resolves once `total` deliveries have been counted; rejects after `timeoutMs`. */
  until(total: number, timeoutMs: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.count >= total) return Promise.resolve();
    const reached = new Promise<void>((resolve, reject) => {
      this.target = total;
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    return withTimeout(reached, timeoutMs, `only ${this.count} of ${total} deliveries within ${timeoutMs} ms`);
  }

  private finish(error?: Error): void {
    const settle = this.settle;
    this.settle = undefined;
    this.target = Number.POSITIVE_INFINITY;
    settle?.(error);
  }
}

/** The text every case sends: a typical chat line. */
export const SAMPLE_TEXT = 'Hello everyone, the build is green again and the release notes are up for review.';

/** How long a measured round should take; warm-up rounds size the measured ones to it. */
export const TARGET_ROUND_MS = 1000;

/**
 * The fan-out sender does a whole room's sending on one connection: its per-connection event budget
 * stays on (its cost is part of what is measured) but far above what it sends.
 */
export const SENDER_EVENT_BUDGET = { ratePerSecond: 1_000_000, burst: 1_000_000 };
