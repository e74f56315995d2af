/** What one timed round did: how many deliveries (or operations) happened in how long. */
export interface RoundResult {
  deliveries: number;
  elapsedMs: number;
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

/**
 * Collects garbage when node runs with --expose-gc (`pnpm bench` does), so that a round does not pay
 * for the other side's garbage.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function describe(result: RoundResult): string {
  return `${Math.round(rate(result)).toLocaleString('en-US')}/s (${result.deliveries} in ${result.elapsedMs.toFixed(0)} ms)`;
}

/**
 * Runs a warm-up round on each side, sizes the measured rounds from it, then runs `rounds` rounds
 * per side alternating baseline/chatwire (ABAB…) and takes the median rate of each side.
 */
export async function compareAlternating(options: CompareOptions): Promise<Comparison> {
  const { label, baseline, chatwire, rounds, warmupMessages, targetRoundMs, messageStep } = options;
  const [baselineName, chatwireName] = options.sideNames ?? ['baseline', 'chatwire'];
  collectGarbage();
  const warmBaseline = await baseline(warmupMessages);
  log(`[${label}] warm-up ${baselineName}: ${describe(warmBaseline)}`);
  collectGarbage();
  const warmChatwire = await chatwire(warmupMessages);
  log(`[${label}] warm-up ${chatwireName}: ${describe(warmChatwire)}`);

  const msPerMessage = (warmBaseline.elapsedMs + warmChatwire.elapsedMs) / 2 / warmupMessages;
  const steps = Math.max(1, Math.round(targetRoundMs / msPerMessage / messageStep));
  const messages = steps * messageStep;

  const baselineRates: number[] = [];
  const chatwireRates: number[] = [];
  for (let i = 1; i <= rounds; i++) {
    collectGarbage();
    const a = await baseline(messages);
    baselineRates.push(rate(a));
    log(`[${label}] round ${i}/${rounds} ${baselineName}: ${describe(a)}`);
    collectGarbage();
    const b = await chatwire(messages);
    chatwireRates.push(rate(b));
    log(`[${label}] round ${i}/${rounds} ${chatwireName}: ${describe(b)}`);
  }
  const baselinePerSec = median(baselineRates);
  const chatwirePerSec = median(chatwireRates);
  return {
    baselinePerSec,
    chatwirePerSec,
    ratio: chatwirePerSec / baselinePerSec,
    pairedRatio: median(chatwireRates.map((value, i) => value / baselineRates[i]!)),
    baselineRates,
    chatwireRates,
    messages,
    rounds,
  };
}
