import type { BenchCase, ResultLine } from './bench-case.js';
import { chatSend } from './cases/chat-send.js';
import { clusterFanout } from './cases/cluster-fanout.js';
import { fanout } from './cases/fanout.js';
import { history } from './cases/history.js';
import { inbound } from './cases/inbound.js';
import { memory } from './cases/memory.js';
import { presence } from './cases/presence.js';
import { log } from './measure.js';
import { STORE_KINDS, type StoreKind } from './stores.js';

/** Every case, in the order they run by default. */
const CASES: readonly BenchCase[] = [fanout, inbound, chatSend, memory, history, presence, clusterFanout];

const DEFAULT_ROUNDS = 9;

function usage(): string {
  const lines = CASES.map((c) => `  ${c.name.padEnd(14)} ${c.description}`);
  return [
    `usage: pnpm bench [case...] [--rounds=N] [--store=${STORE_KINDS.join('|')}]`,
    '',
    'cases (all by default):',
    ...lines,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  let rounds = DEFAULT_ROUNDS;
  let store: StoreKind | undefined;
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      log(usage());
      return 0;
    }
    const roundsFlag = /^--rounds=(\d+)$/.exec(arg);
    const storeFlag = /^--store=(.*)$/.exec(arg)?.[1];
    if (roundsFlag) {
      rounds = Number(roundsFlag[1]);
    } else if (storeFlag !== undefined) {
      const kind = STORE_KINDS.find((k) => k === storeFlag);
      if (kind === undefined) {
        log(`unknown store ${storeFlag}\n\n${usage()}`);
        return 2;
      }
      store = kind;
    } else if (arg.startsWith('-')) {
      log(`unknown option ${arg}\n\n${usage()}`);
      return 2;
    } else {
      names.push(arg);
    }
  }
  if (rounds < 1) {
    log('--rounds must be at least 1');
    return 2;
  }
  const unknown = names.filter((name) => !CASES.some((c) => c.name === name));
  if (unknown.length > 0) {
    log(`unknown case ${unknown.join(', ')}\n\n${usage()}`);
    return 2;
  }
  const selected = names.length === 0 ? CASES : CASES.filter((c) => names.includes(c.name));
  const report = (line: ResultLine): void => {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  for (const benchCase of selected) {
    const began = performance.now();
    await benchCase.run({ rounds, store, report });
    log(`[${benchCase.name}] done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
