import type { StoreKind } from './stores.js';

/** A result line: printed as one JSON line on stdout, keys in this order. */
export type ResultLine = { scenario: string } & Record<string, unknown>;

/** What every case gets from main. */
export interface CaseContext {
  /** Measured rounds per side. */
  rounds: number;
  /** `--store=`: run only the setups on this store (cases with one store ignore it); undefined: every store. */
  store: StoreKind | undefined;
  /** Call once per result (one JSON line each), as soon as it is known. */
  report(line: ResultLine): void;
}

/** A benchmark scenario, run by name from the command line. */
export interface BenchCase {
  name: string;
  /** One line for `--help`. */
  description: string;
  run(context: CaseContext): Promise<void>;
}

/** Rounds a rate to an integer and a ratio to 3 decimals, as the result lines show them. */
export function roundRate(value: number): number {
  return Math.round(value);
}

export function roundRatio(value: number): number {
  return Math.round(value * 1000) / 1000;
}
