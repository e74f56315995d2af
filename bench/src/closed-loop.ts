import { performance } from 'node:perf_hooks';
import { median, type RoundResult } from './measure.js';

/** Ack latencies of one round, in ms. */
export interface Latency {
  p50: number;
  p99: number;
}

/** Sends one request and resolves when its ack came back ok; rejects otherwise. */
export type Send = () => Promise<void>;

/** The `q` quantile (nearest rank) of ascending `sorted`. */
export function quantile(sorted: Float64Array, q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** p50 and p99 (nearest rank) of `samples`, sorted in place. */
export function latencyOf(samples: Float64Array): Latency {
  samples.sort();
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/**
 * Every sender sends in a closed loop (send, wait for the ack, send again) until the round's
 * `messages` are acked; each ack's latency is recorded. The clock stops at the last ack; then
 * `drain(acked)` (untimed), if given, waits until whatever the sends caused (broadcasts) has arrived,
 * so that the next round starts clean.
 */
export async function closedLoopRound(
  senders: readonly Send[],
  messages: number,
  latencies: Latency[],
  drain?: (acked: number) => Promise<void>,
): Promise<RoundResult> {
  const perSender = Math.max(1, Math.round(messages / senders.length));
  const total = perSender * senders.length;
  const samples = new Float64Array(total);
  let taken = 0;
  const began = performance.now();
  await Promise.all(
    senders.map(async (send) => {
      for (let i = 0; i < perSender; i++) {
        const sentAt = performance.now();
        await send();
        samples[taken++] = performance.now() - sentAt;
      }
    }),
  );
  const elapsedMs = performance.now() - began;
  await drain?.(total);
  latencies.push(latencyOf(samples));
  return { deliveries: total, elapsedMs };
}

/** Median p50 and p99 of the measured rounds (the first entry, the warm-up, left out). */
export function latencySummary(latencies: readonly Latency[]): Latency {
  const measured = latencies.slice(1);
  return { p50: median(measured.map((l) => l.p50)), p99: median(measured.map((l) => l.p99)) };
}

/** A latency in ms as the result lines show it: 2 decimals. */
export const roundMs = (value: number): number => Math.round(value * 100) / 100;

/** True for an ack `{ ok: true, … }`. */
export function isOkEnvelope(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === true;
}
