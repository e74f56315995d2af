/** What one timed round did: how many deliveries (or operations) happened in how long. */
export interface RoundResult {
  deliveries: number;
  elapsedMs: number;
}

/** Runs `work`, counting the CPU time (user + system, every thread) the process spends meanwhile, in µs. */
export async function withCpuTime<T>(work: () => Promise<T>): Promise<{ value: T; cpuUs: number }> {
  const before = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(before);
  return { value, cpuUs: used.user + used.system };
}

/** Runs one round of `messages` messages on one side and times it. */
export type Round = (messages: number) => Promise<RoundResult>;

export interface CompareOptions {
  /** Prefix of the progress lines (stderr), e.g. `fanout n=200`. */
  label: string;
  baseline: Round;
  chatwire: Round;
  /** Measured rounds per side (after one warm-up round each). */
  rounds: number;
  /** Messages in each side's warm-up round; the measured rounds are sized from how long it took. */
  warmupMessages: number;
  /** About how long a measured round should take, in ms. */
  targetRoundMs: number;
  /** The measured message count is rounded to a multiple of this (the case's send window). */
  messageStep: number;
  /** What the progress lines call the two sides. @default ['baseline', 'chatwire'] */
  sideNames?: readonly [string, string];
  /** What is collected before each measured round (before each warm-up: always the whole heap). @default 'full' */
  collectBeforeRound?: Collection;
}

export interface Comparison {
  baselinePerSec: number;
  chatwirePerSec: number;
  /** chatwirePerSec / baselinePerSec. */
  ratio: number;
  /** The median of each pair's chatwire/baseline ratio: steadier when the machine's speed drifts. */
  pairedRatio: number;
  baselineRates: number[];
  chatwireRates: number[];
  /** The median round's CPU time per delivery, in µs, of the whole process (both sides run in it, in turn). */
  baselineCpuUs: number;
  chatwireCpuUs: number;
  /** Messages per measured round. */
  messages: number;
  rounds: number;
}

/** Deliveries per second of a round. */
export function rate(result: RoundResult): number {
  return result.deliveries / (result.elapsedMs / 1000);
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Writes a progress line to stderr (stdout carries only the results). */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** What {@link collectGarbage} collects: the whole heap, or the young generation only. */
export type Collection = 'full' | 'young';

/**
 * Collects garbage when node runs with --expose-gc (`pnpm bench` does), so that a round does not pay
 * for the other side's garbage. A full collection leaves V8's helper threads sweeping the old
 * generation for a while after it returns (about 100 ms of CPU here), into the round that follows; a
 * young one empties the young generation, where a round's garbage is, and leaves nothing behind.
 */
export function collectGarbage(collection: Collection = 'full'): void {
  const gc = (globalThis as { gc?: (options?: { type: 'minor' }) => void }).gc;
  if (collection === 'young') gc?.({ type: 'minor' });
  else gc?.();
}

function describe(result: RoundResult): string {
  return `${Math.round(rate(result)).toLocaleString('en-US')}/s (${result.deliveries} in ${result.elapsedMs.toFixed(0)} ms)`;
}

/** One side of a comparison: its name in the progress lines and how it runs a round. */
export interface Side {
  name: string;
  round: Round;
}

export interface CompareSidesOptions {
  /** Prefix of the progress lines (stderr), e.g. `inbound clients=100`. */
  label: string;
  /** The first is the baseline the others are compared with. */
  sides: readonly Side[];
  /** Measured rounds per side (after one warm-up round each). */
  rounds: number;
  /** Messages in each side's warm-up round; the measured rounds are sized from how long they took. */
  warmupMessages: number;
  /** About how long a measured round should take, in ms. */
  targetRoundMs: number;
  /** The measured message count is rounded to a multiple of this (the case's send window). */
  messageStep: number;
  /** What is collected before each measured round (before each warm-up: always the whole heap). @default 'full' */
  collectBeforeRound?: Collection;
}

/** Each side's measured rates, in the order of `sides`. */
export interface SidesComparison {
  /** Per side, the rate of each measured round, in round order. */
  rates: number[][];
  /** Per side, the median round's rate. */
  perSec: number[];
  /** Per side, the median round's CPU time per delivery, in µs (the process's, every thread). */
  cpuUs: number[];
  /** Messages per measured round. */
  messages: number;
  rounds: number;
}

/** The median of the round-by-round ratios `numerator[i] / denominator[i]`. */
export function pairedRatio(numerator: readonly number[], denominator: readonly number[]): number {
  return median(numerator.map((value, i) => value / denominator[i]!));
}

/**
 * Runs a warm-up round on each side, sizes the measured rounds from them, then runs `rounds` rounds
 * per side in turn (ABCABC…), collecting garbage before each, and takes the median rate of each side.
 */
export async function compareSides(options: CompareSidesOptions): Promise<SidesComparison> {
  const { label, sides, rounds, warmupMessages, targetRoundMs, messageStep, collectBeforeRound = 'full' } = options;
  let warmupMs = 0;
  for (const side of sides) {
    collectGarbage();
    const warm = await side.round(warmupMessages);
    warmupMs += warm.elapsedMs;
    log(`[${label}] warm-up ${side.name}: ${describe(warm)}`);
  }
  const msPerMessage = warmupMs / sides.length / warmupMessages;
  const steps = Math.max(1, Math.round(targetRoundMs / msPerMessage / messageStep));
  const messages = steps * messageStep;

  const rates = sides.map((): number[] => []);
  const cpu = sides.map((): number[] => []);
  for (let i = 1; i <= rounds; i++) {
    for (const [index, side] of sides.entries()) {
      collectGarbage(collectBeforeRound);
      const { value: result, cpuUs } = await withCpuTime(() => side.round(messages));
      rates[index]!.push(rate(result));
      cpu[index]!.push(cpuUs / result.deliveries);
      log(`[${label}] round ${i}/${rounds} ${side.name}: ${describe(result)}`);
    }
  }
  return { rates, perSec: rates.map((r) => median(r)), cpuUs: cpu.map((c) => median(c)), messages, rounds };
}

/**
 * {@link compareSides} with two sides, baseline and chatwire (ABAB…), and chatwire's ratios to the
 * baseline.
 */
export async function compareAlternating(options: CompareOptions): Promise<Comparison> {
  const [baselineName, chatwireName] = options.sideNames ?? ['baseline', 'chatwire'];
  const result = await compareSides({
    ...options,
    sides: [
      { name: baselineName, round: options.baseline },
      { name: chatwireName, round: options.chatwire },
    ],
  });
  const [baselineRates, chatwireRates] = result.rates as [number[], number[]];
  const [baselinePerSec, chatwirePerSec] = result.perSec as [number, number];
  const [baselineCpuUs, chatwireCpuUs] = result.cpuUs as [number, number];
  return {
    baselinePerSec,
    chatwirePerSec,
    baselineCpuUs,
    chatwireCpuUs,
    ratio: chatwirePerSec / baselinePerSec,
    pairedRatio: pairedRatio(chatwireRates, baselineRates),
    baselineRates,
    chatwireRates,
    messages: result.messages,
    rounds: result.rounds,
  };
}
